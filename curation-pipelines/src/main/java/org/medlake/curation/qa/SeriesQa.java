package org.medlake.curation.qa;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;

/**
 * Computes the QA metrics of one series and judges them with {@link QaThresholds}.
 *
 * <p>Metrics by modality (formulas on {@link QaMetrics}):
 * <ul>
 *   <li>all: {@code pixel_range_violation}, {@code blank_frame_fraction}, {@code saturated_frame_fraction};</li>
 *   <li>MR: {@code mr_snr} on the first volume; for EPI series (series type EPI, BOLD, FMRI or DWI)
 *       {@code epi_ghost_ratio} on the temporal mean of the slices; for BOLD/fMRI with at least 4 volumes
 *       {@code tsnr};</li>
 *   <li>CT: {@code ct_noise_hu}, {@code ct_air_hu}, {@code ct_water_hu} on the first volume.</li>
 * </ul>
 */
public final class SeriesQa {
    /** Series types for which EPI metrics are computed. */
    public static final List<String> EPI_TYPES = List.of("EPI", "BOLD", "FMRI", "DWI");
    private static final List<String> BOLD_TYPES = List.of("BOLD", "FMRI");

    /**
     * How the frames of a {@link PixelVolume} are organised.
     *
     * @param volumes number of volumes; the frames are volume-major (all slices of volume 0, then volume 1, ...)
     * @param phaseEncodingDirection InPlanePhaseEncodingDirection, "ROW" or "COL", or null when unknown (then the
     *     larger of the two ghosting ratios is reported)
     * @param pixelSpacingMm in-plane pixel spacing (row spacing) in mm, or null; sets the CT tile size (~6 mm)
     */
    public record Layout(int volumes, String phaseEncodingDirection, Double pixelSpacingMm) {
        /** One volume, nothing else known. */
        public static Layout single() {
            return new Layout(1, null, null);
        }
    }

    private final QaThresholds thresholds;

    public SeriesQa(QaThresholds thresholds) {
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
    }

    /**
     * Evaluates a series.
     *
     * @param modality DICOM Modality (CT, MR, ...); other modalities get the all-modality metrics only
     * @param seriesType optional hint: EPI, BOLD, FMRI, DWI (case-insensitive), or null
     * @throws CurationException CURATION_BAD_ARGUMENT when the frame count is not a multiple of the volumes
     */
    public QaResult evaluate(String modality, String seriesType, PixelVolume volume, Layout layout) {
        Objects.requireNonNull(volume, "volume");
        Layout l = layout == null ? Layout.single() : layout;
        int volumes = Math.max(1, l.volumes());
        if (volume.frameCount() % volumes != 0) {
            throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, volume.frameCount() + " frames cannot form "
                    + volumes + " equal volumes. Cause: a caller bug or an incomplete series. Fix: pass volumes = 1 "
                    + "for incomplete multi-volume series.");
        }
        String mod = modality == null ? "" : modality.toUpperCase(Locale.ROOT);
        String type = seriesType == null ? "" : seriesType.toUpperCase(Locale.ROOT);
        int rows = volume.rows(), cols = volume.columns();
        int perVolume = volume.frameCount() / volumes;
        List<float[]> first = volume.frames().subList(0, perVolume);
        List<Metric> metrics = new ArrayList<>();

        metrics.add(metric(mod, "pixel_range_violation", QaMetrics.pixelRangeViolation(volume), "fraction",
                "pixel_range_v1", rangeNote(volume)));
        metrics.add(metric(mod, "blank_frame_fraction", QaMetrics.blankFrameFraction(volume.frames()), "fraction",
                "blank_frames_v1", null));
        double satFraction = thresholds.parameter("saturation_pixel_fraction", 0.05);
        metrics.add(metric(mod, "saturated_frame_fraction", QaMetrics.saturatedFrameFraction(volume, satFraction),
                "fraction", "saturated_frames_v1", null));

