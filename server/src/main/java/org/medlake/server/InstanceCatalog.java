package org.medlake.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.Instances;

/**
 * In-memory lookup of the lake's {@code instances} table by SOP Instance UID and by series, cached per Delta table
 * version: every lookup asks Delta Kernel for the latest version and reloads only when it changed. A lake without
 * the table behaves as an empty catalog. Thread-safe.
 */
public final class InstanceCatalog {
    /** The columns the server needs from {@code instances}. */
    static final List<String> COLUMNS = List.of(Instances.SOP_INSTANCE_UID, Instances.SERIES_INSTANCE_UID,
            Instances.PROJECT, Instances.LOCATION, Instances.SIZE_BYTES, Instances.SHA256, Instances.INSTANCE_NUMBER);

    /** One instance row. {@code instanceNumber} may be null. */
    public record Instance(String sopInstanceUid, String seriesInstanceUid, String project, String location,
                           long sizeBytes, String sha256, Integer instanceNumber) {}

    private record Loaded(long version, Map<String, Instance> bySop, Map<String, List<Instance>> bySeries) {}

    private static final Loaded EMPTY = new Loaded(-1, Map.of(), Map.of());

    private final Path table;
    private final DeltaTableReader reader;
    private volatile Loaded loaded = EMPTY;

    public InstanceCatalog(LakeLayout lake, DeltaTableReader reader) {
        this.table = lake.table(Tables.INSTANCES);
        this.reader = reader;
    }

    /** The instance with this SOP Instance UID in the latest table version. */
    public Optional<Instance> instance(String sopInstanceUid) {
        return Optional.ofNullable(current().bySop().get(sopInstanceUid));
    }

    /** The instances of a series (sorted by instance number, then SOP UID); empty if unknown. */
    public List<Instance> series(String seriesInstanceUid) {
        return current().bySeries().getOrDefault(seriesInstanceUid, List.of());
    }

    /** The table version the cache holds (-1 = no table). */
    public long version() {
        return current().version();
    }

    private Loaded current() {
        OptionalLong latest = reader.latestVersion(table);
        Loaded l = loaded;
        if (latest.isEmpty()) {
            return EMPTY;
        }
        if (l.version() == latest.getAsLong()) {
            return l;
        }
        synchronized (this) {
            l = loaded;
            if (l.version() == latest.getAsLong()) {
                return l;
            }
            l = reader.read(table, COLUMNS).map(InstanceCatalog::index).orElse(EMPTY);
            loaded = l;
            return l;
        }
    }

    private static Loaded index(DeltaTableReader.TableData data) {
        Map<String, Instance> bySop = new HashMap<>();
        Map<String, List<Instance>> bySeries = new HashMap<>();
        for (Map<String, Object> r : data.rows()) {
            Number size = (Number) r.get(Instances.SIZE_BYTES);
            Instance i = new Instance((String) r.get(Instances.SOP_INSTANCE_UID), (String) r.get(Instances.SERIES_INSTANCE_UID),
                    (String) r.get(Instances.PROJECT), (String) r.get(Instances.LOCATION), size == null ? 0 : size.longValue(),
                    (String) r.get(Instances.SHA256), (Integer) r.get(Instances.INSTANCE_NUMBER));
            bySop.put(i.sopInstanceUid(), i);
            bySeries.computeIfAbsent(i.seriesInstanceUid(), k -> new ArrayList<>()).add(i);
        }
        Comparator<Instance> order = Comparator.comparing(Instance::instanceNumber, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(Instance::sopInstanceUid);
        bySeries.replaceAll((k, v) -> {
            v.sort(order);
            return Collections.unmodifiableList(v);
        });
        return new Loaded(data.version(), Collections.unmodifiableMap(bySop), Collections.unmodifiableMap(bySeries));
    }
}
