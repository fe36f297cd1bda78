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
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.access.TokenAuthenticator;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.index.SeriesIndexer;
import org.medlake.cohort.search.SeriesSearch;
import org.medlake.cohort.release.CurationTables;
import org.medlake.cohort.testing.DeltaTestTables;
import org.medlake.lake.LakeLayout;
import org.medlake.testkit.FreePorts;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;
import org.medlake.testkit.Token;

/** The REST API against the real Keycloak and Elasticsearch. */
class ApiServerIT {
    @TempDir
    static Path emptyLake;
    @TempDir
    static Path lake;

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SeriesIndex.Names NAMES = SeriesIndex.isolated("api-it-" + UUID.randomUUID().toString().substring(0, 8));

    private static ApiServer emptyServer;
    private static ApiServer dataServer;
    private static ElasticsearchClient es;
    private static String alice;
    private static String bob;
    private static String carol;
    private static byte[] demoFile;
    private static String demoSha;
    private static String failSha;
    private static String overrideSha;

    @BeforeAll
    static void start() throws Exception {
        String esUrl = MedlakeServices.elasticsearchUrl();
        String issuer = KeycloakTestRealm.issuer();
        alice = KeycloakTestRealm.passwordToken("alice", "alice").raw();
        bob = KeycloakTestRealm.passwordToken("bob", "bob").raw();
        DevUsers.ensureProjectAdmin("carol", "demo");
        carol = KeycloakTestRealm.passwordToken("carol", "carol").raw();

        emptyServer = new ApiServer(new ServerConfig(emptyLake, "127.0.0.1", FreePorts.next(), esUrl, issuer));
        emptyServer.start();

        // A lake with one released demo series (2 instances, 1 file on disk), one series of project other, and
        // unreleased demo series: S-fail and S-ovr (de-id FAIL, a file each) and S-never (never curated).
        LakeLayout layout = LakeLayout.at(lake);
        demoFile = "DICM-demo-instance-1".getBytes(StandardCharsets.UTF_8);
        demoSha = store(layout, demoFile);
        failSha = store(layout, "DICM-failed-instance".getBytes(StandardCharsets.UTF_8));
        overrideSha = store(layout, "DICM-overridden-instance".getBytes(StandardCharsets.UTF_8));
        DeltaTestTables.append(layout.table("instances"), DeltaTestTables.INSTANCES_SCHEMA, List.of(
                DeltaTestTables.instance("1.1", "S-demo", "demo", demoFile.length,
                        Map.of("sha256", demoSha, "location", LakeLayout.objectKey(demoSha), "instance_number", 1)),
                DeltaTestTables.instance("1.2", "S-demo", "demo", 5, Map.of("instance_number", 2)),
                DeltaTestTables.instance("2.1", "S-other", "other", 7, Map.of()),
                DeltaTestTables.instance("4.1", "S-fail", "demo", 20, Map.of("sha256", failSha, "location", LakeLayout.objectKey(failSha))),
                DeltaTestTables.instance("5.1", "S-ovr", "demo", 24, Map.of("sha256", overrideSha, "location", LakeLayout.objectKey(overrideSha))),
                DeltaTestTables.instance("6.1", "S-never", "demo", 1, Map.of())));
        DeltaTestTables.appendCuration(layout, List.of(
                DeltaTestTables.curation("S-demo", "demo", "PASS", Map.of()),
                DeltaTestTables.curation("S-other", "other", "PASS", Map.of()),
                DeltaTestTables.curation("S-fail", "demo", "FAIL", Map.of()),
                DeltaTestTables.curation("S-ovr", "demo", "FAIL", Map.of())));
        es = SeriesIndex.connect(esUrl);
        new SeriesIndexer(es, new DeltaTableReader(), esUrl, NAMES).index(layout);
        dataServer = new ApiServer(new ServerConfig(lake, "127.0.0.1", 0, esUrl, issuer),
                new TokenAuthenticator(issuer), new SeriesSearch(es, esUrl, NAMES),
                new InstanceCatalog(layout, new DeltaTableReader()));
        dataServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (emptyServer != null) emptyServer.stop();
        if (dataServer != null) dataServer.stop();
        if (es != null) {
            SeriesIndex.drop(es, NAMES);
            SeriesIndex.close(es);
        }
    }