        if (mod.equals("MR")) {
            double snr = QaMetrics.mrSnr(first, rows, cols);
            metrics.add(metric(mod, "mr_snr", snr, "ratio", "mr_snr_v1", Double.isNaN(snr)
                    ? "no usable background: the corners hold signal or are zero-filled" : null));
            if (EPI_TYPES.contains(type)) {
                List<float[]> mean = temporalMean(volume, volumes, perVolume);
                String dir = l.phaseEncodingDirection() == null ? null : l.phaseEncodingDirection().trim().toUpperCase(Locale.ROOT);
                double ghost;
                String note = null;
                if ("COL".equals(dir) || "ROW".equals(dir)) {
                    ghost = QaMetrics.ghostingRatio(mean, rows, cols, "COL".equals(dir));
                } else {
                    ghost = Math.max(QaMetrics.ghostingRatio(mean, rows, cols, true),
                            QaMetrics.ghostingRatio(mean, rows, cols, false));
                    note = "phase-encoding direction unknown: the larger of the row and column ratios";
                }
                metrics.add(metric(mod, "epi_ghost_ratio", ghost, "ratio", "epi_ghost_v1", note));
            }
            if (BOLD_TYPES.contains(type)) {
                double tsnr = volumes >= 4 ? QaMetrics.temporalSnr(asVolumes(volume, volumes, perVolume)) : Double.NaN;
                metrics.add(metric(mod, "tsnr", tsnr, "ratio", "tsnr_v1",
                        volumes < 4 ? "needs at least 4 volumes, found " + volumes : null));
            }
        } else if (mod.equals("CT")) {
            int tile = l.pixelSpacingMm() != null && l.pixelSpacingMm() > 0
                    ? (int) Math.max(4, Math.min(32, Math.round(6 / l.pixelSpacingMm()))) : Math.max(4, cols / 40);
            QaMetrics.CtStats ct = QaMetrics.ct(first, rows, cols, tile);
            metrics.add(metric(mod, "ct_noise_hu", ct.noiseHu(), "HU", "ct_noise_v1", Double.isNaN(ct.noiseHu())
                    ? "fewer than 5 homogeneous soft-tissue tiles" : ct.homogeneousTiles() + " tiles of " + tile + " px"));
            metrics.add(metric(mod, "ct_air_hu", ct.airHu(), "HU", "ct_air_v1",
                    ct.airHu() == null ? "no air region in the field of view" : ct.airTiles() + " tiles"));
            metrics.add(metric(mod, "ct_water_hu", ct.waterHu(), "HU", "ct_water_v1",
                    ct.waterHu() == null ? "no water region (phantom or large fluid area)" : ct.waterTiles() + " tiles"));
        }
        return QaResult.of(metrics, thresholds.version());
    }

    /** A series whose pixels could not be read: one NOT_EVALUATED metric carrying the reason. */
    public QaResult notEvaluated(String why) {
        return QaResult.of(List.of(new Metric("pixels", null, null, QaStatus.NOT_EVALUATED, null, why)),
                thresholds.version());
    }

    private Metric metric(String modality, String name, Double value, String unit, String formula, String note) {
        Double v = value == null || !Double.isFinite(value) ? null : value;
        return new Metric(name, v, unit, thresholds.judge(modality, name, v), formula, note);
    }

    private static String rangeNote(PixelVolume v) {
        return String.format(Locale.ROOT, "stored %d..%d, BitsStored %d %s", v.storedMin(), v.storedMax(),
                v.bitsStored(), v.signed() ? "signed" : "unsigned");
    }

    private static List<float[]> temporalMean(PixelVolume v, int volumes, int perVolume) {
        if (volumes == 1) {
            return v.frames();
        }
        List<float[]> mean = new ArrayList<>();
        for (int s = 0; s < perVolume; s++) {
            float[] m = new float[v.rows() * v.columns()];
            for (int t = 0; t < volumes; t++) {
                float[] f = v.frame(t * perVolume + s);
                for (int i = 0; i < m.length; i++) {
                    m[i] += f[i] / volumes;
                }
            }
            mean.add(m);
        }
        return mean;
    }

    /** Each volume as one array (its slices concatenated), for tSNR. */
    private static List<float[]> asVolumes(PixelVolume v, int volumes, int perVolume) {
        int px = v.rows() * v.columns();
        List<float[]> out = new ArrayList<>();
        for (int t = 0; t < volumes; t++) {
            float[] vol = new float[px * perVolume];
            for (int s = 0; s < perVolume; s++) {
                System.arraycopy(v.frame(t * perVolume + s), 0, vol, s * px, px);
            }
            out.add(vol);
        }
        return out;
    }
}
