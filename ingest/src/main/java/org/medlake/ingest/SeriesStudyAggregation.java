package org.medlake.ingest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.medlake.lake.Tables.Instances;

/**
 * The {@code series} and {@code studies} aggregates of the {@code instances} table, computed in plain Java with the
 * same columns, types and values as {@link LakeAggregates} computes them with Spark SQL: one row per series (and per
 * study); attributes that should be constant take their smallest non-null value, counts and sizes add up, run ids
 * are the sorted distinct set. Strings compare by code point, as Spark compares UTF-8 bytes.
 */
final class SeriesStudyAggregation {
    /** Series-level attributes copied from the instances (smallest value). */
    static final List<String> SERIES_ATTRIBUTES = List.of(Instances.STUDY_INSTANCE_UID, Instances.PATIENT_ID,
            Instances.PATIENT_SEX, Instances.PATIENT_AGE_YEARS, Instances.STUDY_DATE, Instances.STUDY_DESCRIPTION,
            Instances.SERIES_DESCRIPTION, Instances.SERIES_NUMBER, Instances.MODALITY, Instances.BODY_PART_EXAMINED,
            Instances.MANUFACTURER, Instances.SOP_CLASS_UID, Instances.PROJECT, Instances.SITE);
    /** Study-level attributes (smallest value over the study's series). */
    static final List<String> STUDY_ATTRIBUTES = List.of(Instances.PATIENT_ID, Instances.PATIENT_SEX,
            Instances.PATIENT_AGE_YEARS, Instances.STUDY_DATE, Instances.STUDY_DESCRIPTION, Instances.PROJECT,
            Instances.SITE);

    /** The instance columns the aggregation reads, in the order {@link #aggregate} expects them. */
    static final List<String> INPUT;

    static {
        List<String> in = new ArrayList<>();
        in.add(Instances.SERIES_INSTANCE_UID);
        in.addAll(SERIES_ATTRIBUTES);
        in.add(Instances.INSTANCE_NUMBER);
        in.add(Instances.SIZE_BYTES);
        in.add(Instances.RUN_ID);
        in.add(Instances.SOURCE_URI);
        in.add(Instances.INGESTED_AT);
        INPUT = List.copyOf(in);
    }

    private static final int A = 1; // first series attribute
    private static final int NUM = A + SERIES_ATTRIBUTES.size();
    private static final int SIZE = NUM + 1, RUN = NUM + 2, SOURCE = NUM + 3, AT = NUM + 4;

    /** The two tables: column definitions and rows (arrays in column order, sorted by key). */
    record Result(List<InstanceColumns.Column> seriesColumns, List<Object[]> series,
                  List<InstanceColumns.Column> studyColumns, List<Object[]> studies) {}

    private SeriesStudyAggregation() {}

    /** Column types of the series attributes, from the instances table. */
    private static Class<?> typeOf(String column) {
        return InstanceColumns.ALL.get(InstanceColumns.index(column)).type();
    }

