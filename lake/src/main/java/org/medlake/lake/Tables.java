package org.medlake.lake;

/**
 * Names of the lake's Delta tables and of their columns. The schemas are documented in {@code docs/lake-tables.md};
 * writers create them, readers rely on these names.
 */
public final class Tables {
    private Tables() {}

    /** One row per SOP instance. */
    public static final String INSTANCES = "instances";
    /** One row per file that could not be accepted, with a reason code. */
    public static final String QUARANTINE = "quarantine";
    /** One row per ingest run with its accounting. */
    public static final String INGEST_RUNS = "ingest_runs";

    /** Columns of {@link #INSTANCES}. */
    public static final class Instances {
        private Instances() {}
        public static final String SOP_INSTANCE_UID = "sop_instance_uid";
        public static final String SERIES_INSTANCE_UID = "series_instance_uid";
        public static final String STUDY_INSTANCE_UID = "study_instance_uid";
        public static final String SOP_CLASS_UID = "sop_class_uid";
        public static final String TRANSFER_SYNTAX_UID = "transfer_syntax_uid";
        public static final String PATIENT_ID = "patient_id";
        public static final String PATIENT_SEX = "patient_sex";
        public static final String PATIENT_AGE_YEARS = "patient_age_years";
        public static final String STUDY_DATE = "study_date";
        public static final String STUDY_DESCRIPTION = "study_description";
        public static final String SERIES_DESCRIPTION = "series_description";
        public static final String SERIES_NUMBER = "series_number";
        public static final String INSTANCE_NUMBER = "instance_number";
        public static final String MODALITY = "modality";
        public static final String BODY_PART_EXAMINED = "body_part_examined";
        public static final String MANUFACTURER = "manufacturer";
        public static final String ROWS = "rows";
        public static final String COLUMNS = "columns";
        public static final String PROJECT = "project";
        public static final String SITE = "site";
        /** Lake-relative object key, or an absolute URI for files registered in place. */
        public static final String LOCATION = "location";
        public static final String SOURCE_URI = "source_uri";
        public static final String SIZE_BYTES = "size_bytes";
        public static final String SHA256 = "sha256";
        public static final String RUN_ID = "run_id";
        public static final String INGESTED_AT = "ingested_at";
    }

    /** Columns of {@link #QUARANTINE}. */
    public static final class Quarantine {
        private Quarantine() {}
        public static final String SOURCE_URI = "source_uri";
        public static final String SIZE_BYTES = "size_bytes";
        public static final String SHA256 = "sha256";
        public static final String REASON = "reason";
        public static final String DETAIL = "detail";
        public static final String SOP_INSTANCE_UID = "sop_instance_uid";
        public static final String PROJECT = "project";
        public static final String RUN_ID = "run_id";
        public static final String QUARANTINED_AT = "quarantined_at";
    }

    /** Columns of {@link #INGEST_RUNS}. */
    public static final class IngestRuns {
        private IngestRuns() {}
        public static final String RUN_ID = "run_id";
        /** ARRAY&lt;STRING&gt; of the source URIs given to the run. */
        public static final String SOURCES = "sources";
        public static final String PROJECT = "project";
        public static final String SITE = "site";
        public static final String USER = "user";
        public static final String STARTED_AT = "started_at";
        public static final String FINISHED_AT = "finished_at";
        public static final String STATUS = "status";
        public static final String FILES_SEEN = "files_seen";
        public static final String INSTANCES_ADDED = "instances_added";
        public static final String DUPLICATES = "duplicates";
        public static final String QUARANTINED = "quarantined";
        public static final String NOT_DICOM = "not_dicom";
    }
}
