package org.medlake.cohort.release;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * The release rule of docs/lake-tables.md, in one place. Pure: no I/O.
 *
 * <p>A series is <em>released</em> (searchable, listed, downloadable) iff it has a {@code series_curation} row and
 * either its {@code deid_status} is not {@code FAIL}, or its latest {@code deid_overrides} row (by {@code at})
 * with the same {@code input_fingerprint} as the curation row has {@code action = OVERRIDE}. Never-curated series
 * are not released. Overrides recorded for an older fingerprint do not count: the series changed since a human
 * looked at it. On equal {@code at}, a {@code REVOKE} wins (the conservative choice).
 */
public final class ReleasePolicy {
    private ReleasePolicy() {}

    /** {@code deid_status} value that blocks release. */
    public static final String FAIL = "FAIL";
    /** {@code action} that releases a failed series. */
    public static final String OVERRIDE = "OVERRIDE";
    /** {@code action} that withdraws an earlier override. */
    public static final String REVOKE = "REVOKE";

    /** The columns of a {@code series_curation} row the rule needs. */
    public record Curation(String seriesInstanceUid, String deidStatus, String inputFingerprint) {
        public Curation {
            Objects.requireNonNull(seriesInstanceUid, "seriesInstanceUid");
        }
    }

    /** The columns of a {@code deid_overrides} row the rule needs. */
    public record Override(String seriesInstanceUid, String inputFingerprint, String action, Instant at) {}

    /** Why a series is or is not released. */
    public enum Outcome {
        /** Curated and the de-identification check did not fail. */
        RELEASED,
        /** De-identification FAIL, released by a project admin's override for the current fingerprint. */
        RELEASED_BY_OVERRIDE,
        /** No {@code series_curation} row. */
        NOT_CURATED,
        /** De-identification FAIL without an effective override. */
        DEID_FAIL;

        /** True for the released outcomes. */
        public boolean released() {
            return this == RELEASED || this == RELEASED_BY_OVERRIDE;
        }

        /** True when the series is released only thanks to an override. */
        public boolean byOverride() {
            return this == RELEASED_BY_OVERRIDE;
        }
    }

    /**
     * Applies the rule.
     *
     * @param curation  the series' curation row, or null if it was never curated
     * @param overrides override rows; rows of other series are ignored, order does not matter
     */
    public static Outcome decide(Curation curation, Collection<Override> overrides) {
        if (curation == null) {
            return Outcome.NOT_CURATED;
        }
        if (!FAIL.equals(curation.deidStatus())) {
            return Outcome.RELEASED;
        }
        Optional<Override> latest = latestFor(curation, overrides);
        return latest.isPresent() && OVERRIDE.equals(latest.get().action()) ? Outcome.RELEASED_BY_OVERRIDE : Outcome.DEID_FAIL;
    }

    /** The latest override row of the curation row's series and fingerprint (REVOKE wins ties), if any. */
    public static Optional<Override> latestFor(Curation curation, Collection<Override> overrides) {
        Comparator<Override> order = Comparator.comparing(Override::at, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(o -> REVOKE.equals(o.action()));
        return overrides.stream()
                .filter(o -> curation.seriesInstanceUid().equals(o.seriesInstanceUid()))
                // a null fingerprint identifies nothing: no override can hold for it
                .filter(o -> curation.inputFingerprint() != null && curation.inputFingerprint().equals(o.inputFingerprint()))
                .max(order);
    }
}