    /** Aggregates instance rows given as arrays in {@link #INPUT} order. */
    static Result aggregate(List<Object[]> instances) {
        Map<String, Object[]> series = new java.util.HashMap<>();
        Map<String, TreeSet<String>> seriesRuns = new LinkedHashMap<>();
        int width = 1 + 1 + SERIES_ATTRIBUTES.size() + 2 + 1 + 1 + 3;
        for (Object[] in : instances) {
            String uid = (String) in[0];
            Object[] s = series.computeIfAbsent(uid, k -> group(k, width));
            s[1] = (Long) s[1] + 1;
            for (int a = 0; a < SERIES_ATTRIBUTES.size(); a++) {
                s[2 + a] = min(s[2 + a], in[A + a]);
            }
            int o = 2 + SERIES_ATTRIBUTES.size();
            s[o] = min(s[o], in[NUM]);
            s[o + 1] = max(s[o + 1], in[NUM]);
            s[o + 2] = in[SIZE] == null ? s[o + 2] : (s[o + 2] == null ? 0L : (Long) s[o + 2]) + ((Number) in[SIZE]).longValue();
            if (in[RUN] != null) {
                seriesRuns.computeIfAbsent(uid, k -> new TreeSet<>(SeriesStudyAggregation::compareStrings)).add((String) in[RUN]);
            }
            s[o + 4] = min(s[o + 4], in[SOURCE]);
            s[o + 5] = min(s[o + 5], in[AT]);
            s[o + 6] = max(s[o + 6], in[AT]);
        }
        int runCol = 2 + SERIES_ATTRIBUTES.size() + 3;
        Map<String, Object[]> sortedSeries = new TreeMap<>(SeriesStudyAggregation::compareStrings);
        sortedSeries.putAll(series);
        series = sortedSeries;
        for (Object[] s : series.values()) {
            TreeSet<String> runs = seriesRuns.get((String) s[0]);
            s[runCol] = runs == null ? List.of() : List.copyOf(runs);
        }

        List<InstanceColumns.Column> seriesColumns = new ArrayList<>();
        seriesColumns.add(opt(Instances.SERIES_INSTANCE_UID, String.class));
        seriesColumns.add(new InstanceColumns.Column("instance_count", Long.class, null, true));
        for (String a : SERIES_ATTRIBUTES) {
            seriesColumns.add(opt(a, typeOf(a)));
        }
        seriesColumns.add(opt("min_instance_number", typeOf(Instances.INSTANCE_NUMBER)));
        seriesColumns.add(opt("max_instance_number", typeOf(Instances.INSTANCE_NUMBER)));
        seriesColumns.add(opt(Instances.SIZE_BYTES, Long.class));
        seriesColumns.add(new InstanceColumns.Column("run_ids", List.class, String.class, false));
        seriesColumns.add(opt("first_source_uri", String.class));
        seriesColumns.add(opt("first_ingested_at", Instant.class));
        seriesColumns.add(opt("last_ingested_at", Instant.class));

        // Studies from the series rows: min of mins, sum of sums, union of sets.
        int studyIdx = 2 + SERIES_ATTRIBUTES.indexOf(Instances.STUDY_INSTANCE_UID);
        int modalityIdx = 2 + SERIES_ATTRIBUTES.indexOf(Instances.MODALITY);
        int sizeIdx = 2 + SERIES_ATTRIBUTES.size() + 2;
        int firstSourceIdx = runCol + 1;
        int lastAtIdx = runCol + 3;
        Map<String, Object[]> studies = new TreeMap<>(Comparator.nullsFirst(SeriesStudyAggregation::compareStrings));
        Map<String, TreeSet<String>> modalities = new LinkedHashMap<>();
        Map<String, TreeSet<String>> studyRuns = new LinkedHashMap<>();
        int sw = 2 + STUDY_ATTRIBUTES.size() + 6;
        for (Object[] s : series.values()) {
            String study = (String) s[studyIdx];
            Object[] t = studies.computeIfAbsent(study, k -> group(k, sw));
            t[1] = (Long) t[1] + 1;
            for (int a = 0; a < STUDY_ATTRIBUTES.size(); a++) {
                t[2 + a] = min(t[2 + a], s[2 + SERIES_ATTRIBUTES.indexOf(STUDY_ATTRIBUTES.get(a))]);
            }
            int o = 2 + STUDY_ATTRIBUTES.size();
            t[o] = (t[o] == null ? 0L : (Long) t[o]) + (Long) s[1];
            TreeSet<String> mods = modalities.computeIfAbsent(study, k -> new TreeSet<>(SeriesStudyAggregation::compareStrings));
            if (s[modalityIdx] != null) {
                mods.add((String) s[modalityIdx]);
            }
            t[o + 2] = s[sizeIdx] == null ? t[o + 2] : (t[o + 2] == null ? 0L : (Long) t[o + 2]) + (Long) s[sizeIdx];
            TreeSet<String> runs = studyRuns.computeIfAbsent(study, k -> new TreeSet<>(SeriesStudyAggregation::compareStrings));
            for (Object r : (List<?>) s[runCol]) {
                runs.add((String) r);
            }
            t[o + 4] = min(t[o + 4], s[firstSourceIdx]);
            t[o + 5] = max(t[o + 5], s[lastAtIdx]);
        }
        int so = 2 + STUDY_ATTRIBUTES.size();
        for (Object[] t : studies.values()) {
            t[so + 1] = List.copyOf(modalities.get((String) t[0]));
            t[so + 3] = List.copyOf(studyRuns.get((String) t[0]));
        }
        List<InstanceColumns.Column> studyColumns = new ArrayList<>();
        studyColumns.add(opt(Instances.STUDY_INSTANCE_UID, String.class));
        studyColumns.add(new InstanceColumns.Column("series_count", Long.class, null, true));
        for (String a : STUDY_ATTRIBUTES) {
            studyColumns.add(opt(a, typeOf(a)));
        }
        studyColumns.add(opt("instance_count", Long.class));
        studyColumns.add(new InstanceColumns.Column("modalities", List.class, String.class, false));
        studyColumns.add(opt(Instances.SIZE_BYTES, Long.class));
        studyColumns.add(new InstanceColumns.Column("run_ids", List.class, String.class, false));
        studyColumns.add(opt("first_source_uri", String.class));
        studyColumns.add(opt("last_ingested_at", Instant.class));
        return new Result(seriesColumns, new ArrayList<>(series.values()), studyColumns, new ArrayList<>(studies.values()));
    }

    /** A new aggregate row: its key, then a count of zero. */
    private static Object[] group(String key, int width) {
        Object[] row = new Object[width];
        row[0] = key;
        row[1] = 0L;
        return row;
    }

    private static InstanceColumns.Column opt(String name, Class<?> type) {
        return new InstanceColumns.Column(name, type, null, false);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object min(Object current, Object v) {
        if (v == null) return current;
        if (current == null) return v;
        return compare(v, current) < 0 ? v : current;
    }

    private static Object max(Object current, Object v) {
        if (v == null) return current;
        if (current == null) return v;
        return compare(v, current) > 0 ? v : current;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        if (a instanceof String x && b instanceof String y) {
            return compareStrings(x, y);
        }
        if (a instanceof Double x && b instanceof Double y) {
            return Double.compare(x, y); // NaN is the largest, as in Spark
        }
        return ((Comparable) a).compareTo(b);
    }

    /** Code point order, which is the UTF-8 byte order Spark uses for strings. */
    static int compareStrings(String a, String b) {
        if (a == b) {
            return 0; // attributes of one series are often one shared string
        }
        int n = Math.min(a.length(), b.length());
        int k = 0;
        while (k < n && a.charAt(k) == b.charAt(k)) {
            k++;
        }
        if (k == n || !Character.isSurrogate(a.charAt(k)) && !Character.isSurrogate(b.charAt(k))) {
            // UTF-16 order equals code point order unless the first difference involves a surrogate
            return k == n ? Integer.compare(a.length(), b.length()) : Integer.compare(a.charAt(k), b.charAt(k));
        }
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
