package org.medlake.server;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.access.TokenAuthenticator;
import org.medlake.cohort.cohorts.Manifest;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.index.SeriesIndexer;
import org.medlake.cohort.search.SeriesSearch;
import org.medlake.cohort.testing.DeltaTestTables;
import org.medlake.cohort.testing.ManifestParquet;
import org.medlake.lake.LakeLayout;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;

/** Cohorts over the REST API against the real Keycloak, Elasticsearch and Kernel-written Delta tables. */
class CohortApiIT {
    @TempDir
    static Path lake;

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SeriesIndex.Names NAMES = SeriesIndex.isolated("cohort-it-" + UUID.randomUUID().toString().substring(0, 8));
    private static final String BASE = "/api/v1/projects/demo/cohorts";

    private static ApiServer server;
    private static ElasticsearchClient es;
    private static SeriesIndexer indexer;
    private static LakeLayout layout;
    private static String alice;
    private static String bob;
    private static String carol;
    private static String trainer;

    @BeforeAll
    static void start() throws Exception {
        String esUrl = MedlakeServices.elasticsearchUrl();
        String issuer = KeycloakTestRealm.issuer();
        alice = KeycloakTestRealm.passwordToken("alice", "alice").raw();
        bob = KeycloakTestRealm.passwordToken("bob", "bob").raw();
        DevUsers.ensureProjectAdmin("carol", "demo");
        carol = KeycloakTestRealm.passwordToken("carol", "carol").raw();
        trainer = KeycloakTestRealm.trainerToken().raw();

        // demo: MR series S-a (2 files), S-b (1 file), CT series S-c, MR S-fail (de-id FAIL); other: MR S-o.
        layout = LakeLayout.at(lake);
        DeltaTestTables.append(layout.table("instances"), DeltaTestTables.INSTANCES_SCHEMA, List.of(
                file("a.1", "S-a", "demo", "MR", 1), file("a.2", "S-a", "demo", "MR", 2), file("b.1", "S-b", "demo", "MR", 1),
                file("c.1", "S-c", "demo", "CT", 1), file("f.1", "S-fail", "demo", "MR", 1), file("o.1", "S-o", "other", "MR", 1)));
        DeltaTestTables.appendCuration(layout, List.of(
                DeltaTestTables.curation("S-a", "demo", "PASS", Map.of("modality", "MR", "code_version", "curate-1")),
                DeltaTestTables.curation("S-b", "demo", "REVIEW", Map.of("modality", "MR", "code_version", "curate-1")),
                DeltaTestTables.curation("S-c", "demo", "PASS", Map.of("code_version", "curate-1")),
                DeltaTestTables.curation("S-fail", "demo", "FAIL", Map.of("modality", "MR")),
                DeltaTestTables.curation("S-o", "other", "PASS", Map.of("modality", "MR"))));
        es = SeriesIndex.connect(esUrl);
        indexer = new SeriesIndexer(es, new DeltaTableReader(), esUrl, NAMES);
        indexer.index(layout);
        server = new ApiServer(new ServerConfig(lake, "127.0.0.1", 0, esUrl, issuer), new TokenAuthenticator(issuer),
                new SeriesSearch(es, esUrl, NAMES), new InstanceCatalog(layout, new DeltaTableReader()));
        server.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.stop();
        if (es != null) {
            SeriesIndex.drop(es, NAMES);
            SeriesIndex.close(es);
        }
    }

    /** An instances row whose bytes are really stored in the lake. */
    private static Map<String, Object> file(String sop, String series, String project, String modality, int number) throws Exception {
        byte[] content = ("DICM-" + sop + "-" + series).getBytes(StandardCharsets.UTF_8);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Path object = layout.resolve(LakeLayout.objectKey(sha));
        Files.createDirectories(object.getParent());
        Files.write(object, content);
        return DeltaTestTables.instance(sop, series, project, content.length, Map.of("sha256", sha, "location",
                LakeLayout.objectKey(sha), "modality", modality, "instance_number", number));
    }

