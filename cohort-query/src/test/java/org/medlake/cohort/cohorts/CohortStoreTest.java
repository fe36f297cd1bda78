package org.medlake.cohort.cohorts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.cohort.CohortException;
import org.medlake.cohort.delta.DeltaTableAppender;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.release.CurationTables;
import org.medlake.cohort.testing.DeltaTestTables;
import org.medlake.lake.LakeLayout;

/** The cohort store on real Delta tables written and read with Kernel. */
class CohortStoreTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456789Z");

    private static CohortStore store(LakeLayout lake) {
        return new CohortStore(lake, new DeltaTableReader(), new DeltaTableAppender("cohort-tests"));
    }

    /** S1 (2 instances) and S2 released in demo, S3 de-id FAIL in demo, S4 never curated, SO in project other. */
    private static LakeLayout lake(Path dir) {
        LakeLayout lake = LakeLayout.at(dir);
        DeltaTestTables.append(lake.table("instances"), DeltaTestTables.INSTANCES_SCHEMA, List.of(
                DeltaTestTables.instance("1.1", "S1", "demo", 10, Map.of()),
                DeltaTestTables.instance("1.2", "S1", "demo", 11, Map.of()),
                DeltaTestTables.instance("2.1", "S2", "demo", 20, Map.of()),
                DeltaTestTables.instance("3.1", "S3", "demo", 30, Map.of()),
                DeltaTestTables.instance("4.1", "S4", "demo", 40, Map.of()),
                DeltaTestTables.instance("9.1", "SO", "other", 90, Map.of())));
        DeltaTestTables.appendCuration(lake, List.of(
                DeltaTestTables.curation("S1", "demo", "PASS", Map.of("code_version", "curate-1.0")),
                DeltaTestTables.curation("S2", "demo", "REVIEW", Map.of("code_version", "curate-1.1")),
                DeltaTestTables.curation("S3", "demo", "FAIL", Map.of()),
                DeltaTestTables.curation("SO", "other", "PASS", Map.of())));
        return lake;
    }

    @Test
    void createsListsAndKeepsNamesUniquePerProject(@TempDir Path dir) {
        CohortStore store = store(LakeLayout.at(dir));
        Cohort c = store.create("demo", "ct-all", "all CT", "{\"eq\":{\"modality\":\"CT\"}}", "alice", T0);
        assertThat(c.createdAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05.123456Z"));
        store.create("other", "ct-all", null, "{}", "bob", T0);
        store.create("demo", "a-first", null, "{}", "alice", T0);
        assertThat(store.list("demo")).extracting(Cohort::name).containsExactly("a-first", "ct-all");
        assertThat(store.get("demo", "ct-all")).hasValue(c);
        assertThat(store.get("demo", "nope")).isEmpty();
        assertThatThrownBy(() -> store.create("demo", "ct-all", null, "{}", "alice", T0))
                .isInstanceOf(CohortConflictException.class)
                .satisfies(e -> assertThat(((CohortConflictException) e).reason()).isEqualTo(CohortConflictException.Reason.NAME_TAKEN))
                .hasMessageContaining("already has a cohort named 'ct-all'");
        assertThatThrownBy(() -> store.create("demo", "bad name/", null, "{}", "alice", T0))
                .isInstanceOf(CohortException.class).hasMessageContaining("letters, digits");
        assertThat(store(LakeLayout.at(dir)).list("demo")).hasSize(2);
    }

    @Test
    void freezeKeepsReleasedSeriesOfTheProjectWithTableVersionsAndCodeVersions(@TempDir Path dir) {
        LakeLayout lake = lake(dir);
        CohortStore store = store(lake);
        Cohort c = store.create("demo", "all", null, "{}", "alice", T0);
        CohortVersion v = store.freeze(c, List.of("S1", "S2", "S3", "S4", "SO", "S-unknown"), "alice", T0);
        assertThat(v.version()).isEqualTo(1);
        assertThat(v.seriesCount()).isEqualTo(2);
        assertThat(v.instanceCount()).isEqualTo(3);
        assertThat(v.sizeBytes()).isEqualTo(41);
        assertThat(v.codeVersions()).containsExactly("curate-1.0", "curate-1.1");
        assertThat(v.instancesVersion()).isEqualTo(0);
        assertThat(v.seriesCurationVersion()).isEqualTo(0);
        assertThat(v.deidOverridesVersion()).isEqualTo(-1);
        assertThat(v.frozenBy()).isEqualTo("alice");
        List<Member> members = store.members(v);
        assertThat(members).extracting(Member::sopInstanceUid).containsExactly("1.1", "1.2", "2.1");
        assertThat(members.get(0).codeVersion()).isEqualTo("curate-1.0");
        assertThat(members.get(0).location()).startsWith("objects/sha256/");
        assertThat(v.membersSha256()).isEqualTo(Member.fingerprint(members));
        assertThat(store.version(c.cohortId(), 1)).hasValue(v);
        assertThat(store.version(c.cohortId(), 2)).isEmpty();
    }

    @Test
    void frozenVersionsDoNotChangeWhenTheLakeDoes(@TempDir Path dir) {
        LakeLayout lake = lake(dir);
        CohortStore store = store(lake);
        Cohort c = store.create("demo", "all", null, "{}", "alice", T0);
        CohortVersion v1 = store.freeze(c, List.of("S1", "S2"), "alice", T0);
        List<Member> before = store.members(v1);

        DeltaTestTables.append(lake.table("instances"), DeltaTestTables.INSTANCES_SCHEMA, List.of(
                DeltaTestTables.instance("1.3", "S1", "demo", 12, Map.of()),
                DeltaTestTables.instance("5.1", "S5", "demo", 50, Map.of())));
        DeltaTestTables.appendCuration(lake, List.of(DeltaTestTables.curation("S5", "demo", "PASS", Map.of("code_version", "curate-2.0"))));

        CohortVersion v2 = store.freeze(c, List.of("S1", "S2", "S5"), "carol", T0.plusSeconds(60));
        CohortStore fresh = store(lake);
        assertThat(fresh.version(c.cohortId(), 1)).hasValue(v1);
        assertThat(fresh.members(v1)).isEqualTo(before);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.instancesVersion()).isEqualTo(1);
        assertThat(v2.codeVersions()).contains("curate-2.0");
        CohortDiff diff = CohortDiff.between(fresh.members(v1), fresh.members(v2));
        assertThat(diff.seriesAdded()).containsExactly("S5");
        assertThat(diff.seriesRemoved()).isEmpty();
        assertThat(diff.seriesChanged()).singleElement().satisfies(ch -> {
            assertThat(ch.seriesInstanceUid()).isEqualTo("S1");
            assertThat(ch.instancesAdded()).containsExactly("1.3");
        });
        assertThat(diff.seriesUnchanged()).isEqualTo(1);
    }

    @Test
    void concurrentFreezesGetDistinctVersionNumbers(@TempDir Path dir) throws Exception {
        LakeLayout lake = lake(dir);
        Cohort c = store(lake).create("demo", "all", null, "{}", "alice", T0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<CohortVersion>> futures = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                // separate stores and appenders, as separate servers would have
                Callable<CohortVersion> freeze = () -> store(lake).freeze(c, List.of("S1", "S2"), "alice", Instant.now());
                futures.add(pool.submit(freeze));
            }
            List<Integer> numbers = new ArrayList<>();
            for (Future<CohortVersion> f : futures) {
                numbers.add(f.get().version());
            }
            assertThat(numbers).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
        } finally {
            pool.shutdownNow();
        }
        CohortStore store = store(lake);
        assertThat(store.versions(c.cohortId())).extracting(CohortVersion::version).containsExactly(1, 2, 3, 4, 5, 6);
        for (CohortVersion v : store.versions(c.cohortId())) {
            assertThat(store.members(v)).hasSize(3);
        }
    }

    @Test
    void aLostCompareAndSetIsReportedNotCommitted(@TempDir Path dir) {
        Path table = dir.resolve("t");
        DeltaTableAppender appender = new DeltaTableAppender("cohort-tests");
        appender.append(table, CurationTables.DeidOverrides.SCHEMA, List.of(), "app", 1);
        assertThatThrownBy(() -> appender.append(table, CurationTables.DeidOverrides.SCHEMA, List.of(), "app", 1))
                .isInstanceOf(DeltaTableAppender.ConcurrentAppendException.class);
        assertThat(new DeltaTableReader().latestVersion(table)).hasValue(0);
        appender.append(table, CurationTables.DeidOverrides.SCHEMA, List.of(), "app", 2);
        assertThat(new DeltaTableReader().latestVersion(table)).hasValue(1);
    }
}
