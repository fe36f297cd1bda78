package org.medlake.curation.qa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeriesQaTest {
    private final SeriesQa qa = new SeriesQa(QaThresholds.defaults());

    @Test
    void mrSeriesWithGoodSnrPasses() {
        PixelVolume v = PixelVolume.ofValues(128, 128, Phantoms.mrMagnitude(6, 128, 40, 500, 10, 11), 12, false);
        QaResult r = qa.evaluate("MR", null, v, SeriesQa.Layout.single());
        assertThat(r.metric("mr_snr").value()).isCloseTo(50, withPercentage(6));
        assertThat(r.metric("mr_snr").status()).isEqualTo(QaStatus.PASS);
        assertThat(r.metric("mr_snr").formulaId()).isEqualTo("mr_snr_v1");
        assertThat(r.metric("epi_ghost_ratio")).isNull();
        assertThat(r.status()).isEqualTo(QaStatus.PASS);
        assertThat(r.rows("1.2.3")).hasSize(r.metrics().size()).allMatch(row -> row.seriesInstanceUid().equals("1.2.3"));
    }

    @Test
    void noisyMrFails() {
        PixelVolume v = PixelVolume.ofValues(128, 128, Phantoms.mrMagnitude(3, 128, 40, 50, 10, 12), 12, false);
        QaResult r = qa.evaluate("MR", null, v, SeriesQa.Layout.single());
        assertThat(r.metric("mr_snr").value()).isCloseTo(5, withPercentage(15));
        assertThat(r.status()).isEqualTo(QaStatus.FAIL);
    }

    @Test
    void boldSeriesGetsGhostAndTsnr() {
        // 20 volumes x 3 slices, volume-major; ghost 10 % along COL.
        Random rnd = new Random(13);
        List<float[]> frames = new ArrayList<>();
        for (int t = 0; t < 20; t++) {
            for (int z = 0; z < 3; z++) {
                frames.add(Phantoms.ghosted(64, 10, 1000, 0.10, 20, rnd));
            }
        }
        PixelVolume v = PixelVolume.ofValues(64, 64, frames, 12, false);
        QaResult r = qa.evaluate("MR", "BOLD", v, new SeriesQa.Layout(20, "COL", 3.0));
        assertThat(r.metric("epi_ghost_ratio").value()).isCloseTo(0.10, withPercentage(5));
        assertThat(r.metric("epi_ghost_ratio").status()).isEqualTo(QaStatus.FAIL);
        assertThat(r.metric("tsnr").value()).isCloseTo(1000 / 20.0, withPercentage(8));
        assertThat(r.metric("tsnr").status()).isEqualTo(QaStatus.PASS);
        assertThat(r.status()).isEqualTo(QaStatus.FAIL);
    }

    @Test
    void ctWaterPhantomPasses() {
        PixelVolume v = PixelVolume.ofValues(128, 128, Phantoms.ctWaterPhantom(5, 128, 10, 14), 12, true);
        QaResult r = qa.evaluate("CT", null, v, new SeriesQa.Layout(1, null, 0.75));
        assertThat(r.metric("ct_noise_hu").value()).isCloseTo(10, withPercentage(8));
        assertThat(r.metric("ct_water_hu").status()).isEqualTo(QaStatus.PASS);
        assertThat(r.metric("ct_air_hu").status()).isEqualTo(QaStatus.PASS);
        assertThat(r.status()).isEqualTo(QaStatus.PASS);
    }

    @Test
    void otherModalityGetsGenericMetricsOnly() {
        List<int[]> frames = new ArrayList<>();
        frames.add(new int[16]);
        frames.add(new int[16]);
        PixelVolume v = PixelVolume.fromStored(4, 4, frames, 8, false, 1, 0);
        QaResult r = qa.evaluate("US", null, v, null);
        assertThat(r.metrics()).extracting(Metric::name)
                .containsExactly("pixel_range_violation", "blank_frame_fraction", "saturated_frame_fraction");
        assertThat(r.metric("blank_frame_fraction").value()).isEqualTo(1.0);
        assertThat(r.status()).isEqualTo(QaStatus.FAIL);
        assertThat(qa.notEvaluated("no codec").status()).isEqualTo(QaStatus.NOT_EVALUATED);
    }
}
