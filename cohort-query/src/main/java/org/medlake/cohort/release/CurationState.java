package org.medlake.cohort.release;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.release.CurationTables.DeidOverrides;
import org.medlake.cohort.release.CurationTables.SeriesCuration;
import org.medlake.lake.LakeLayout;

/**
 * The curation tables of one lake at given versions: {@code series_curation} rows by series and
 * {@code deid_overrides} rows by series, with the {@link ReleasePolicy} applied per series. Immutable.
 *
 * <p>Either table may be absent (version -1): an absent {@code series_curation} means nothing is curated (so
 * nothing is released), an absent {@code deid_overrides} means no overrides.
 */
public final class CurationState {
    /** A state with no tables: nothing curated, nothing released. */
    public static final CurationState EMPTY = new CurationState(-1, -1, Map.of(), Map.of());

    private final long curationVersion;
    private final long overridesVersion;
    private final Map<String, Map<String, Object>> curation;
    private final Map<String, List<ReleasePolicy.Override>> overrides;

    private CurationState(long curationVersion, long overridesVersion, Map<String, Map<String, Object>> curation,
                          Map<String, List<ReleasePolicy.Override>> overrides) {
        this.curationVersion = curationVersion;
        this.overridesVersion = overridesVersion;
        this.curation = curation;
        this.overrides = overrides;
    }

    /**
     * Reads the latest versions of both tables of {@code lake} (all columns of {@code series_curation}, so that
     * added columns never break the read side).
     *
     * @throws org.medlake.cohort.CohortException EXTERNAL if a table cannot be read
     */
    public static CurationState read(DeltaTableReader reader, LakeLayout lake) {
        var c = reader.read(lake.table(CurationTables.SERIES_CURATION), List.of());
        var o = reader.read(lake.table(CurationTables.DEID_OVERRIDES), List.of());
        return of(c.map(DeltaTableReader.TableData::version).orElse(-1L), c.map(DeltaTableReader.TableData::rows).orElse(List.of()),
                o.map(DeltaTableReader.TableData::version).orElse(-1L), o.map(DeltaTableReader.TableData::rows).orElse(List.of()));
    }

    /**
     * A state from table rows (column name to value, as {@link DeltaTableReader} returns them). If a series has
     * several curation rows (the table is meant to hold one), the last one wins.
     */
    public static CurationState of(long curationVersion, List<Map<String, Object>> curationRows, long overridesVersion,
                                   List<Map<String, Object>> overrideRows) {
        Map<String, Map<String, Object>> bySeries = new HashMap<>();
        for (Map<String, Object> r : curationRows) {
            Object series = r.get(SeriesCuration.SERIES_INSTANCE_UID);
            if (series instanceof String s) {
                bySeries.put(s, r);
            }
        }
        Map<String, List<ReleasePolicy.Override>> overrides = new HashMap<>();
        for (Map<String, Object> r : overrideRows) {
            Object series = r.get(DeidOverrides.SERIES_INSTANCE_UID);
            if (series instanceof String s) {
                overrides.computeIfAbsent(s, k -> new ArrayList<>()).add(new ReleasePolicy.Override(s,
                        (String) r.get(DeidOverrides.INPUT_FINGERPRINT), (String) r.get(DeidOverrides.ACTION),
                        (Instant) r.get(DeidOverrides.AT)));
            }
        }
        overrides.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return new CurationState(curationVersion, overridesVersion, Collections.unmodifiableMap(bySeries),
                Collections.unmodifiableMap(overrides));
    }

    /** Version of {@code series_curation} this state reflects (-1 = absent). */
    public long curationVersion() {
        return curationVersion;
    }

    /** Version of {@code deid_overrides} this state reflects (-1 = absent). */
    public long overridesVersion() {
        return overridesVersion;
    }

    /** The series' {@code series_curation} row, if curated. */
    public Optional<Map<String, Object>> curation(String seriesInstanceUid) {
        return Optional.ofNullable(curation.get(seriesInstanceUid));
    }

    /** The series' override rows (any fingerprint), in no particular order (the rule orders them by {@code at}). */
    public List<ReleasePolicy.Override> overrides(String seriesInstanceUid) {
        return overrides.getOrDefault(seriesInstanceUid, List.of());
    }

    /** The release outcome of a series (never-curated and unknown series are {@link ReleasePolicy.Outcome#NOT_CURATED}). */
    public ReleasePolicy.Outcome outcome(String seriesInstanceUid) {
        return ReleasePolicy.decide(policyInput(seriesInstanceUid).orElse(null), overrides(seriesInstanceUid));
    }

    /** The rule's view of the series' curation row, if curated. */
    public Optional<ReleasePolicy.Curation> policyInput(String seriesInstanceUid) {
        return curation(seriesInstanceUid).map(r -> new ReleasePolicy.Curation(seriesInstanceUid,
                (String) r.get(SeriesCuration.DEID_STATUS), (String) r.get(SeriesCuration.INPUT_FINGERPRINT)));
    }
}
