package org.medlake.cohort.cohorts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medlake.cohort.CohortException;
import org.medlake.cohort.testing.ManifestParquet;

class ManifestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Cohort COHORT = new Cohort("cid", "demo", "mr", null, "{\"eq\":{\"modality\":\"MR\"}}", "alice",
            Instant.parse("2026-01-01T00:00:00Z"));
    private static final List<Member> MEMBERS = List.of(
            new Member("demo", "S2", "st", "2.1", "b".repeat(64), 20, "objects/sha256/bb/" + "b".repeat(64), "v1"),
            new Member("demo", "S1", "st", "1.1", "a".repeat(64), 10, "file:///in,place/\"x\".dcm", "v1"));
    private static final CohortVersion VERSION = new CohortVersion("cid", "demo", 3, "fid", COHORT.query(), 7, 5, -1,
            List.of("v1"), 2, 2, 30, Member.fingerprint(MEMBERS), "alice", Instant.parse("2026-01-02T00:00:00Z"));
    private final Manifest manifest = new Manifest(sop -> "/api/v1/instances/" + sop + "/file");

    @Test
    void jsonHasHeaderRowsAndAChecksumOfItsRows() throws Exception {
        byte[] bytes = manifest.write(COHORT, VERSION, MEMBERS, Manifest.Format.JSON);
        JsonNode doc = JSON.readTree(bytes);
        assertThat(doc.get("cohort").asText()).isEqualTo("mr");
        assertThat(doc.get("version").asInt()).isEqualTo(3);
        assertThat(doc.at("/query/eq/modality").asText()).isEqualTo("MR");
        assertThat(doc.at("/table_versions/instances").asLong()).isEqualTo(7);
        assertThat(doc.get("instances")).hasSize(2);
        assertThat(doc.at("/instances/0/sop_instance_uid").asText()).isEqualTo("1.1");
        assertThat(doc.at("/instances/1/download_url").asText()).isEqualTo("/api/v1/instances/2.1/file");
        assertThat(doc.at("/checksum/value").asText())
                .isEqualTo(Manifest.sha256(JSON.writeValueAsBytes(doc.get("instances"))));
        assertThat(manifest.write(COHORT, VERSION, rev(MEMBERS), Manifest.Format.JSON)).isEqualTo(bytes);
    }

    @Test
    void csvQuotesPerRfc4180() {
        String csv = new String(manifest.write(COHORT, VERSION, MEMBERS, Manifest.Format.CSV), StandardCharsets.UTF_8);
        assertThat(csv.split("\r\n")).containsExactly(
                "project,series_instance_uid,sop_instance_uid,sha256,size_bytes,location,download_url",
                "demo,S1,1.1," + "a".repeat(64) + ",10,\"file:///in,place/\"\"x\"\".dcm\",/api/v1/instances/1.1/file",
                "demo,S2,2.1," + "b".repeat(64) + ",20,objects/sha256/bb/" + "b".repeat(64) + ",/api/v1/instances/2.1/file");
    }

    @Test
    void parquetReadsBackAndIsDeterministic() throws Exception {
        byte[] bytes = manifest.write(COHORT, VERSION, MEMBERS, Manifest.Format.PARQUET);
        assertThat(manifest.write(COHORT, VERSION, MEMBERS, Manifest.Format.PARQUET)).isEqualTo(bytes);
        ManifestParquet.Content content = ManifestParquet.read(bytes);
        assertThat(content.columns()).isEqualTo(Manifest.COLUMNS);
        assertThat(content.rows()).hasSize(2);
        assertThat(content.rows().get(0)).containsEntry("sop_instance_uid", "1.1").containsEntry("size_bytes", 10L)
                .containsEntry("location", "file:///in,place/\"x\".dcm");
        assertThat(content.metadata()).containsEntry("medlake.cohort", "mr").containsEntry("medlake.version", "3");
    }

    @Test
    void emptyManifestsAndFormats() throws Exception {
        assertThat(ManifestParquet.read(manifest.write(COHORT, VERSION, List.of(), Manifest.Format.PARQUET)).rows()).isEmpty();
        assertThat(Manifest.Format.parse(null)).isEqualTo(Manifest.Format.JSON);
        assertThat(Manifest.Format.parse("CSV")).isEqualTo(Manifest.Format.CSV);
        assertThatThrownBy(() -> Manifest.Format.parse("xlsx")).isInstanceOf(CohortException.class)
                .hasMessageContaining("format=parquet");
    }

    private static <T> List<T> rev(List<T> l) {
        List<T> r = new java.util.ArrayList<>(l);
        java.util.Collections.reverse(r);
        return r;
    }
}
