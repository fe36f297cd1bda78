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
    /** One row per series, aggregated from {@link #INSTANCES} after every ingest. */
    public static final String SERIES = "series";
    /** One row per study, aggregated from {@link #INSTANCES} after every ingest. */
    public static final String STUDIES = "studies";

    /** One row per curated series: de-identification, completeness, classification and QA (see docs/lake-tables.md). */
    public static final String SERIES_CURATION = "series_curation";
    /** One row per study: the worst curation statuses of its series. */
    public static final String STUDY_CURATION = "study_curation";
    /** One row per de-identification finding. */
    public static final String DEID_FINDINGS = "deid_findings";
    /** One row per series and QA metric. */
    public static final String QA_METRICS = "qa_metrics";
    /** One row per curation action. */
    public static final String CURATION_LOG = "curation_log";
    /** Append-only project-admin releases of series that failed the de-identification check. */
    public static final String DEID_OVERRIDES = "deid_overrides";
    /**
     * Append-only, hash-chained audit trail of the REST API (written by the server, one row per request that reads
     * or changes data; see docs/lake-tables.md "audit_log").
     */
    public static final String AUDIT_LOG = "audit_log";
    /** One row per series and NIfTI output (or one row saying why a series has none), written by curation. */
    public static final String NIFTI = "nifti";

    /** Columns of {@link #NIFTI}. */
    public static final class Nifti {
        private Nifti() {}
        public static final String SERIES_INSTANCE_UID = "series_instance_uid";
        public static final String STUDY_INSTANCE_UID = "study_instance_uid";
        public static final String PROJECT = "project";
        /** CONVERTED, FAILED (see reason) or NOT_IMAGE (nothing to convert, e.g. SR or RT structure sets). */
        public static final String STATUS = "status";
        public static final String REASON = "reason";
        /** 0.. within the series; a series can give several volumes (e.g. one per echo). */
        public static final String OUTPUT_INDEX = "output_index";
        public static final String NAME = "name";
        /** Lake-relative {@code .nii.gz}, under {@code derived/nifti/}. */
        public static final String LOCATION = "location";
        public static final String SIDECAR_LOCATION = "sidecar_location";
        public static final String BVAL_LOCATION = "bval_location";
        public static final String BVEC_LOCATION = "bvec_location";
        public static final String SHA256 = "sha256";
        public static final String SIZE_BYTES = "size_bytes";
        public static final String DIMS = "dims";
        public static final String PIXDIM = "pixdim";
        public static final String INPUT_SOP_INSTANCE_UIDS = "input_sop_instance_uids";
        public static final String INPUT_FINGERPRINT = "input_fingerprint";
        public static final String CONVERTER_VERSION = "converter_version";
        public static final String CURATION_RUN_ID = "curation_run_id";
        public static final String CONVERTED_AT = "converted_at";
    }

    /** Columns of {@link #SERIES_CURATION}. */
    public static final class SeriesCuration {
        private SeriesCuration() {}
        public static final String SERIES_INSTANCE_UID = "series_instance_uid";
        public static final String STUDY_INSTANCE_UID = "study_instance_uid";
        public static final String PROJECT = "project";
        public static final String MODALITY = "modality";
        public static final String INSTANCE_COUNT = "instance_count";
        public static final String INPUT_FINGERPRINT = "input_fingerprint";
        public static final String DEID_STATUS = "deid_status";
        public static final String DEID_FAIL_INSTANCES = "deid_fail_instances";
        public static final String DEID_REVIEW_INSTANCES = "deid_review_instances";
        public static final String DEID_RULES = "deid_rules";
        public static final String COMPLETENESS_STATUS = "completeness_status";
        public static final String COMPLETENESS_REASONS = "completeness_reasons";
        public static final String SERIES_TYPE = "series_type";
        public static final String SERIES_TYPE_CONFIDENCE = "series_type_confidence";
        public static final String CLASSIFICATION_EVIDENCE = "classification_evidence";
        public static final String CLASSIFICATION_ATTRIBUTES = "classification_attributes";
        public static final String QA_STATUS = "qa_status";
        public static final String THUMBNAIL = "thumbnail";
        public static final String CURATION_RUN_ID = "curation_run_id";
        public static final String CODE_VERSION = "code_version";
        public static final String CURATED_AT = "curated_at";
    }

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
        // Header attributes beyond the core (types: org.medlake.dicom.InstanceHeader.COLUMNS).
        public static final String STUDY_TIME = "study_time";
        public static final String SERIES_DATE = "series_date";
        public static final String SERIES_TIME = "series_time";
        public static final String ACQUISITION_DATE_TIME = "acquisition_date_time";
        public static final String ACCESSION_NUMBER = "accession_number";
        public static final String STUDY_ID = "study_id";
        public static final String ACQUISITION_NUMBER = "acquisition_number";
        public static final String IMAGE_TYPE = "image_type";
        public static final String PROTOCOL_NAME = "protocol_name";
        public static final String MANUFACTURER_MODEL_NAME = "manufacturer_model_name";
        public static final String STATION_NAME = "station_name";
        public static final String INSTITUTION_NAME = "institution_name";
        public static final String SOFTWARE_VERSIONS = "software_versions";
        public static final String NUMBER_OF_FRAMES = "number_of_frames";
        public static final String PIXEL_SPACING = "pixel_spacing";
        public static final String SLICE_THICKNESS = "slice_thickness";
        public static final String SPACING_BETWEEN_SLICES = "spacing_between_slices";
        public static final String IMAGE_POSITION_PATIENT = "image_position_patient";
        public static final String IMAGE_ORIENTATION_PATIENT = "image_orientation_patient";
        public static final String SLICE_LOCATION = "slice_location";
        public static final String FRAME_OF_REFERENCE_UID = "frame_of_reference_uid";
        public static final String BITS_ALLOCATED = "bits_allocated";
        public static final String BITS_STORED = "bits_stored";
        public static final String PIXEL_REPRESENTATION = "pixel_representation";
        public static final String PHOTOMETRIC_INTERPRETATION = "photometric_interpretation";
        public static final String SAMPLES_PER_PIXEL = "samples_per_pixel";
        public static final String RESCALE_SLOPE = "rescale_slope";
        public static final String RESCALE_INTERCEPT = "rescale_intercept";
        public static final String KVP = "kvp";
        public static final String X_RAY_TUBE_CURRENT = "x_ray_tube_current";
        public static final String EXPOSURE = "exposure";
        public static final String CONVOLUTION_KERNEL = "convolution_kernel";
        public static final String CTDI_VOL = "ctdi_vol";
        public static final String MAGNETIC_FIELD_STRENGTH = "magnetic_field_strength";
        public static final String REPETITION_TIME = "repetition_time";
        public static final String ECHO_TIME = "echo_time";
        public static final String INVERSION_TIME = "inversion_time";
        public static final String FLIP_ANGLE = "flip_angle";
        public static final String SCANNING_SEQUENCE = "scanning_sequence";
        public static final String SEQUENCE_VARIANT = "sequence_variant";
        public static final String SEQUENCE_NAME = "sequence_name";
        public static final String MR_ACQUISITION_TYPE = "mr_acquisition_type";
        public static final String ECHO_TRAIN_LENGTH = "echo_train_length";
        public static final String DIFFUSION_B_VALUE = "diffusion_b_value";
        public static final String DISTANCE_SOURCE_TO_DETECTOR = "distance_source_to_detector";
        public static final String POSITIONER_PRIMARY_ANGLE = "positioner_primary_angle";
        public static final String POSITIONER_SECONDARY_ANGLE = "positioner_secondary_angle";
        public static final String TRANSDUCER_TYPE = "transducer_type";
        public static final String RADIOPHARMACEUTICAL = "radiopharmaceutical";
        public static final String RADIONUCLIDE = "radionuclide";
        public static final String RADIONUCLIDE_TOTAL_DOSE = "radionuclide_total_dose";
        public static final String RADIONUCLIDE_HALF_LIFE = "radionuclide_half_life";
        public static final String UNITS = "units";
        public static final String DECAY_CORRECTION = "decay_correction";
        /** The whole header as DICOM JSON (PS3.18 F.2) without bulk data: {@code InstanceHeader.headerJson()}. */
        public static final String HEADER_JSON = "header_json";
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
        public static final String INSTANCES_EXISTING = "instances_existing";
        public static final String QUARANTINED = "quarantined";
        public static final String NOT_DICOM = "not_dicom";
        public static final String CONFLICTS = "conflicts";
        public static final String SERIES = "series";
        public static final String STUDIES = "studies";
    }
}
