package org.medlake.ingest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.medlake.dicom.InstanceHeader;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.Instances;

/**
 * The columns of the ingest tables ({@code instances}, {@code quarantine}, {@code ingest_runs}) in contract order,
 * with their Java value types, independent of any engine: {@link LakeSchemas} derives the Spark schema from them and {@link LocalIngestJob} the Delta Kernel schema,
 * so both engines write the same table.
 *
 * <p>Values are plain Java objects: {@link String}, {@link Integer}, {@link Long}, {@link Double},
 * {@link java.time.LocalDate}, {@link List} (of the element type) and {@link Instant} for the ingest time.
 */
final class InstanceColumns {
    /** One column: its name, Java type, element type for lists (else null), and whether it is NOT NULL. */
    record Column(String name, Class<?> type, Class<?> elementType, boolean required) {}

    /** Every column, in table order. */
    static final List<Column> ALL;

    /** The {@code quarantine} table's columns, in table order (all nullable). */
    static final List<Column> QUARANTINE = List.of(
            opt(Tables.Quarantine.SOURCE_URI, String.class), opt(Tables.Quarantine.SIZE_BYTES, Long.class),
            opt(Tables.Quarantine.SHA256, String.class), opt(Tables.Quarantine.REASON, String.class),
            opt(Tables.Quarantine.DETAIL, String.class), opt(Tables.Quarantine.SOP_INSTANCE_UID, String.class),
            opt(Tables.Quarantine.PROJECT, String.class), opt(Tables.Quarantine.RUN_ID, String.class),
            opt(Tables.Quarantine.QUARANTINED_AT, Instant.class));

    /** The {@code ingest_runs} table's columns, in table order (all nullable). */
    static final List<Column> INGEST_RUNS = List.of(
            opt(Tables.IngestRuns.RUN_ID, String.class), new Column(Tables.IngestRuns.SOURCES, List.class, String.class, false),
            opt(Tables.IngestRuns.PROJECT, String.class), opt(Tables.IngestRuns.SITE, String.class),
            opt(Tables.IngestRuns.USER, String.class), opt(Tables.IngestRuns.STARTED_AT, Instant.class),
            opt(Tables.IngestRuns.FINISHED_AT, Instant.class), opt(Tables.IngestRuns.STATUS, String.class),
            opt(Tables.IngestRuns.FILES_SEEN, Long.class), opt(Tables.IngestRuns.INSTANCES_ADDED, Long.class),
            opt(Tables.IngestRuns.INSTANCES_EXISTING, Long.class), opt(Tables.IngestRuns.QUARANTINED, Long.class),
            opt(Tables.IngestRuns.NOT_DICOM, Long.class), opt(Tables.IngestRuns.CONFLICTS, Long.class),
            opt(Tables.IngestRuns.SERIES, Long.class), opt(Tables.IngestRuns.STUDIES, Long.class));

    private static Column opt(String name, Class<?> type) {
        return new Column(name, type, null, false);
    }
    private static final Map<String, Integer> INDEX = new HashMap<>();

    static {
        List<Column> cols = new ArrayList<>();
        for (InstanceHeader.Column c : InstanceHeader.COLUMNS) {
            boolean required = c.name().equals(Instances.SOP_INSTANCE_UID) || c.name().equals(Instances.SERIES_INSTANCE_UID)
                    || c.name().equals(Instances.STUDY_INSTANCE_UID);
            cols.add(new Column(c.name(), c.type(), c.elementType(), required));
        }
        cols.add(new Column(Instances.HEADER_JSON, String.class, null, false));
        cols.add(new Column(Instances.PROJECT, String.class, null, true));
        cols.add(new Column(Instances.SITE, String.class, null, false));
        cols.add(new Column(Instances.LOCATION, String.class, null, true));
        cols.add(new Column(Instances.SOURCE_URI, String.class, null, true));
        cols.add(new Column(Instances.SIZE_BYTES, Long.class, null, true));
        cols.add(new Column(Instances.SHA256, String.class, null, true));
        cols.add(new Column(Instances.RUN_ID, String.class, null, true));
        cols.add(new Column(Instances.INGESTED_AT, Instant.class, null, true));
        ALL = Collections.unmodifiableList(cols);
        for (int i = 0; i < cols.size(); i++) {
            INDEX.put(cols.get(i).name(), i);
        }
    }

    private InstanceColumns() {}

    /** The position of column {@code name}. */
    static int index(String name) {
        Integer i = INDEX.get(name);
        if (i == null) {
            throw new IllegalArgumentException("no instances column '" + name + "'");
        }
        return i;
    }

    /** The number of columns. */
    static int width() {
        return ALL.size();
    }
}
