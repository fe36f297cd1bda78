package org.medlake.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.cohort.delta.DeltaTableAppender;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.lake.LakeLayout;

/** The audit log on real Delta tables: chain, pending files when Delta is unavailable, idempotent reconciliation, tampering. */
class AuditLogTest {
    @TempDir
    Path dir;

    private static AuditEntry.Draft draft(String user, String action, String project) {
        return new AuditEntry.Draft(Instant.now(), user, "sub-" + user, "medlake-cli", action, "GET", "/api/v1/x",
                project, null, List.of("1.2.3"), List.of(), "limit=1", 200, 42L, "127.0.0.1");
    }

    private AuditLog open(LakeLayout lake) {
        return new AuditLog(lake, new DeltaTableAppender("test"), new DeltaTableReader(), Duration.ZERO);
    }

    @Test
    void chainSurvivesRestartsAndVerifies() {
        LakeLayout lake = LakeLayout.at(dir);
        try (AuditLog log = open(lake)) {
            log.record(draft("alice", "SEARCH", null));
            log.record(draft("bob", "DOWNLOAD_FILE", "other"));
            assertThat(log.flush()).isTrue();
            log.record(draft("carol", "MEMBER_SET_ROLE", "demo"));
        }
        try (AuditLog log = open(lake)) {
            assertThat(log.lastSeq()).isEqualTo(3);
            log.record(draft("alice", "SEARCH", null));
        }
        AuditVerifier.Result r = AuditVerifier.verify(lake, new DeltaTableReader());
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.entries()).isEqualTo(4);
        assertThat(r.pending()).isZero();
        assertThat(AuditLog.pendingEntries(lake)).isEmpty();
    }

    @Test
    void deltaUnavailableKeepsPendingFilesThenReconcilesIdempotently() throws Exception {
        LakeLayout lake = LakeLayout.at(dir);
        Path table = lake.table("audit_log");
        Files.createDirectories(table.getParent());
        Files.writeString(table, "not a folder"); // Delta cannot write: the table path is a file
        try (AuditLog log = open(lake)) {
            log.record(draft("alice", "SEARCH", null));
            log.record(draft("alice", "DOWNLOAD_FILE", "demo"));
            assertThat(log.flush()).isFalse();
            assertThat(AuditLog.pendingEntries(lake)).hasSize(2);
            log.record(draft("alice", "SEARCH", null));
            assertThat(log.flush()).isFalse();
            assertThat(AuditLog.pendingEntries(lake)).hasSize(3);
            // Keep a copy of a pending file, as if the server crashed between the commit and the delete.
            Path first = AuditLog.pendingFiles(dir.resolve(AuditLog.PENDING_DIR)).get(0);
            String copy = Files.readString(first);
            Files.delete(table);
            assertThat(log.flush()).isTrue();
            assertThat(AuditLog.pendingEntries(lake)).isEmpty();
            Files.writeString(first, copy);
        }
        try (AuditLog log = open(lake)) { // start: reconciles the stale pending file without duplicating rows
            assertThat(log.flush()).isTrue();
        }
        AuditVerifier.Result r = AuditVerifier.verify(lake, new DeltaTableReader());
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.entries()).isEqualTo(3);
        assertThat(new DeltaTableReader().read(table, List.of("seq")).orElseThrow().rows()).hasSize(3);
    }

    @Test
    void editedRowBreaksTheChainAtThatRow() throws Exception {
        LakeLayout lake = LakeLayout.at(dir);
        try (AuditLog log = open(lake)) {
            for (int i = 0; i < 5; i++) {
                log.record(draft("bob", "DOWNLOAD_FILE", "other"));
            }
            log.flush();
        }
        assertThat(AuditVerifier.verify(lake, new DeltaTableReader()).ok()).isTrue();
        AuditTamper.forgeCommit(lake.table("audit_log"), rows -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Map<String, Object> r : rows) {
                if (((Number) r.get("seq")).longValue() == 3) {
                    r.put("user", "alice");
                }
                out.add(r);
            }
            return out;
        });
        AuditVerifier.Result r = AuditVerifier.verify(lake, new DeltaTableReader());
        assertThat(r.ok()).isFalse();
        assertThat(r.badSeq()).isEqualTo(3);
        assertThat(r.problem()).contains("modified");
        assertThat(new DeltaTableReader().read(lake.table("audit_log"), List.of("user")).orElseThrow().rows())
                .extracting(m -> m.get("user")).contains("alice");
    }

    @Test
    void removedRowIsReported() throws Exception {
        LakeLayout lake = LakeLayout.at(dir);
        try (AuditLog log = open(lake)) {
            for (int i = 0; i < 4; i++) {
                log.record(draft("bob", "DOWNLOAD_FILE", "other"));
            }
            log.flush();
        }
        AuditTamper.forgeCommit(lake.table("audit_log"), rows -> rows.stream()
                .filter(r -> ((Number) r.get("seq")).longValue() != 2).toList());
        AuditVerifier.Result r = AuditVerifier.verify(lake, new DeltaTableReader());
        assertThat(r.ok()).isFalse();
        assertThat(r.badSeq()).isEqualTo(3);
        assertThat(r.problem()).contains("missing");
        assertThat(AuditMain.run(new String[] {"verify", "--lake", dir.toString()})).isEqualTo(1);
    }

    @Test
    void canonicalBytesAndHashAreStable() {
        AuditEntry e = AuditEntry.chain(new AuditEntry.Draft(Instant.parse("2026-01-31T12:00:00.1234567Z"), "alice", "sub-1",
                "medlake-cli", "DOWNLOAD_FILE", "GET", "/api/v1/instances/1.1/file", "demo", null, List.of("S1"),
                List.of("1.1"), null, 200, 18L, "127.0.0.1"), "id-1", 1, AuditEntry.GENESIS);
        assertThat(e.canonicalJson()).isEqualTo("{\"entry_id\":\"id-1\",\"seq\":1,\"at\":\"2026-01-31T12:00:00.123456Z\","
                + "\"user\":\"alice\",\"subject\":\"sub-1\",\"client_id\":\"medlake-cli\",\"action\":\"DOWNLOAD_FILE\","
                + "\"method\":\"GET\",\"path\":\"/api/v1/instances/1.1/file\",\"project\":\"demo\",\"cohort\":null,"
                + "\"series_instance_uids\":[\"S1\"],\"sop_instance_uids\":[\"1.1\"],\"query\":null,\"status\":200,"
                + "\"bytes\":18,\"remote_addr\":\"127.0.0.1\",\"prev_hash\":\"" + AuditEntry.GENESIS + "\"}");
        assertThat(e.hash()).isEqualTo(e.computeHash()).hasSize(64);
        // A pending line and a Delta row give back the same entry, hence the same hash.
        assertThat(AuditEntry.fromRow(e.row()).computeHash()).isEqualTo(e.hash());
    }

    @Test
    void requestsThatStopBeforeTheirEndpointAreMatchedToTheirRoute() {
        Map<String, String> params = new java.util.HashMap<>();
        assertThat(org.medlake.server.AuditRoutesAccess.match("GET", "/api/v1/projects/demo/cohorts/mr/versions/2/manifest", params))
                .isEqualTo("/api/v1/projects/{project}/cohorts/{name}/versions/{version}/manifest");
        assertThat(params).containsEntry("project", "demo").containsEntry("name", "mr").containsEntry("version", "2");
        assertThat(org.medlake.server.AuditRoutesAccess.match("GET", "/api/v1/nothing", new java.util.HashMap<>())).isNull();
    }

    @Test
    void aSecondWriterOnTheSameLakeIsRefused() {
        LakeLayout lake = LakeLayout.at(dir);
        try (AuditLog log = open(lake)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> open(lake))
                    .isInstanceOf(org.medlake.server.ApiException.class).hasMessageContaining("fork");
        }
        try (AuditLog again = open(lake)) { // released on close
            assertThat(again.lastSeq()).isZero();
        }
    }
}
