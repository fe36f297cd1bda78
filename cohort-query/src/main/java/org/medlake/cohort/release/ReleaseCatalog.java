package org.medlake.cohort.release;

import java.util.Objects;
import java.util.OptionalLong;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.lake.LakeLayout;

/**
 * The lake's current {@link CurationState}, cached by table versions: every call asks Delta Kernel for the latest
 * versions of {@code series_curation} and {@code deid_overrides} and re-reads only when one changed, so a new
 * curation run or override is seen by the next request. Thread-safe.
 */
public final class ReleaseCatalog {
    private final LakeLayout lake;
    private final DeltaTableReader reader;
    private volatile CurationState cached = CurationState.EMPTY;

    public ReleaseCatalog(LakeLayout lake, DeltaTableReader reader) {
        this.lake = Objects.requireNonNull(lake);
        this.reader = Objects.requireNonNull(reader);
    }

    /** The state of the latest table versions. */
    public CurationState current() {
        long c = version(CurationTables.SERIES_CURATION);
        long o = version(CurationTables.DEID_OVERRIDES);
        CurationState s = cached;
        if (s.curationVersion() == c && s.overridesVersion() == o) {
            return s;
        }
        synchronized (this) {
            s = cached;
            if (s.curationVersion() == c && s.overridesVersion() == o) {
                return s;
            }
            // read() takes the then-latest versions; a commit between version() and read() only makes us fresher
            s = CurationState.read(reader, lake);
            cached = s;
            return s;
        }
    }

    /** The release outcome of a series in the latest table versions. */
    public ReleasePolicy.Outcome outcome(String seriesInstanceUid) {
        return current().outcome(seriesInstanceUid);
    }

    private long version(String table) {
        OptionalLong v = reader.latestVersion(lake.table(table));
        return v.isPresent() ? v.getAsLong() : -1L;
    }
}
