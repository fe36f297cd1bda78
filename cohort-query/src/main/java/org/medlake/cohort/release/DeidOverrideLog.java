package org.medlake.cohort.release;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.medlake.cohort.delta.DeltaTableAppender;
import org.medlake.cohort.release.CurationTables.DeidOverrides;
import org.medlake.lake.LakeLayout;

/**
 * Appends rows to the lake's append-only {@code deid_overrides} Delta table (created with
 * {@link DeidOverrides#SCHEMA} on first use). The table is the durable record of who released or withdrew a
 * failed series, when, why, and for which {@code input_fingerprint}.
 */
public final class DeidOverrideLog {
    /** One {@code deid_overrides} row. {@code at} is truncated to microseconds (Delta TIMESTAMP precision). */
    public record Entry(String overrideId, String seriesInstanceUid, String project, String inputFingerprint,
                        String action, String reason, String user, Instant at) {
        public Entry {
            Objects.requireNonNull(overrideId, "overrideId");
            Objects.requireNonNull(seriesInstanceUid, "seriesInstanceUid");
            if (!ReleasePolicy.OVERRIDE.equals(action) && !ReleasePolicy.REVOKE.equals(action)) {
                throw new IllegalArgumentException("action must be OVERRIDE or REVOKE but was " + action);
            }
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(user, "user");
            at = Objects.requireNonNull(at, "at").truncatedTo(ChronoUnit.MICROS);
        }

        /** The row, keyed by column name. */
        public Map<String, Object> row() {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put(DeidOverrides.OVERRIDE_ID, overrideId);
            r.put(DeidOverrides.SERIES_INSTANCE_UID, seriesInstanceUid);
            r.put(DeidOverrides.PROJECT, project);
            r.put(DeidOverrides.INPUT_FINGERPRINT, inputFingerprint);
            r.put(DeidOverrides.ACTION, action);
            r.put(DeidOverrides.REASON, reason);
            r.put(DeidOverrides.USER, user);
            r.put(DeidOverrides.AT, at);
            return r;
        }
    }

    private final LakeLayout lake;
    private final DeltaTableAppender appender;

    public DeidOverrideLog(LakeLayout lake, DeltaTableAppender appender) {
        this.lake = Objects.requireNonNull(lake);
        this.appender = Objects.requireNonNull(appender);
    }

    /**
     * Appends one entry in its own commit.
     *
     * @return the committed table version
     * @throws org.medlake.cohort.CohortException EXTERNAL if the table cannot be written
     */
    public long append(Entry entry) {
        return appender.append(lake.table(CurationTables.DEID_OVERRIDES), DeidOverrides.SCHEMA, List.of(entry.row()));
    }
}