    private static String store(LakeLayout layout, byte[] content) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Path object = layout.resolve(LakeLayout.objectKey(sha));
        Files.createDirectories(object.getParent());
        Files.write(object, content);
        return sha;
    }

    private static HttpResponse<String> call(ApiServer server, String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode assertProblem(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.has("type") && p.has("title") && p.has("detail") && p.has("code")).isTrue();
        assertThat(r.body()).doesNotContain("\tat ").doesNotContain("Exception:");
        return p;
    }

    @Test
    void healthNeedsNoToken() throws Exception {
        HttpResponse<String> r = call(emptyServer, "GET", "/api/v1/health", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("status").asText()).isEqualTo("ok");
    }

    @Test
    void missingTokenIs401() throws Exception {
        HttpResponse<String> r = call(emptyServer, "POST", "/api/v1/series/search", null, "{}");
        assertProblem(r, 401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
        assertProblem(call(emptyServer, "GET", "/api/v1/instances/1.1/file", null, null), 401);
        assertProblem(call(emptyServer, "GET", "/api/v1/nowhere", null, null), 401);
    }

    @Test
    void tamperedSignatureIs401() throws Exception {
        int i = alice.lastIndexOf('.') + 5;
        String tampered = alice.substring(0, i) + (alice.charAt(i) == 'x' ? 'y' : 'x') + alice.substring(i + 1);
        HttpResponse<String> r = call(emptyServer, "POST", "/api/v1/series/search", tampered, "{}");
        assertThat(assertProblem(r, 401).get("detail").asText()).contains("signature");
        assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
    }

    @Test
    void expiredTokenIs401() throws Exception {
        Token t = KeycloakTestRealm.shortLivedToken();
        Thread.sleep(Math.max(0, t.expiresAt().toEpochMilli() - Instant.now().toEpochMilli() + 1100));
        HttpResponse<String> r = call(emptyServer, "POST", "/api/v1/series/search", t.raw(), "{}");
        assertThat(assertProblem(r, 401).get("detail").asText()).contains("expired");
        assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
    }

    @Test
    void aliceSearchesAnEmptyLake() throws Exception {
        HttpResponse<String> r = call(emptyServer, "POST", "/api/v1/series/search", alice, "{\"query\":{},\"size\":10}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.has("total") && body.get("series").isArray() && body.has("next_search_after")).isTrue();
        // No instances table: series lookups are 404, not 500.
        assertProblem(call(emptyServer, "GET", "/api/v1/series/S-demo/instances", alice, null), 404);
    }

    @Test
    void badRequestsAre400NamingTheProblem() throws Exception {
        JsonNode p = assertProblem(call(emptyServer, "POST", "/api/v1/series/search", alice,
                "{\"query\":{\"eq\":{\"colour\":\"red\"}}}"), 400);
        assertThat(p.get("detail").asText()).contains("colour");
        assertThat(p.get("code").asText()).isEqualTo("USER_ERROR");
        assertThat(assertProblem(call(emptyServer, "POST", "/api/v1/series/search", alice, "{\"query\":"), 400)
                .get("detail").asText()).contains("not valid JSON");
        assertThat(assertProblem(call(emptyServer, "POST", "/api/v1/series/search", alice, "{\"limit\":3}"), 400)
                .get("detail").asText()).contains("'limit'");
        assertThat(assertProblem(call(emptyServer, "POST", "/api/v1/series/search", alice, "{\"size\":1001}"), 400)
                .get("detail").asText()).contains("size");
    }

    @Test
    void searchIsFilteredToTheCallersProjects() throws Exception {
        JsonNode a = JSON.readTree(call(dataServer, "POST", "/api/v1/series/search", alice,
                "{\"query\":{\"in\":{\"series_instance_uid\":[\"S-demo\",\"S-other\",\"S-fail\",\"S-never\"]}}}").body());
        assertThat(a.get("total").asLong()).isEqualTo(1);
        assertThat(a.at("/series/0/series_instance_uid").asText()).isEqualTo("S-demo");
        assertThat(a.at("/series/0/instance_count").asInt()).isEqualTo(2);
        JsonNode b = JSON.readTree(call(dataServer, "POST", "/api/v1/series/search", bob,
                "{\"query\":{\"eq\":{\"project\":\"demo\"}}}").body());
        assertThat(b.get("total").asLong()).isZero();
    }

    @Test
    void instancesAndDownload() throws Exception {
        HttpResponse<String> list = call(dataServer, "GET", "/api/v1/series/S-demo/instances", alice, null);
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        JsonNode l = JSON.readTree(list.body());
        assertThat(l.get("series_instance_uid").asText()).isEqualTo("S-demo");
        assertThat(l.get("instances")).hasSize(2);
        assertThat(l.at("/instances/0/sop_instance_uid").asText()).isEqualTo("1.1");
        assertThat(l.at("/instances/0/sha256").asText()).isEqualTo(demoSha);
        assertProblem(call(dataServer, "GET", "/api/v1/series/S-demo/instances", bob, null), 404);

        HttpResponse<byte[]> file = HTTP.send(HttpRequest.newBuilder(URI.create(dataServer.baseUrl() + "/api/v1/instances/1.1/file"))
                .header("Authorization", "Bearer " + alice).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.body()).isEqualTo(demoFile);
        assertThat(file.headers().firstValue("Content-Type").orElse("")).startsWith("application/dicom");
        assertThat(file.headers().firstValue("Content-Length")).hasValue(String.valueOf(demoFile.length));
        assertThat(file.headers().firstValue("X-Medlake-SHA256")).hasValue(demoSha);

        assertProblem(call(dataServer, "GET", "/api/v1/instances/1.1/file", bob, null), 404);
        assertProblem(call(dataServer, "GET", "/api/v1/instances/9.9/file", alice, null), 404);
        assertProblem(call(dataServer, "GET", "/api/v1/no-such-route", alice, null), 404);
    }

    @Test
    void catalogFollowsNewTableVersions() throws Exception {
        assertProblem(call(dataServer, "GET", "/api/v1/series/S-new/instances", alice, null), 404);
        DeltaTestTables.append(LakeLayout.at(lake).table("instances"), DeltaTestTables.INSTANCES_SCHEMA,
                List.of(DeltaTestTables.instance("3.1", "S-new", "demo", 3, Map.of())));
        // ingested but not curated yet: visible, not served
        assertThat(assertProblem(call(dataServer, "GET", "/api/v1/series/S-new/instances", alice, null), 403)
                .get("code").asText()).isEqualTo("NOT_RELEASED");
        DeltaTestTables.appendCuration(LakeLayout.at(lake), List.of(DeltaTestTables.curation("S-new", "demo", "REVIEW", Map.of())));
        HttpResponse<String> r = call(dataServer, "GET", "/api/v1/series/S-new/instances", alice, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void unreleasedSeriesAreNeitherFoundNorServed() throws Exception {
        JsonNode found = JSON.readTree(call(dataServer, "POST", "/api/v1/series/search", alice,
                "{\"query\":{\"in\":{\"series_instance_uid\":[\"S-fail\",\"S-never\"]}}}").body());
        assertThat(found.get("total").asLong()).isZero();
        assertThat(JSON.readTree(call(dataServer, "POST", "/api/v1/series/search", alice,
                "{\"query\":{\"eq\":{\"deid_status\":\"FAIL\"}}}").body()).get("total").asLong()).isZero();

        JsonNode listFail = assertProblem(call(dataServer, "GET", "/api/v1/series/S-fail/instances", alice, null), 403);
        assertThat(listFail.get("code").asText()).isEqualTo("NOT_RELEASED");
        assertThat(listFail.get("detail").asText()).contains("de-identification check FAILed").contains("re-curate")
                .contains("/api/v1/series/S-fail/deid-override");
        JsonNode fileFail = assertProblem(call(dataServer, "GET", "/api/v1/instances/4.1/file", alice, null), 403);
        assertThat(fileFail.get("code").asText()).isEqualTo("NOT_RELEASED");
        JsonNode never = assertProblem(call(dataServer, "GET", "/api/v1/instances/6.1/file", alice, null), 403);
        assertThat(never.get("detail").asText()).contains("not been curated");
        // outside the project it stays 404: nothing is revealed about the series
        assertThat(assertProblem(call(dataServer, "GET", "/api/v1/series/S-fail/instances", bob, null), 404)
                .get("code").asText()).isEqualTo("USER_ERROR");
        assertProblem(call(dataServer, "GET", "/api/v1/instances/4.1/file", bob, null), 404);
    }

    @Test
    void overrideNeedsTheProjectAdminAndAValidBody() throws Exception {
        String path = "/api/v1/series/S-fail/deid-override";
        String body = "{\"reason\":\"burned-in text checked by hand: none\"}";
        assertThat(assertProblem(call(dataServer, "POST", path, alice, body), 403).get("code").asText()).isEqualTo("FORBIDDEN");
        assertProblem(call(dataServer, "POST", path, bob, body), 404);
        assertProblem(call(dataServer, "POST", "/api/v1/series/S-unknown/deid-override", carol, body), 404);
        assertProblem(call(dataServer, "POST", path, null, body), 401);

        assertThat(assertProblem(call(dataServer, "POST", path, carol, "{}"), 400).get("detail").asText()).contains("'reason'");
        assertThat(assertProblem(call(dataServer, "POST", path, carol, "{\"reason\":\"ok\"}"), 400).get("detail").asText())
                .contains("'reason'");
        assertThat(assertProblem(call(dataServer, "POST", path, carol, "{\"reason\":\"reviewed every image\",\"action\":\"ALLOW\"}"), 400)
                .get("detail").asText()).contains("'action'");
        assertThat(assertProblem(call(dataServer, "POST", path, carol, "{\"reason\":\"reviewed every image\",\"by\":\"me\"}"), 400)
                .get("detail").asText()).contains("'by'");
        assertThat(assertProblem(call(dataServer, "POST", "/api/v1/series/S-never/deid-override", carol, body), 409)
                .get("code").asText()).isEqualTo("NOT_CURATED");
        assertThat(assertProblem(call(dataServer, "POST", "/api/v1/series/S-demo/deid-override", carol, body), 409)
                .get("code").asText()).isEqualTo("NOT_FAILED");
        // none of the refusals released anything
        assertThat(assertProblem(call(dataServer, "GET", "/api/v1/series/S-fail/instances", alice, null), 403)
                .get("code").asText()).isEqualTo("NOT_RELEASED");
    }

    @Test
    void adminOverrideReleasesAndRevokeWithdraws() throws Exception {
        String search = "{\"query\":{\"eq\":{\"series_instance_uid\":\"S-ovr\"}}}";
        assertThat(JSON.readTree(call(dataServer, "POST", "/api/v1/series/search", alice, search).body()).get("total").asLong()).isZero();
        assertProblem(call(dataServer, "GET", "/api/v1/instances/5.1/file", alice, null), 403);

        HttpResponse<String> created = call(dataServer, "POST", "/api/v1/series/S-ovr/deid-override", carol,
                "{\"reason\":\"reviewed: the flagged text is the scanner's name\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode o = JSON.readTree(created.body());
        assertThat(o.get("series_instance_uid").asText()).isEqualTo("S-ovr");
        assertThat(o.get("project").asText()).isEqualTo("demo");
        assertThat(o.get("action").asText()).isEqualTo("OVERRIDE");
        assertThat(o.get("user").asText()).isEqualTo("carol");
        assertThat(o.get("input_fingerprint").asText()).isEqualTo("fp-S-ovr");
        assertThat(o.get("released").asBoolean()).isTrue();
        assertThat(o.get("deid_override").asBoolean()).isTrue();
        assertThat(o.get("override_id").asText()).isNotBlank();
        assertThat(Instant.parse(o.get("at").asText())).isBefore(Instant.now().plusSeconds(1));

        // search sees it at once, and downloads work
        JsonNode found = JSON.readTree(call(dataServer, "POST", "/api/v1/series/search", alice, search).body());
        assertThat(found.get("total").asLong()).isEqualTo(1);
        assertThat(found.at("/series/0/deid_override").asBoolean()).isTrue();
        assertThat(found.at("/series/0/deid_status").asText()).isEqualTo("FAIL");
        assertThat(call(dataServer, "GET", "/api/v1/series/S-ovr/instances", alice, null).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> file = HTTP.send(HttpRequest.newBuilder(URI.create(dataServer.baseUrl() + "/api/v1/instances/5.1/file"))
                .header("Authorization", "Bearer " + alice).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.headers().firstValue("X-Medlake-SHA256")).hasValue(overrideSha);

        // the Delta table is the durable record
        var rows = new DeltaTableReader().read(LakeLayout.at(lake).table(CurationTables.DEID_OVERRIDES), List.of())
                .orElseThrow().rows();
        assertThat(rows).anySatisfy(r -> assertThat(r).containsEntry("override_id", o.get("override_id").asText())
                .containsEntry("series_instance_uid", "S-ovr").containsEntry("user", "carol")
                .containsEntry("action", "OVERRIDE").containsEntry("input_fingerprint", "fp-S-ovr")
                .containsEntry("reason", "reviewed: the flagged text is the scanner's name"));

        HttpResponse<String> revoked = call(dataServer, "POST", "/api/v1/series/S-ovr/deid-override", carol,
                "{\"reason\":\"second reader found a name in the overlay\",\"action\":\"REVOKE\"}");
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(201);
        assertThat(JSON.readTree(revoked.body()).get("released").asBoolean()).isFalse();
        assertThat(JSON.readTree(call(dataServer, "POST", "/api/v1/series/search", alice, search).body()).get("total").asLong()).isZero();
        assertThat(assertProblem(call(dataServer, "GET", "/api/v1/instances/5.1/file", alice, null), 403)
                .get("code").asText()).isEqualTo("NOT_RELEASED");
    }
}