    static HttpResponse<byte[]> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode ok(HttpResponse<byte[]> r, int status) throws Exception {
        assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    private static JsonNode problem(HttpResponse<byte[]> r, int status) throws Exception {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(body).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode p = JSON.readTree(body);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.has("type") && p.has("title") && p.has("detail") && p.has("code")).isTrue();
        assertThat(body).doesNotContain("\tat ").doesNotContain("Exception:");
        return p;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void createFreezeMembersManifestsAndDiffSurviveNewData() throws Exception {
        JsonNode created = ok(send("POST", BASE, alice, "{\"name\":\"mr\",\"description\":\"all MR\","
                + "\"query\":{\"eq\":{\"modality\":\"MR\"}}}"), 201);
        assertThat(created.get("name").asText()).isEqualTo("mr");
        assertThat(created.get("created_by").asText()).isEqualTo("alice");
        assertThat(created.at("/query/eq/modality").asText()).isEqualTo("MR");
        assertThat(problem(send("POST", BASE, carol, "{\"name\":\"mr\"}"), 409).get("code").asText()).isEqualTo("NAME_TAKEN");

        JsonNode v1 = ok(send("POST", BASE + "/mr/versions", alice, null), 201);
        assertThat(v1.get("version").asInt()).isEqualTo(1);
        assertThat(v1.get("series_count").asInt()).isEqualTo(2);
        assertThat(v1.get("instance_count").asInt()).isEqualTo(3);
        assertThat(v1.get("code_versions")).extracting(JsonNode::asText).containsExactly("curate-1");
        assertThat(v1.at("/table_versions/instances").asLong()).isZero();
        assertThat(v1.get("frozen_by").asText()).isEqualTo("alice");
        assertThat(ok(send("GET", BASE + "/mr/versions/1", trainer, null), 200)).isEqualTo(v1);

        JsonNode page1 = ok(send("GET", BASE + "/mr/versions/1/members?limit=1", trainer, null), 200);
        assertThat(page1.get("series")).hasSize(1);
        assertThat(page1.at("/series/0/series_instance_uid").asText()).isEqualTo("S-a");
        assertThat(page1.at("/series/0/instances")).hasSize(2);
        assertThat(page1.get("next_after").asText()).isEqualTo("S-a");
        JsonNode page2 = ok(send("GET", BASE + "/mr/versions/1/members?limit=1&after=S-a", trainer, null), 200);
        assertThat(page2.at("/series/0/series_instance_uid").asText()).isEqualTo("S-b");
        assertThat(page2.get("next_after").isNull()).isTrue();

        // manifests: checksums in headers, sha256 values verify against the lake's files
        HttpResponse<byte[]> json = send("GET", BASE + "/mr/versions/1/manifest?format=json", trainer, null);
        JsonNode m = ok(json, 200);
        assertThat(json.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        String bodySha = sha256(json.body());
        assertThat(json.headers().firstValue("ETag")).hasValue("\"" + bodySha + "\"");
        assertThat(json.headers().firstValue("X-Medlake-SHA256")).hasValue(bodySha);
        assertThat(json.headers().firstValue("Digest")).hasValue("sha-256="
                + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(bodySha)));
        assertThat(m.at("/checksum/value").asText()).isEqualTo(sha256(JSON.writeValueAsBytes(m.get("instances"))));
        assertThat(m.get("instances")).hasSize(3);
        for (JsonNode row : m.get("instances")) {
            assertThat(row.get("project").asText()).isEqualTo("demo");
            byte[] stored = Files.readAllBytes(layout.resolve(row.get("location").asText()));
            assertThat(sha256(stored)).isEqualTo(row.get("sha256").asText());
            assertThat((long) stored.length).isEqualTo(row.get("size_bytes").asLong());
            HttpResponse<byte[]> download = send("GET", row.get("download_url").asText(), trainer, null);
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(sha256(download.body())).isEqualTo(row.get("sha256").asText());
        }
        HttpResponse<byte[]> csv = send("GET", BASE + "/mr/versions/1/manifest?format=csv", trainer, null);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        String[] lines = new String(csv.body(), StandardCharsets.UTF_8).split("\r\n");
        assertThat(lines[0]).isEqualTo(String.join(",", Manifest.COLUMNS));
        assertThat(lines).hasSize(4);
        assertThat(lines[1]).startsWith("demo,S-a,a.1," + m.at("/instances/0/sha256").asText());
        assertThat(csv.headers().firstValue("X-Medlake-SHA256")).hasValue(sha256(csv.body()));
        HttpResponse<byte[]> parquet = send("GET", BASE + "/mr/versions/1/manifest?format=parquet", trainer, null);
        assertThat(parquet.statusCode()).isEqualTo(200);
        assertThat(parquet.headers().firstValue("X-Medlake-SHA256")).hasValue(sha256(parquet.body()));
        ManifestParquet.Content pq = ManifestParquet.read(parquet.body());
        assertThat(pq.columns()).isEqualTo(Manifest.COLUMNS);
        assertThat(pq.rows()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode row = m.get("instances").get(i);
            assertThat(pq.rows().get(i)).containsEntry("sop_instance_uid", row.get("sop_instance_uid").asText())
                    .containsEntry("sha256", row.get("sha256").asText()).containsEntry("size_bytes", row.get("size_bytes").asLong())
                    .containsEntry("location", row.get("location").asText());
        }

        // more data is ingested and curated: a new MR series S-d, a new instance in S-a, which is re-curated by newer code
        DeltaTestTables.append(layout.table("instances"), DeltaTestTables.INSTANCES_SCHEMA, List.of(
                file("a.3", "S-a", "demo", "MR", 3), file("d.1", "S-d", "demo", "MR", 1)));
        DeltaTestTables.appendCuration(layout, List.of(
                DeltaTestTables.curation("S-a", "demo", "PASS", Map.of("modality", "MR", "code_version", "curate-2",
                        "input_fingerprint", "fp-S-a-3-instances")),
                DeltaTestTables.curation("S-d", "demo", "PASS", Map.of("modality", "MR", "code_version", "curate-2"))));
        indexer.index(layout);

        assertThat(ok(send("GET", BASE + "/mr/versions/1", alice, null), 200)).isEqualTo(v1);
        assertThat(send("GET", BASE + "/mr/versions/1/manifest?format=json", alice, null).body()).isEqualTo(json.body());
        assertThat(send("GET", BASE + "/mr/versions/1/manifest?format=csv", alice, null).body()).isEqualTo(csv.body());
        assertThat(send("GET", BASE + "/mr/versions/1/manifest?format=parquet", alice, null).body()).isEqualTo(parquet.body());
        JsonNode frozenMembers = ok(send("GET", BASE + "/mr/versions/1/members", alice, null), 200);
        assertThat(frozenMembers.get("series")).hasSize(2);
        assertThat(frozenMembers.at("/series/0/instances")).hasSize(2);
        assertThat(frozenMembers.at("/series/0/code_version").asText()).isEqualTo("curate-1");

        JsonNode v2 = ok(send("POST", BASE + "/mr/versions", carol, "{}"), 201);
        assertThat(v2.get("version").asInt()).isEqualTo(2);
        assertThat(v2.get("series_count").asInt()).isEqualTo(3);
        assertThat(v2.get("members_sha256").asText()).isNotEqualTo(v1.get("members_sha256").asText());
        assertThat(v2.get("code_versions")).extracting(JsonNode::asText).containsExactly("curate-1", "curate-2");
        assertThat(v2.at("/table_versions/instances").asLong()).isEqualTo(1);
        assertThat(send("GET", BASE + "/mr/versions/2/manifest", alice, null).body()).isNotEqualTo(json.body());

        JsonNode diff = ok(send("GET", BASE + "/mr/diff?from=1&to=2", trainer, null), 200);
        assertThat(diff.get("identical").asBoolean()).isFalse();
        assertThat(diff.get("series_added")).extracting(JsonNode::asText).containsExactly("S-d");
        assertThat(diff.get("series_removed")).isEmpty();
        assertThat(diff.at("/series_changed/0/series_instance_uid").asText()).isEqualTo("S-a");
        assertThat(diff.at("/series_changed/0/instances_added")).extracting(JsonNode::asText).containsExactly("a.3");
        assertThat(diff.get("series_unchanged").asInt()).isEqualTo(1);
        assertThat(ok(send("GET", BASE + "/mr/diff?from=2&to=2", trainer, null), 200).get("identical").asBoolean()).isTrue();

        // conditional GET of a manifest
        HttpResponse<byte[]> notModified = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + BASE
                        + "/mr/versions/1/manifest?format=json")).header("Authorization", "Bearer " + alice)
                .header("If-None-Match", "\"" + bodySha + "\"").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();

