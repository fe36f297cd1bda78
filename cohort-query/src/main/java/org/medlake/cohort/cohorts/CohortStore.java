package org.medlake.cohort.cohorts;

import static org.medlake.cohort.cohorts.CohortTables.*;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.medlake.cohort.CohortException;
import org.medlake.cohort.delta.DeltaTableAppender;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.release.CurationState;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.Instances;

/**
 * Cohorts and their frozen versions in the lake's Delta tables ({@link CohortTables}), read and written with Delta
 * Kernel. Thread-safe; any number of servers may share one lake.
 *
 * <p><b>Concurrency.</b> Writes are Delta commits carrying a transaction id ({@code txn} action) that works as a
 * compare-and-set across processes: a cohort is created under application id {@code cohort-name:<project>/<name>}
 * (so a name is taken exactly once per project), and version {@code n} of a cohort is committed under
 * {@code cohort:<cohort_id>} with transaction version {@code n} (so exactly one of concurrent freezes gets each
 * number). A freeze first appends its member rows under a fresh {@code freeze_id}, then the version row; a freeze that
 * loses the race for number {@code n} retries with {@code n + 1} (up to {@value #FREEZE_ATTEMPTS} attempts). Member
 * rows of a freeze that never got a version row are unreferenced and never read. Nothing is ever updated or
 * deleted, so a frozen version cannot change.
 *
 * <p><b>Freezing</b> ({@link #freeze}) applies the release rule and the project on the lake's Delta tables, not on
 * the search index: the candidates (usually the search results) are intersected with the series that have instances
 * of the cohort's project in the latest {@code instances} snapshot and are released in the latest
 * {@code series_curation}/{@code deid_overrides} snapshots; the table versions are recorded in the version row.
 */
public final class CohortStore {
    /** Attempts at committing a version row before giving up with {@link CohortConflictException.Reason#CONCURRENT_FREEZE}. */
    static final int FREEZE_ATTEMPTS = 5;

    private static final List<String> INSTANCE_COLUMNS = List.of(Instances.SOP_INSTANCE_UID, Instances.SERIES_INSTANCE_UID,
            Instances.STUDY_INSTANCE_UID, Instances.PROJECT, Instances.LOCATION, Instances.SIZE_BYTES, Instances.SHA256);

    private final LakeLayout lake;
    private final DeltaTableReader reader;
    private final DeltaTableAppender appender;
    private volatile MembersCache membersCache = new MembersCache(-1, Map.of());

    private record MembersCache(long version, Map<String, List<Member>> byFreezeId) {}

    public CohortStore(LakeLayout lake, DeltaTableReader reader, DeltaTableAppender appender) {
        this.lake = Objects.requireNonNull(lake);
        this.reader = Objects.requireNonNull(reader);
        this.appender = Objects.requireNonNull(appender);
    }

    /**
     * Creates a cohort. The query must already be validated (it is stored as given).
     *
     * @throws CohortException USER_ERROR on a bad name or a too long description
     * @throws CohortConflictException {@code NAME_TAKEN} when the project has a cohort of that name
     */
    public Cohort create(String project, String name, String description, String queryJson, String user, Instant now) {
        Cohort.checkName(name);
        if (description != null && description.length() > Cohort.MAX_DESCRIPTION) {
            throw new CohortException(CohortException.ErrorCode.USER_ERROR, "The cohort description has "
                    + description.length() + " characters; at most " + Cohort.MAX_DESCRIPTION + " are allowed. Shorten it.");
        }
        if (get(project, name).isPresent()) {
            throw nameTaken(project, name, null);
        }
        Cohort cohort = new Cohort(UUID.randomUUID().toString(), project, name, description, queryJson, user, now);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put(COHORT_ID, cohort.cohortId());
        row.put(PROJECT, project);
        row.put(NAME, name);
        row.put(DESCRIPTION, description);
        row.put(QUERY, queryJson);
        row.put(CREATED_BY, user);
        row.put(CREATED_AT, cohort.createdAt());
        try {
            appender.append(lake.table(COHORTS), COHORTS_SCHEMA, List.of(row), "cohort-name:" + project + "/" + name, 1);
        } catch (DeltaTableAppender.ConcurrentAppendException e) {
            throw nameTaken(project, name, e);
        }
        return cohort;
    }

