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
    private static byte[] demoFile;
    private static String demoSha;

    @BeforeAll
    static void start() throws Exception {
        String esUrl = MedlakeServices.elasticsearchUrl();
        String issuer = KeycloakTestRealm.issuer();
        alice = KeycloakTestRealm.passwordToken("alice", "alice").raw();
        bob = KeycloakTestRealm.passwordToken("bob", "bob").raw();

        emptyServer = new ApiServer(new ServerConfig(emptyLake, "127.0.0.1", FreePorts.next(), esUrl, issuer));
        emptyServer.start();

        // A lake with one demo series (2 files on disk) and one series of project other.
        LakeLayout layout = LakeLayout.at(lake);
        demoFile = "DICM-demo-instance-1".getBytes(StandardCharsets.UTF_8);
        demoSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(demoFile));
        Path object = layout.resolve(LakeLayout.objectKey(demoSha));
        Files.createDirectories(object.getParent());
        Files.write(object, demoFile);
        DeltaTestTables.append(layout.table("instances"), DeltaTestTables.INSTANCES_SCHEMA, List.of(
                DeltaTestTables.instance("1.1", "S-demo", "demo", demoFile.length,
                        Map.of("sha256", demoSha, "location", LakeLayout.objectKey(demoSha), "instance_number", 1)),
                DeltaTestTables.instance("1.2", "S-demo", "demo", 5, Map.of("instance_number", 2)),
                DeltaTestTables.instance("2.1", "S-other", "other", 7, Map.of())));
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
            es.indices().delete(d -> d.index(NAMES.index()).ignoreUnavailable(true));
            SeriesIndex.close(es);
        }
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
        assertThat(assertProblem(call(emptyServer, "POST", "/api/v1/series/search", alice, "{\"size\":0}"), 400)
                .get("detail").asText()).contains("size");
    }

    @Test
    void searchIsFilteredToTheCallersProjects() throws Exception {
        JsonNode a = JSON.readTree(call(dataServer, "POST", "/api/v1/series/search", alice, "{}").body());
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
        HttpResponse<String> r = call(dataServer, "GET", "/api/v1/series/S-new/instances", alice, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
}
