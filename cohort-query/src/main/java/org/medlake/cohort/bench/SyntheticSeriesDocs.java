package org.medlake.cohort.bench;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Series documents with realistic value distributions for benchmarks and tests of the search: a modality mix
 * dominated by MR and CT, series types and body parts per modality, manufacturers, ages (roughly normal around 55,
 * a few missing), sexes, MR field strengths, skewed site and project sizes, curation statuses mostly passing, and
 * about 3% unreleased series. Document {@code i} is a pure function of {@code (seed, i)}, so any batch can be made
 * on any thread and the whole set again later. Field names and types follow the series index mapping.
 */
public final class SyntheticSeriesDocs {
    /** Number of projects ({@code proj-00} is the largest); project sizes are Zipf-like. */
    public static final int PROJECTS = 30;
    /** Number of sites. */
    public static final int SITES = 20;

    private final long seed;

    public SyntheticSeriesDocs(long seed) {
        this.seed = seed;
    }

    private static final List<String> PROJECT_NAMES = names("proj-%02d", PROJECTS);
    private static final List<String> SITE_NAMES = names("site-%02d", SITES);

    private static List<String> names(String format, int n) {
        List<String> out = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            out.add(String.format(format, p));
        }
        return List.copyOf(out);
    }

    /** The project names, largest first. */
    public static List<String> projects() {
        return PROJECT_NAMES;
    }

    /** Documents {@code from} (inclusive) to {@code to} (exclusive). */
    public List<Map<String, Object>> range(long from, long to) {
        List<Map<String, Object>> out = new ArrayList<>((int) (to - from));
        for (long i = from; i < to; i++) {
            out.add(doc(i));
        }
        return out;
    }

    /** Document number {@code i}. */
    public Map<String, Object> doc(long i) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
        Map<String, Object> d = new LinkedHashMap<>();
        long patient = r.nextLong(Math.max(1, i / 4 + 1));
        String series = "1.2.826.0.1.3680043.10.543." + i;
        d.put("series_instance_uid", series);
        d.put("study_instance_uid", "1.2.826.0.1.3680043.10.544." + (i / 3));
        d.put("patient_id", "PAT" + patient);
        String modality = pick(r, MODALITIES, MODALITY_WEIGHTS);
        d.put("modality", modality);
        d.put("project", PROJECT_NAMES.get(zipf(r, PROJECTS)));
        d.put("site", SITE_NAMES.get(zipf(r, SITES)));
        String type = seriesType(r, modality);
        String body = bodyPart(r, modality);
        d.put("series_description", description(r, modality, type, body));
        d.put("study_description", modality + " " + (body == null ? "EXAM" : body));
        d.put("study_date", LocalDate.of(2010, 1, 1).plusDays(r.nextInt(16 * 365)).toString());
        if (body != null) {
            d.put("body_part_examined", body);
        }
        d.put("manufacturer", pick(r, MANUFACTURERS, MANUFACTURER_WEIGHTS));
        if (r.nextInt(100) > 0) {
            d.put("patient_sex", pick(r, SEXES, SEX_WEIGHTS));
        }
        if (r.nextInt(50) > 0) {
            d.put("patient_age_years", (int) Math.max(0, Math.min(100, Math.round(55 + 18 * r.nextGaussian()))));
        }
        if (modality.equals("MR")) {
            d.put("magnetic_field_strength", pickDouble(r, FIELD_STRENGTHS, FIELD_STRENGTH_WEIGHTS));
        }
        d.put("series_number", 1 + r.nextInt(20));
        int instances = switch (modality) {
            case "MR" -> 20 + r.nextInt(180);
            case "CT" -> 50 + r.nextInt(550);
            case "PT" -> 100 + r.nextInt(300);
            case "US" -> 1 + r.nextInt(40);
            default -> 1 + r.nextInt(2);
        };
        d.put("instance_count", instances);
        d.put("size_bytes", (long) instances * (modality.equals("CT") ? 525_000L : 140_000L));
        d.put("sop_class_uid", SOP_CLASSES.getOrDefault(modality, "1.2.840.10008.5.1.4.1.1.7"));
        d.put("series_type", type);
        d.put("series_type_confidence", Math.round((0.6 + 0.4 * r.nextDouble()) * 100) / 100.0);
        String deid = pick(r, new String[] {"PASS", "REVIEW", "FAIL"}, new int[] {95, 4, 1});
        d.put("deid_status", deid);
        d.put("completeness_status", pick(r, new String[] {"COMPLETE", "INCOMPLETE", "INCONSISTENT"}, new int[] {90, 8, 2}));
        d.put("qa_status", pick(r, new String[] {"PASS", "WARN", "FAIL"}, new int[] {85, 12, 3}));
        boolean override = deid.equals("FAIL") && r.nextInt(3) == 0;
        d.put("released", !deid.equals("FAIL") || override);
        d.put("deid_override", override);
        org.medlake.cohort.search.Facets.addBucketFields(d);
        return d;
    }

    static final String[] MODALITIES = {"MR", "CT", "DX", "CR", "US", "PT", "MG", "XA"};
    static final int[] MODALITY_WEIGHTS = {40, 33, 7, 4, 6, 4, 4, 2};
    static final String[] MANUFACTURERS = {"SIEMENS", "GE MEDICAL SYSTEMS", "Philips", "Canon Medical Systems", "FUJIFILM", "Hologic"};
    static final int[] MANUFACTURER_WEIGHTS = {35, 30, 24, 7, 3, 1};
    static final String[] SEXES = {"F", "M", "O"};
    static final int[] SEX_WEIGHTS = {50, 49, 1};
    static final double[] FIELD_STRENGTHS = {0.5, 1.0, 1.5, 3.0, 7.0};
    static final int[] FIELD_STRENGTH_WEIGHTS = {2, 3, 45, 48, 2};
    private static final Map<String, String> SOP_CLASSES = Map.of("MR", "1.2.840.10008.5.1.4.1.1.4", "CT",
            "1.2.840.10008.5.1.4.1.1.2", "DX", "1.2.840.10008.5.1.4.1.1.1.1", "CR", "1.2.840.10008.5.1.4.1.1.1",
            "US", "1.2.840.10008.5.1.4.1.1.6.1", "PT", "1.2.840.10008.5.1.4.1.1.128", "MG", "1.2.840.10008.5.1.4.1.1.1.2");

    private static String seriesType(SplittableRandom r, String modality) {
        return switch (modality) {
            case "MR" -> pick(r, new String[] {"T1W", "T2W", "FLAIR", "DWI", "BOLD", "SWI", "PD", "LOCALIZER"},
                    new int[] {22, 22, 14, 14, 8, 5, 5, 10});
            case "CT" -> pick(r, new String[] {"STANDARD", "CONTRAST", "LOW_DOSE", "LOCALIZER"}, new int[] {50, 25, 15, 10});
            case "DX", "CR" -> pick(r, new String[] {"PA", "AP", "LATERAL"}, new int[] {45, 30, 25});
            case "MG" -> pick(r, new String[] {"CC", "MLO"}, new int[] {50, 50});
            default -> "OTHER";
        };
    }

    private static String bodyPart(SplittableRandom r, String modality) {
        if (r.nextInt(25) == 0) {
            return null;
        }
        return switch (modality) {
            case "MR" -> pick(r, new String[] {"BRAIN", "SPINE", "KNEE", "ABDOMEN", "PROSTATE", "HEART", "BREAST"},
                    new int[] {45, 15, 10, 10, 6, 8, 6});
            case "CT" -> pick(r, new String[] {"CHEST", "ABDOMEN", "HEAD", "PELVIS", "NECK"}, new int[] {38, 28, 20, 9, 5});
            case "DX", "CR" -> pick(r, new String[] {"CHEST", "HAND", "KNEE", "SPINE"}, new int[] {70, 10, 10, 10});
            case "MG" -> "BREAST";
            case "US" -> pick(r, new String[] {"ABDOMEN", "HEART", "NECK"}, new int[] {60, 25, 15});
            case "PT" -> "WHOLEBODY";
            default -> "HEART";
        };
    }

    private static String description(SplittableRandom r, String modality, String type, String body) {
        String plane = pick(r, new String[] {"AX", "SAG", "COR"}, new int[] {60, 25, 15});
        return plane + " " + type.replace('_', ' ') + " " + (body == null ? modality : body)
                + (r.nextInt(5) == 0 ? " post contrast" : "");
    }

    /** A 0-based rank with probability roughly proportional to 1/(rank+1). */
    static int zipf(SplittableRandom r, int n) {
        double h = n == PROJECTS ? H_PROJECTS : n == SITES ? H_SITES : harmonic(n);
        double u = r.nextDouble() * h;
        for (int k = 1; k <= n; k++) {
            u -= 1.0 / k;
            if (u <= 0) {
                return k - 1;
            }
        }
        return n - 1;
    }

    private static final double H_PROJECTS = harmonic(PROJECTS);
    private static final double H_SITES = harmonic(SITES);

    private static double harmonic(int n) {
        double h = 0;
        for (int k = 1; k <= n; k++) {
            h += 1.0 / k;
        }
        return h;
    }

    static String pick(SplittableRandom r, String[] values, int[] weights) {
        return values[weighted(r, weights)];
    }

    static double pickDouble(SplittableRandom r, double[] values, int[] weights) {
        return values[weighted(r, weights)];
    }

    private static int weighted(SplittableRandom r, int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int u = r.nextInt(total);
        for (int k = 0; k < weights.length; k++) {
            u -= weights[k];
            if (u < 0) {
                return k;
            }
        }
        return weights.length - 1;
    }
}
