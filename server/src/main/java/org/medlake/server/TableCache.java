package org.medlake.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.medlake.cohort.delta.DeltaTableReader;

/**
 * Whole-table reads of small lake tables (ingest runs, quarantine, curation), reloaded only when the table's latest
 * Delta version changed, so repeated UI requests do not re-scan unchanged tables. An absent table reads as no rows.
 * Thread-safe; a concurrent reload may happen twice, which is harmless.
 */
final class TableCache {
    private record Entry(long version, List<Map<String, Object>> rows) {}

    private final DeltaTableReader reader;
    private final Map<Path, Entry> cache = new ConcurrentHashMap<>();

    TableCache(DeltaTableReader reader) {
        this.reader = reader;
    }

    /** Every row of the table's latest version, all columns (so that added columns never break the read). */
    List<Map<String, Object>> rows(Path table) {
        OptionalLong latest = reader.latestVersion(table);
        if (latest.isEmpty()) {
            cache.remove(table);
            return List.of();
        }
        Entry e = cache.get(table);
        if (e != null && e.version() == latest.getAsLong()) {
            return e.rows();
        }
        Entry loaded = reader.read(table, List.of()).map(d -> new Entry(d.version(), d.rows()))
                .orElse(new Entry(-1, List.of()));
        cache.put(table, loaded);
        return loaded.rows();
    }
}
