package org.medlake.cohort.cohorts;

import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;

/**
 * Names and schemas of the cohort tables (docs/lake-tables.md, "Cohort tables"). All three are append-only: rows
 * are never updated or deleted, which is what makes frozen versions immutable.
 */
public final class CohortTables {
    private CohortTables() {}

    /** One row per cohort (a named query of a project). */
    public static final String COHORTS = "cohorts";
    /** One row per frozen version of a cohort. */
    public static final String COHORT_VERSIONS = "cohort_versions";
    /** One row per member instance of a frozen version, keyed by the version's {@code freeze_id}. */
    public static final String COHORT_MEMBERS = "cohort_members";

    public static final String COHORT_ID = "cohort_id";
    public static final String PROJECT = "project";
    public static final String NAME = "name";
    public static final String DESCRIPTION = "description";
    public static final String QUERY = "query";
    public static final String CREATED_BY = "created_by";
    public static final String CREATED_AT = "created_at";

    public static final String VERSION = "version";
    public static final String FREEZE_ID = "freeze_id";
    public static final String INSTANCES_VERSION = "instances_table_version";
    public static final String SERIES_CURATION_VERSION = "series_curation_table_version";
    public static final String DEID_OVERRIDES_VERSION = "deid_overrides_table_version";
    public static final String CODE_VERSIONS = "code_versions";
    public static final String SERIES_COUNT = "series_count";
    public static final String INSTANCE_COUNT = "instance_count";
    public static final String SIZE_BYTES = "size_bytes";
    public static final String MEMBERS_SHA256 = "members_sha256";
    public static final String FROZEN_BY = "frozen_by";
    public static final String FROZEN_AT = "frozen_at";

    public static final String SERIES_INSTANCE_UID = "series_instance_uid";
    public static final String STUDY_INSTANCE_UID = "study_instance_uid";
    public static final String SOP_INSTANCE_UID = "sop_instance_uid";
    public static final String SHA256 = "sha256";
    public static final String LOCATION = "location";
    public static final String CODE_VERSION = "code_version";

    /** Schema of {@value #COHORTS}. */
    public static final StructType COHORTS_SCHEMA = new StructType()
            .add(COHORT_ID, StringType.STRING, false)
            .add(PROJECT, StringType.STRING, false)
            .add(NAME, StringType.STRING, false)
            .add(DESCRIPTION, StringType.STRING, true)
            .add(QUERY, StringType.STRING, false)
            .add(CREATED_BY, StringType.STRING, false)
            .add(CREATED_AT, TimestampType.TIMESTAMP, false);

    /** Schema of {@value #COHORT_VERSIONS}. */
    public static final StructType VERSIONS_SCHEMA = new StructType()
            .add(COHORT_ID, StringType.STRING, false)
            .add(PROJECT, StringType.STRING, false)
            .add(VERSION, IntegerType.INTEGER, false)
            .add(FREEZE_ID, StringType.STRING, false)
            .add(QUERY, StringType.STRING, false)
            .add(INSTANCES_VERSION, LongType.LONG, false)
            .add(SERIES_CURATION_VERSION, LongType.LONG, false)
            .add(DEID_OVERRIDES_VERSION, LongType.LONG, false)
            .add(CODE_VERSIONS, new ArrayType(StringType.STRING, true), false)
            .add(SERIES_COUNT, IntegerType.INTEGER, false)
            .add(INSTANCE_COUNT, LongType.LONG, false)
            .add(SIZE_BYTES, LongType.LONG, false)
            .add(MEMBERS_SHA256, StringType.STRING, false)
            .add(FROZEN_BY, StringType.STRING, false)
            .add(FROZEN_AT, TimestampType.TIMESTAMP, false);

    /** Schema of {@value #COHORT_MEMBERS}. */
    public static final StructType MEMBERS_SCHEMA = new StructType()
            .add(FREEZE_ID, StringType.STRING, false)
            .add(COHORT_ID, StringType.STRING, false)
            .add(PROJECT, StringType.STRING, false)
            .add(SERIES_INSTANCE_UID, StringType.STRING, false)
            .add(STUDY_INSTANCE_UID, StringType.STRING, true)
            .add(SOP_INSTANCE_UID, StringType.STRING, false)
            .add(SHA256, StringType.STRING, false)
            .add(SIZE_BYTES, LongType.LONG, false)
            .add(LOCATION, StringType.STRING, false)
            .add(CODE_VERSION, StringType.STRING, true);
}