    private static CohortConflictException nameTaken(String project, String name, Throwable cause) {
        return new CohortConflictException(CohortConflictException.Reason.NAME_TAKEN, "Project '" + project
                + "' already has a cohort named '" + name + "'; names are unique per project and cohorts are never "
                + "deleted. Choose another name, or freeze the existing cohort again for a new version.", cause);
    }

    /** The project's cohorts, sorted by name. */
    public List<Cohort> list(String project) {
        return allCohorts().stream().filter(c -> c.project().equals(project))
                .sorted(Comparator.comparing(Cohort::name)).toList();
    }

    /** The project's cohort of that name. */
    public Optional<Cohort> get(String project, String name) {
        return allCohorts().stream().filter(c -> c.project().equals(project) && c.name().equals(name)).findFirst();
    }

    private List<Cohort> allCohorts() {
        List<Map<String, Object>> rows = reader.read(lake.table(COHORTS), List.of())
                .map(DeltaTableReader.TableData::rows).orElse(List.of());
        // The compare-and-set makes names unique; should a foreign writer have added a duplicate, the first one wins.
        Map<String, Cohort> byKey = new LinkedHashMap<>();
        rows.stream().map(CohortStore::cohort).sorted(Comparator.comparing(Cohort::createdAt).thenComparing(Cohort::cohortId))
                .forEach(c -> byKey.putIfAbsent(c.project() + "/" + c.name(), c));
        return new ArrayList<>(byKey.values());
    }

    private static Cohort cohort(Map<String, Object> r) {
        return new Cohort((String) r.get(COHORT_ID), (String) r.get(PROJECT), (String) r.get(NAME), (String) r.get(DESCRIPTION),
                (String) r.get(QUERY), (String) r.get(CREATED_BY), (Instant) r.get(CREATED_AT));
    }

    /** The cohort's frozen versions, by version number ascending. */
    public List<CohortVersion> versions(String cohortId) {
        return versionsByCohort().getOrDefault(cohortId, List.of());
    }

    /**
     * Every cohort's frozen versions (cohort id to versions by number ascending), from one read of the table. Should
     * a foreign writer have added a second row for a number, the first frozen one wins.
     */
    public Map<String, List<CohortVersion>> versionsByCohort() {
        List<Map<String, Object>> rows = reader.read(lake.table(COHORT_VERSIONS), List.of())
                .map(DeltaTableReader.TableData::rows).orElse(List.of());
        Map<String, Map<Integer, CohortVersion>> by = new HashMap<>();
        rows.stream().map(CohortStore::version)
                .sorted(Comparator.comparing(CohortVersion::frozenAt).thenComparing(CohortVersion::freezeId))
                .forEach(v -> by.computeIfAbsent(v.cohortId(), k -> new HashMap<>()).putIfAbsent(v.version(), v));
        Map<String, List<CohortVersion>> out = new HashMap<>();
        by.forEach((id, versions) -> out.put(id, versions.values().stream()
                .sorted(Comparator.comparingInt(CohortVersion::version)).toList()));
        return out;
    }

    /** Version {@code number} of the cohort, if frozen. */
    public Optional<CohortVersion> version(String cohortId, int number) {
        return versions(cohortId).stream().filter(v -> v.version() == number).findFirst();
    }