        JsonNode got = ok(send("GET", BASE + "/mr", alice, null), 200);
        assertThat(got.get("latest_version").asInt()).isEqualTo(2);
        assertThat(got.get("versions")).hasSize(2);
        JsonNode list = ok(send("GET", BASE, trainer, null), 200);
        assertThat(list.get("cohorts")).extracting(c -> c.get("name").asText()).contains("mr");
    }

    @Test
    void concurrentFreezesGetDistinctVersions() throws Exception {
        ok(send("POST", BASE, alice, "{\"name\":\"parallel\",\"query\":{\"eq\":{\"modality\":\"MR\"}}}"), 201);
        List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(server.baseUrl() + BASE + "/parallel/versions"))
                    .header("Authorization", "Bearer " + (i % 2 == 0 ? alice : carol))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        List<Integer> versions = new ArrayList<>();
        for (var call : calls) {
            versions.add(ok(call.get(), 201).get("version").asInt());
        }
        assertThat(versions).containsExactlyInAnyOrder(1, 2, 3, 4);
        JsonNode cohort = ok(send("GET", BASE + "/parallel", alice, null), 200);
        assertThat(cohort.get("versions")).extracting(v -> v.get("version").asInt()).containsExactly(1, 2, 3, 4);
        assertThat(cohort.get("versions")).extracting(v -> v.get("members_sha256").asText()).containsOnly(
                cohort.at("/versions/0/members_sha256").asText());
    }

    @Test
    void frozenVersionsCannotBeChanged() throws Exception {
        ok(send("POST", BASE, alice, "{\"name\":\"immutable\",\"query\":{\"eq\":{\"modality\":\"CT\"}}}"), 201);
        JsonNode v1 = ok(send("POST", BASE + "/immutable/versions", alice, null), 201);
        byte[] manifest = send("GET", BASE + "/immutable/versions/1/manifest", alice, null).body();
        for (String method : List.of("PUT", "PATCH", "DELETE")) {
            for (String path : List.of(BASE + "/immutable", BASE + "/immutable/versions/1",
                    BASE + "/immutable/versions/1/members", BASE + "/immutable/versions/1/manifest")) {
                int status = send(method, path, carol, "{\"query\":{}}").statusCode();
                assertThat(status).as(method + " " + path).isIn(404, 405);
            }
        }
        assertThat(send("POST", BASE + "/immutable/versions/1", carol, "{}").statusCode()).isIn(404, 405);
        problem(send("POST", BASE + "/immutable/versions", alice, "{\"query\":{}}"), 400);
        problem(send("POST", BASE, alice, "{\"name\":\"immutable\",\"query\":{}}"), 409);
        assertThat(ok(send("GET", BASE + "/immutable/versions/1", alice, null), 200)).isEqualTo(v1);
        assertThat(send("GET", BASE + "/immutable/versions/1/manifest", alice, null).body()).isEqualTo(manifest);
        assertThat(ok(send("GET", BASE + "/immutable", alice, null), 200).at("/query/eq/modality").asText()).isEqualTo("CT");
    }

    @Test
    void rolesDecideWhoSeesCreatesAndFreezes() throws Exception {
        ok(send("POST", BASE, alice, "{\"name\":\"roles\"}"), 201);
        // bob is not in demo: nothing about its cohorts is revealed
        problem(send("GET", BASE, bob, null), 404);
        problem(send("GET", BASE + "/roles", bob, null), 404);
        problem(send("POST", BASE, bob, "{\"name\":\"mine\"}"), 404);
        problem(send("POST", BASE + "/roles/versions", bob, null), 404);
        problem(send("GET", BASE + "/nope", bob, null), 404);
        // viewers read but neither create nor freeze
        assertThat(problem(send("POST", BASE, trainer, "{\"name\":\"mine\"}"), 403).get("code").asText()).isEqualTo("FORBIDDEN");
        assertThat(problem(send("POST", BASE + "/roles/versions", trainer, null), 403).get("code").asText()).isEqualTo("FORBIDDEN");
        assertThat(problem(send("POST", "/api/v1/projects/other/cohorts", bob, "{\"name\":\"x\"}"), 403).get("code").asText())
                .isEqualTo("FORBIDDEN");
        assertThat(ok(send("GET", "/api/v1/projects/other/cohorts", bob, null), 200).get("cohorts")).isEmpty();
        ok(send("GET", BASE + "/roles", trainer, null), 200);
        // editors and admins freeze; the version is restricted to the cohort's project
        JsonNode v = ok(send("POST", BASE + "/roles/versions", carol, null), 201);
        assertThat(v.get("series_count").asInt()).isGreaterThanOrEqualTo(3);
        JsonNode members = ok(send("GET", BASE + "/roles/versions/1/members?limit=1000", alice, null), 200);
        List<String> series = new ArrayList<>();
        members.get("series").forEach(s -> series.add(s.get("series_instance_uid").asText()));
        assertThat(series).doesNotContain("S-o", "S-fail").contains("S-a", "S-b", "S-c");
        problem(send("GET", BASE + "/roles", null, null), 401);
    }

    @Test
    void invalidInputIs400NeverA500() throws Exception {
        ok(send("POST", BASE, alice, "{\"name\":\"valid\"}"), 201);
        assertThat(problem(send("POST", BASE, alice, "{\"query\":{}}"), 400).get("detail").asText()).contains("'name'");
        assertThat(problem(send("POST", BASE, alice, "{\"name\":\"has space\"}"), 400).get("detail").asText()).contains("letters");
        assertThat(problem(send("POST", BASE, alice, "{\"name\":\"x\",\"query\":{\"eq\":{\"colour\":\"red\"}}}"), 400)
                .get("detail").asText()).contains("colour");
        assertThat(problem(send("POST", BASE, alice, "{\"name\":\"x\",\"query\":{\"like\":{}}}"), 400).get("code").asText())
                .isEqualTo("USER_ERROR");
        assertThat(problem(send("POST", BASE, alice, "{\"name\":\"x\",\"owner\":\"me\"}"), 400).get("detail").asText()).contains("'owner'");
        problem(send("POST", BASE, alice, "{\"name\":"), 400);
        problem(send("POST", BASE, alice, "[1]"), 400);
        problem(send("POST", BASE, alice, "{\"name\":42}"), 400);
        problem(send("POST", BASE, alice, "{\"name\":\"x\",\"description\":[1]}"), 400);
        ok(send("POST", BASE + "/valid/versions", alice, null), 201);
        assertThat(problem(send("GET", BASE + "/valid/versions/1/manifest?format=xlsx", alice, null), 400).get("detail").asText())
                .contains("format=csv");
        problem(send("GET", BASE + "/valid/versions/abc", alice, null), 400);
        problem(send("GET", BASE + "/valid/versions/0/manifest", alice, null), 400);
        problem(send("GET", BASE + "/valid/versions/99", alice, null), 404);
        problem(send("GET", BASE + "/valid/versions/1/members?limit=0", alice, null), 400);
        problem(send("GET", BASE + "/valid/versions/1/members?limit=many", alice, null), 400);
        problem(send("GET", BASE + "/valid/diff?to=1", alice, null), 400);
        problem(send("GET", BASE + "/valid/diff?from=1&to=7", alice, null), 404);
        problem(send("POST", BASE + "/missing/versions", alice, null), 404);
    }
}
