package org.medlake.cohort.release;

import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;

/**
 * Names of the curation tables and the columns the read side uses (docs/lake-tables.md, "Curation tables").
 * Defined here until {@code org.medlake.lake.Tables} carries them.
 */
public final class CurationTables {
    private CurationTables() {}

    /** One row per series, written by {@code medlake curate}. */
    public static final String SERIES_CURATION = "series_curation";
    /** Append-only de-identification overrides, written by the REST API. */
    public static final String DEID_OVERRIDES = "deid_overrides";

    /** Columns of {@value #SERIES_CURATION} read by the indexer and the server. */
    public static final class SeriesCuration {
        private SeriesCuration() {}

        public static final String SERIES_INSTANCE_UID = "series_instance_uid";
        public static final String PROJECT = "project";
        public static final String INPUT_FINGERPRINT = "input_fingerprint";
        public static final String DEID_STATUS = "deid_status";
        public static final String COMPLETENESS_STATUS = "completeness_status";
        public static final String SERIES_TYPE = "series_type";
        public static final String SERIES_TYPE_CONFIDENCE = "series_type_confidence";
        public static final String CLASSIFICATION_ATTRIBUTES = "classification_attributes";
        public static final String QA_STATUS = "qa_status";
    }

    /** Columns of {@value #DEID_OVERRIDES}. */
    public static final class DeidOverrides {
        private DeidOverrides() {}

        public static final String OVERRIDE_ID = "override_id";
        public static final String SERIES_INSTANCE_UID = "series_instance_uid";
        public static final String PROJECT = "project";
        public static final String INPUT_FINGERPRINT = "input_fingerprint";
        public static final String ACTION = "action";
        public static final String REASON = "reason";
        public static final String USER = "user";
        public static final String AT = "at";

        /** The table schema of docs/lake-tables.md; used when the API creates the table. */
        public static final StructType SCHEMA = new StructType()
                .add(OVERRIDE_ID, StringType.STRING, false)
                .add(SERIES_INSTANCE_UID, StringType.STRING, false)
                .add(PROJECT, StringType.STRING, true)
                .add(INPUT_FINGERPRINT, StringType.STRING, true)
                .add(ACTION, StringType.STRING, false)
                .add(REASON, StringType.STRING, false)
                .add(USER, StringType.STRING, false)
                .add(AT, TimestampType.TIMESTAMP, false);
    }
}