    @SuppressWarnings("unchecked")
    private static CohortVersion version(Map<String, Object> r) {
        return new CohortVersion((String) r.get(COHORT_ID), (String) r.get(PROJECT), (Integer) r.get(VERSION),
                (String) r.get(FREEZE_ID), (String) r.get(QUERY), (Long) r.get(INSTANCES_VERSION),
                (Long) r.get(SERIES_CURATION_VERSION), (Long) r.get(DEID_OVERRIDES_VERSION),
                r.get(CODE_VERSIONS) == null ? List.of() : (List<String>) r.get(CODE_VERSIONS), (Integer) r.get(SERIES_COUNT),
                (Long) r.get(INSTANCE_COUNT), (Long) r.get(SIZE_BYTES), (String) r.get(MEMBERS_SHA256),
                (String) r.get(FROZEN_BY), (Instant) r.get(FROZEN_AT));
    }

    /** The member instances of a frozen version, in {@link Member#ORDER}. */
    public List<Member> members(CohortVersion version) {
        return membersByFreezeId().getOrDefault(version.freezeId(), List.of());
    }

    private Map<String, List<Member>> membersByFreezeId() {
        Path table = lake.table(COHORT_MEMBERS);
        OptionalLong latest = reader.latestVersion(table);
        if (latest.isEmpty()) {
            return Map.of();
        }
        MembersCache c = membersCache;
        if (c.version() == latest.getAsLong()) {
            return c.byFreezeId();
        }
        synchronized (this) {
            c = membersCache;
            if (c.version() == latest.getAsLong()) {
                return c.byFreezeId();
            }
            var data = reader.read(table, List.of()).orElseThrow();
            Map<String, List<Member>> byFreeze = new HashMap<>();
            for (Map<String, Object> r : data.rows()) {
                Member m = new Member((String) r.get(PROJECT), (String) r.get(SERIES_INSTANCE_UID), (String) r.get(STUDY_INSTANCE_UID),
                        (String) r.get(SOP_INSTANCE_UID), (String) r.get(SHA256), (Long) r.get(SIZE_BYTES),
                        (String) r.get(LOCATION), (String) r.get(CODE_VERSION));
                byFreeze.computeIfAbsent((String) r.get(FREEZE_ID), k -> new ArrayList<>()).add(m);
            }
            byFreeze.replaceAll((k, v) -> {
                v.sort(Member.ORDER);
                return Collections.unmodifiableList(v);
            });
            c = new MembersCache(data.version(), Collections.unmodifiableMap(byFreeze));
            membersCache = c;
            return c.byFreezeId();
        }
    }

