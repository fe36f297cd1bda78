package org.medlake.curation.qa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;
import static org.assertj.core.data.Percentage.withPercentage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QaMetricsTest {
    @Test
    void mrSnrOfRayleighBackgroundMatchesPlantedSnr() {
        // True SNR = 500 / 10 = 50. The corners hold 4 x 16 x 16 Rayleigh samples per slice (sd error ~2 %).
        List<float[]> slices = Phantoms.mrMagnitude(9, 128, 40, 500, 10, 1);
        assertThat(QaMetrics.mrSnr(slices, 128, 128)).isCloseTo(50, withPercentage(5));
        // Without the 0.655 correction the estimate would be 50 / 0.655 = 76: the factor matters.
        assertThat(QaMetrics.RAYLEIGH_FACTOR).isCloseTo(Math.sqrt(2 - Math.PI / 2), offset(1e-3));
    }

    @Test
    void mrSnrIsNaNForZeroFilledBackground() {
        float[] f = new float[64 * 64];
        for (int r = 20; r < 44; r++) {
            Arrays.fill(f, r * 64 + 20, r * 64 + 44, 300f);
        }
        assertThat(QaMetrics.mrSnrSlice(f, 64, 64)).isNaN();
    }

    @Test
    void ghostingRatioRecoversPlantedGhost() {
        Random rnd = new Random(2);
        List<float[]> slices = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            slices.add(Phantoms.ghosted(128, 20, 1000, 0.05, 5, rnd));
        }
        assertThat(QaMetrics.ghostingRatio(slices, 128, 128, true)).isCloseTo(0.05, offset(0.003));
        // Along the other axis there is no ghost; the real ghost then sits in the background, whose mean rises by
        // ratio x ghost area / background area = 0.05 x 1257 / 13870 = 0.0045 of the signal: a slightly negative value.
        assertThat(QaMetrics.ghostingRatio(slices, 128, 128, false)).isCloseTo(-0.0045, offset(0.002));
        Random rnd2 = new Random(3);
        float[] strong = Phantoms.ghosted(128, 20, 1000, 0.2, 5, rnd2);
        assertThat(QaMetrics.ghostingRatioSlice(strong, 128, 128, true)).isCloseTo(0.2, offset(0.005));
    }

    @Test
    void temporalSnrRecoversPlantedValueDespiteDrift() {
        // Temporal mean 800 + 2 x 19.5 = 839, temporal sd 10 -> tSNR 83.9; the drift (80 over the run) is removed
        // from the sd. The median of per-voxel ratios is ~1 % high (sd from 38 degrees of freedom).
        List<float[]> vols = Phantoms.bold(40, 3, 32, 800, 10, 2, 4);
        assertThat(QaMetrics.temporalSnr(vols)).isCloseTo(83.9, withPercentage(3));
        // Without detrending the sd would be sqrt(10^2 + 2^2 x (40^2 - 1) / 12) = 25.2 and tSNR ~33.
        assertThat(QaMetrics.temporalSnr(vols.subList(0, 3))).isNaN();
    }

    @Test
    void ctNoiseAirAndWaterOfAWaterPhantom() {
        List<float[]> slices = Phantoms.ctWaterPhantom(7, 128, 12, 5);
        QaMetrics.CtStats ct = QaMetrics.ct(slices, 128, 128, 8);
        // sd of 64-pixel tiles is unbiased to ~1 %; the median over > 100 tiles is within a few %.
        assertThat(ct.noiseHu()).isCloseTo(12, withPercentage(6));
        assertThat(ct.waterHu()).isCloseTo(0, offset(1.5));
        assertThat(ct.airHu()).isCloseTo(-1000, offset(1.5));
        assertThat(ct.homogeneousTiles()).isGreaterThan(100);
    }

    @Test
    void ctSoftTissueIsNotTakenForWater() {
        List<float[]> slices = Phantoms.ctWaterPhantom(3, 128, 20, 6);
        for (float[] f : slices) {
            for (int i = 0; i < f.length; i++) {
                if (f[i] > -500 && f[i] < 300) {
                    f[i] += 45; // soft tissue instead of water
                }
            }
        }
        QaMetrics.CtStats ct = QaMetrics.ct(slices, 128, 128, 8);
        assertThat(ct.waterHu()).isNull();
        assertThat(ct.noiseHu()).isCloseTo(20, withPercentage(6));
    }

    @Test
    void ctWithoutAirInTheFieldOfView() {
        List<float[]> slices = new ArrayList<>();
        Random rnd = new Random(7);
        float[] f = new float[64 * 64];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (40 + 15 * rnd.nextGaussian());
        }
        slices.add(f);
        QaMetrics.CtStats ct = QaMetrics.ct(slices, 64, 64, 8);
        assertThat(ct.airHu()).isNull();
        assertThat(ct.noiseHu()).isCloseTo(15, withPercentage(10));
    }

    @Test
    void storedValuesBeyondBitsStoredAreCounted() {
        int[] ok = new int[100];
        int[] bad = new int[100];
        Arrays.fill(ok, 100);
        Arrays.fill(bad, 100);
        bad[0] = 4096; // 12-bit unsigned allows 0..4095
        bad[1] = 65535;
        PixelVolume v = PixelVolume.fromStored(10, 10, List.of(ok, bad), 12, false, 1, 0);
        assertThat(QaMetrics.pixelRangeViolation(v)).isEqualTo(2 / 200.0);
        int[] signed = new int[100];
        signed[5] = -2049; // 12-bit signed allows -2048..2047
        signed[6] = -2048;
        PixelVolume s = PixelVolume.fromStored(10, 10, List.of(signed), 12, true, 1, -1024);
        assertThat(QaMetrics.pixelRangeViolation(s)).isEqualTo(1 / 100.0);
        assertThat(s.frame(0)[6]).isEqualTo(-3072f);
    }

    @Test
    void blankAndSaturatedFrames() {
        List<int[]> frames = new ArrayList<>();
        Random rnd = new Random(8);
        for (int i = 0; i < 10; i++) {
            int[] f = new int[400];
            for (int j = 0; j < f.length; j++) {
                f[j] = i < 2 ? 0 : 500 + rnd.nextInt(100);
            }
            if (i == 5) {
                Arrays.fill(f, 0, 40, 4095); // 10 % of the pixels at the 12-bit maximum
            }
            if (i == 6) {
                Arrays.fill(f, 0, 8, 4095); // 2 %: below the 5 % per-frame threshold
            }
            frames.add(f);
        }
        PixelVolume v = PixelVolume.fromStored(20, 20, frames, 12, false, 1, 0);
        assertThat(QaMetrics.blankFrameFraction(v.frames())).isEqualTo(0.2);
        assertThat(QaMetrics.saturatedFrameFraction(v, 0.05)).isEqualTo(0.1);
        assertThat(v.atMax(5)).isEqualTo(40);
        assertThat(v.maxRepresentable()).isEqualTo(4095);
    }

    @Test
    void otsuSeparatesTwoLevels() {
        float[] f = new float[100];
        Arrays.fill(f, 0, 50, 10f);
        Arrays.fill(f, 50, 100, 200f);
        double t = QaMetrics.otsuThreshold(f);
        assertThat(t).isBetween(10.0, 200.0);
        assertThat(QaMetrics.otsuThreshold(new float[] {3, 3, 3})).isNaN();
    }

    @Test
    void centralIndicesStayInTheMiddle() {
        assertThat(QaMetrics.centralIndices(1, 5)).containsExactly(0);
        assertThat(QaMetrics.centralIndices(20, 5)).containsExactly(5, 7, 10, 12, 14);
    }
}