    /**
     * Freezes the next version of {@code cohort}: the instances of those {@code candidateSeries} that belong to the
     * cohort's project and are released, read from the latest Delta snapshots (see the class comment). An empty
     * member list is allowed (the query matched nothing released).
     *
     * @param candidateSeries series UIDs selected by the cohort's query (e.g. every page of the search)
     * @throws CohortConflictException {@code CONCURRENT_FREEZE} if {@value #FREEZE_ATTEMPTS} concurrent freezes won
     * @throws CohortException EXTERNAL if a table cannot be read or written
     */
    public CohortVersion freeze(Cohort cohort, Collection<String> candidateSeries, String user, Instant now) {
        Set<String> candidates = new HashSet<>(candidateSeries);
        var instances = reader.read(lake.table(Tables.INSTANCES), INSTANCE_COLUMNS);
        CurationState curation = CurationState.read(reader, lake);
        long instancesVersion = instances.map(DeltaTableReader.TableData::version).orElse(-1L);
        List<Member> members = new ArrayList<>();
        Set<String> codeVersions = new TreeSet<>();
        Set<String> series = new HashSet<>();
        for (Map<String, Object> r : instances.map(DeltaTableReader.TableData::rows).orElse(List.of())) {
            String s = (String) r.get(Instances.SERIES_INSTANCE_UID);
            if (!candidates.contains(s) || !cohort.project().equals(r.get(Instances.PROJECT))
                    || !curation.outcome(s).released()) {
                continue;
            }
            String codeVersion = curation.curation(s).map(c -> (String) c.get(Tables.SeriesCuration.CODE_VERSION)).orElse(null);
            Number size = (Number) r.get(Instances.SIZE_BYTES);
            members.add(new Member(cohort.project(), s, (String) r.get(Instances.STUDY_INSTANCE_UID),
                    (String) r.get(Instances.SOP_INSTANCE_UID), (String) r.get(Instances.SHA256),
                    size == null ? 0 : size.longValue(), (String) r.get(Instances.LOCATION), codeVersion));
            if (codeVersion != null) {
                codeVersions.add(codeVersion);
            }
            series.add(s);
        }
        members.sort(Member.ORDER);
        String freezeId = UUID.randomUUID().toString();
        if (!members.isEmpty()) {
            List<Map<String, Object>> rows = new ArrayList<>(members.size());
            for (Member m : members) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put(FREEZE_ID, freezeId);
                row.put(COHORT_ID, cohort.cohortId());
                row.put(PROJECT, m.project());
                row.put(SERIES_INSTANCE_UID, m.seriesInstanceUid());
                row.put(STUDY_INSTANCE_UID, m.studyInstanceUid());
                row.put(SOP_INSTANCE_UID, m.sopInstanceUid());
                row.put(SHA256, m.sha256());
                row.put(SIZE_BYTES, m.sizeBytes());
                row.put(LOCATION, m.location());
                row.put(CODE_VERSION, m.codeVersion());
                rows.add(row);
            }
            appender.append(lake.table(COHORT_MEMBERS), MEMBERS_SCHEMA, rows);
        }
        long size = members.stream().mapToLong(Member::sizeBytes).sum();
        String fingerprint = Member.fingerprint(members);
        DeltaTableAppender.ConcurrentAppendException lost = null;
        for (int attempt = 0; attempt < FREEZE_ATTEMPTS; attempt++) {
            int next = versions(cohort.cohortId()).stream().mapToInt(CohortVersion::version).max().orElse(0) + 1;
            CohortVersion v = new CohortVersion(cohort.cohortId(), cohort.project(), next, freezeId, cohort.query(),
                    instancesVersion, curation.curationVersion(), curation.overridesVersion(), List.copyOf(codeVersions),
                    series.size(), members.size(), size, fingerprint, user, now);
            try {
                appender.append(lake.table(COHORT_VERSIONS), VERSIONS_SCHEMA, List.of(row(v)), "cohort:" + cohort.cohortId(), next);
                return v;
            } catch (DeltaTableAppender.ConcurrentAppendException e) {
                lost = e;
            }
        }
        throw new CohortConflictException(CohortConflictException.Reason.CONCURRENT_FREEZE, "Cohort '" + cohort.name()
                + "' of project '" + cohort.project() + "' is being frozen by others at the same time, and " + FREEZE_ATTEMPTS
                + " attempts at the next version number lost the race; nothing was frozen. Retry in a moment.", lost);
    }

    private static Map<String, Object> row(CohortVersion v) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put(COHORT_ID, v.cohortId());
        row.put(PROJECT, v.project());
        row.put(VERSION, v.version());
        row.put(FREEZE_ID, v.freezeId());
        row.put(QUERY, v.query());
        row.put(INSTANCES_VERSION, v.instancesVersion());
        row.put(SERIES_CURATION_VERSION, v.seriesCurationVersion());
        row.put(DEID_OVERRIDES_VERSION, v.deidOverridesVersion());
        row.put(CODE_VERSIONS, v.codeVersions());
        row.put(SERIES_COUNT, v.seriesCount());
        row.put(INSTANCE_COUNT, v.instanceCount());
        row.put(SIZE_BYTES, v.sizeBytes());
        row.put(MEMBERS_SHA256, v.membersSha256());
        row.put(FROZEN_BY, v.frozenBy());
        row.put(FROZEN_AT, v.frozenAt());
        return row;
    }
}
