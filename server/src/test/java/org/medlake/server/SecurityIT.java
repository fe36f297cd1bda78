package org.medlake.server;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.access.TokenAuthenticator;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.index.SeriesIndexer;
import org.medlake.cohort.search.SeriesSearch;
import org.medlake.cohort.testing.DeltaTestTables;
import org.medlake.lake.LakeLayout;
import org.medlake.server.audit.AuditMain;
import org.medlake.server.audit.AuditTamper;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;
import org.medlake.testkit.Token;

/**
 * Attacks on the REST API against the real Keycloak and Elasticsearch: forged and foreign tokens (401), cross-project
 * access to search, cohorts, files and NIfTI (403/404, never data), path tricks on the file routes (never 200),
 * privilege escalation through the membership API, role revocation taking effect with the next token, and the
 * audit trail (entries for every request; its hash chain verifies, and fails after a forged commit). Prints the
 * table of attack cases and status codes (also written to {@code target/security-cases.md}; docs/security.md).
 * Needs no corpus.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {
    @TempDir
    static Path tmp;

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SeriesIndex.Names NAMES = SeriesIndex.isolated("security-it-" + UUID.randomUUID().toString().substring(0, 8));
    private static final String DAVE = "sec-dave-" + UUID.randomUUID().toString().substring(0, 6);
    private static final List<String[]> CASES = new ArrayList<>();

    private static Path lake;
    private static ApiServer server;
    private static ElasticsearchClient es;
    private static String alice;
    private static String bob;
    private static String carol;
    private static String admin;
    private static byte[] demoFile;

    @BeforeAll
    static void start() throws Exception {
        String esUrl = MedlakeServices.elasticsearchUrl();
        String issuer = KeycloakTestRealm.issuer();
        SecurityRealm.ensureAdminClient();
        DevUsers.ensureProjectAdmin("carol", "demo");
        alice = KeycloakTestRealm.passwordToken("alice", "alice").raw();
        bob = KeycloakTestRealm.passwordToken("bob", "bob").raw();
        carol = KeycloakTestRealm.passwordToken("carol", "carol").raw();
        admin = KeycloakTestRealm.passwordToken("admin", "admin").raw();

        lake = tmp.resolve("lake");
        Files.createDirectories(lake);
        Files.writeString(tmp.resolve("secret.txt"), "SECRET-OUTSIDE-THE-LAKE");
        LakeLayout layout = LakeLayout.at(lake);
        demoFile = "DICM-demo-security".getBytes(StandardCharsets.UTF_8);
        String demoSha = store(layout, demoFile);
        String otherSha = store(layout, "DICM-other-security".getBytes(StandardCharsets.UTF_8));
        List<Map<String, Object>> instances = List.of(
                DeltaTestTables.instance("1.1", "S-demo", "demo", demoFile.length,
                        Map.of("sha256", demoSha, "location", LakeLayout.objectKey(demoSha))),
                DeltaTestTables.instance("2.1", "S-other", "other", 19,
                        Map.of("sha256", otherSha, "location", LakeLayout.objectKey(otherSha))),
                DeltaTestTables.instance("7.1", "S-evil", "demo", 10, Map.of("location", "../secret.txt")),
                DeltaTestTables.instance("7.2", "S-evil", "demo", 10, Map.of("location", "/etc/passwd")));
        DeltaTestTables.append(layout.table("instances"), DeltaTestTables.INSTANCES_SCHEMA, instances);
        DeltaTestTables.appendCuration(layout, DeltaTestTables.passFor(instances));
        DeltaTestTables.append(layout.table("nifti"), DownloadsIT.NIFTI_SCHEMA, List.of(
                nifti(layout, "S-demo", "demo", "derived/nifti/S-demo/a.nii.gz", true),
                nifti(layout, "S-other", "other", "derived/nifti/S-other/a.nii.gz", true),
                nifti(layout, "S-evil", "demo", "../secret.txt", false)));
        es = SeriesIndex.connect(esUrl);
        new SeriesIndexer(es, new DeltaTableReader(), esUrl, NAMES).index(layout);
        server = new ApiServer(new ServerConfig(lake, "127.0.0.1", 0, esUrl, issuer), new TokenAuthenticator(issuer),
                new SeriesSearch(es, esUrl, NAMES), new InstanceCatalog(layout, new DeltaTableReader()));
        server.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (es != null) {
            SeriesIndex.drop(es, NAMES);
            SeriesIndex.close(es);
        }
        StringBuilder table = new StringBuilder("| attack case | expected | got |\n|---|---|---|\n");
        for (String[] c : CASES) {
            table.append("| ").append(c[0].replace("|", "\\|")).append(" | ").append(c[1]).append(" | ").append(c[2]).append(" |\n");
        }
        System.out.println("\n==== SecurityIT attack cases (" + CASES.size() + ") ====\n" + table);
        Path out = Path.of("target", "security-cases.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table.toString());
    }

    private static String store(LakeLayout layout, byte[] content) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Path object = layout.resolve(LakeLayout.objectKey(sha));
        Files.createDirectories(object.getParent());
        Files.write(object, content);
        return sha;
    }

    private static Map<String, Object> nifti(LakeLayout layout, String series, String project, String location, boolean write)
            throws Exception {
        if (write) {
            Path f = layout.resolve(location);
            Files.createDirectories(f.getParent());
            Files.write(f, ("NIFTI-" + series).getBytes(StandardCharsets.UTF_8));
        }
        Map<String, Object> r = new HashMap<>();
        r.put("series_instance_uid", series);
        r.put("project", project);
        r.put("status", "CONVERTED");
        r.put("output_index", 0);
        r.put("name", series);
        r.put("location", location);
        r.put("converted_at", Instant.parse("2026-01-01T00:00:00Z"));
        return r;
    }

    private static HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
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

    /** Records the case and asserts the status. */
    private static HttpResponse<String> expect(String name, int status, String method, String path, String token,
                                               String body) throws Exception {
        HttpResponse<String> r = call(method, path, token, body);
        CASES.add(new String[] {name, String.valueOf(status), String.valueOf(r.statusCode())});
        assertThat(r.statusCode()).as(name + ": " + r.body()).isEqualTo(status);
        if (status >= 400) {
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
        if (status == 401) {
            assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
        }
        return r;
    }

    /** A raw HTTP/1.1 request (the path is sent byte for byte, no client normalization); returns status and body. */
    private static String[] raw(String path, String token) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            String response = buf.toString(StandardCharsets.ISO_8859_1);
            String status = response.length() >= 12 ? response.substring(9, 12) : "???";
            return new String[] {status, response};
        }
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String b64(String s) {
        return b64(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String part(String jwt, int i) {
        return new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[i]), StandardCharsets.UTF_8);
    }

    // ---- 401: tokens ----

    @Test
    @Order(1)
    void forgedAndForeignTokensAre401() throws Exception {
        String search = "/api/v1/series/search";
        String q = "{\"query\":{}}";
        expect("no token", 401, "POST", search, null, q);
        expect("not a JWT ('Bearer abc')", 401, "POST", search, "abc", q);
        String[] p = alice.split("\\.");
        JsonNode header = JSON.readTree(part(alice, 0));
        String kid = header.path("kid").asText();
        String elevated = part(alice, 1).replace("/projects/demo/editor", "/projects/other/admin");

        expect("alg=none, no signature", 401, "POST", search,
                b64("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}") + "." + p[1] + ".", q);
        expect("alg=none, original signature kept", 401, "POST", search,
                b64("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}") + "." + p[1] + "." + p[2], q);
        int i = p[2].length() / 2;
        String flipped = p[2].substring(0, i) + (p[2].charAt(i) == 'A' ? 'B' : 'A') + p[2].substring(i + 1);
        expect("tampered signature", 401, "POST", search, p[0] + "." + p[1] + "." + flipped, q);
        expect("tampered payload (groups elevated), original signature", 401, "POST", search,
                p[0] + "." + b64(elevated) + "." + p[2], q);

        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair mine = gen.generateKeyPair();
        String h = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}");
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(mine.getPrivate());
        sig.update((h + "." + b64(elevated)).getBytes(StandardCharsets.US_ASCII));
        expect("foreign RSA key, realm key's kid, RS256", 401, "POST", search, h + "." + b64(elevated) + "." + b64(sig.sign()), q);

        String unknownKid = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"attacker-kid\"}");
        sig.initSign(mine.getPrivate());
        sig.update((unknownKid + "." + b64(elevated)).getBytes(StandardCharsets.US_ASCII));
        expect("foreign RSA key, unknown kid", 401, "POST", search, unknownKid + "." + b64(elevated) + "." + b64(sig.sign()), q);

        String hs = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KeycloakTestRealm.jwksUri().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        expect("alg=HS256 (key confusion), realm kid", 401, "POST", search,
                hs + "." + b64(elevated) + "." + b64(mac.doFinal((hs + "." + b64(elevated)).getBytes(StandardCharsets.US_ASCII))), q);

        expect("wrong issuer: master realm token", 401, "POST", search, KeycloakTestRealm.masterAdminToken(), q);
        expect("wrong audience: client without the audience mapper", 401, "POST", search,
                SecurityRealm.noAudienceToken().raw(), q);

        Token shortLived = KeycloakTestRealm.shortLivedToken();
        expect("short-lived token while valid", 200, "POST", search, shortLived.raw(), q);
        Thread.sleep(Math.max(0, shortLived.expiresAt().toEpochMilli() - System.currentTimeMillis() + 1500));
        expect("expired token", 401, "POST", search, shortLived.raw(), q);
        expect("no token on a file download", 401, "GET", "/api/v1/instances/1.1/file", null, null);
        expect("no token on the audit log", 401, "GET", "/api/v1/audit", null, null);
        expect("no token on the membership API", 401, "GET", "/api/v1/projects/demo/members", null, null);
    }

    // ---- 403/404 across projects ----

    @Test
    @Order(2)
    void crossProjectAccessNeverShowsData() throws Exception {
        HttpResponse<String> r = expect("alice searches {\"eq\":{\"project\":\"other\"}}", 200, "POST", "/api/v1/series/search",
                alice, "{\"query\":{\"eq\":{\"project\":\"other\"}}}");
        assertThat(JSON.readTree(r.body()).get("total").asLong()).isZero();
        r = expect("alice searches or(project=other, exists project)", 200, "POST", "/api/v1/series/search", alice,
                "{\"query\":{\"or\":[{\"eq\":{\"project\":\"other\"}},{\"exists\":\"project\"}]}}");
        for (JsonNode s : JSON.readTree(r.body()).get("series")) {
            assertThat(s.get("project").asText()).isEqualTo("demo");
        }
        assertThat(r.body()).doesNotContain("S-other");
        r = expect("alice searches not(project=demo)", 200, "POST", "/api/v1/series/search", alice,
                "{\"query\":{\"not\":{\"eq\":{\"project\":\"demo\"}}}}");
        assertThat(JSON.readTree(r.body()).get("total").asLong()).isZero();
        r = expect("bob searches {\"prefix\":{\"project\":\"de\"}}", 200, "POST", "/api/v1/series/search", bob,
                "{\"query\":{\"prefix\":{\"project\":\"de\"}}}");
        assertThat(JSON.readTree(r.body()).get("total").asLong()).isZero();

        String cohort = "widen-" + UUID.randomUUID().toString().substring(0, 6);
        expect("alice creates a demo cohort whose query names project other", 201, "POST", "/api/v1/projects/demo/cohorts",
                alice, "{\"name\":\"" + cohort + "\",\"query\":{\"or\":[{\"eq\":{\"project\":\"other\"}},{\"exists\":\"project\"}]}}");
        expect("alice freezes it", 201, "POST", "/api/v1/projects/demo/cohorts/" + cohort + "/versions", alice, null);
        r = expect("alice reads its members", 200, "GET", "/api/v1/projects/demo/cohorts/" + cohort + "/versions/1/members",
                alice, null);
        assertThat(r.body()).contains("S-demo").doesNotContain("S-other");
        expect("bob reads alice's demo cohort manifest", 404, "GET", "/api/v1/projects/demo/cohorts/" + cohort
                + "/versions/1/manifest", bob, null);
        expect("bob downloads a demo DICOM file", 404, "GET", "/api/v1/instances/1.1/file", bob, null);
        expect("bob lists a demo series' instances", 404, "GET", "/api/v1/series/S-demo/instances", bob, null);
        expect("bob downloads a demo NIfTI", 404, "GET", "/api/v1/series/S-demo/nifti", bob, null);
        expect("bob lists demo cohorts", 404, "GET", "/api/v1/projects/demo/cohorts", bob, null);
        expect("bob creates a demo cohort", 404, "POST", "/api/v1/projects/demo/cohorts", bob, "{\"name\":\"x\"}");
        expect("bob overrides de-id of a demo series", 404, "POST", "/api/v1/series/S-demo/deid-override", bob,
                "{\"reason\":\"I want to see this data\"}");
        expect("alice downloads an 'other' DICOM file", 404, "GET", "/api/v1/instances/2.1/file", alice, null);
        expect("alice downloads an 'other' NIfTI", 404, "GET", "/api/v1/series/S-other/nifti", alice, null);
        expect("bob (viewer of other) creates a cohort in other", 403, "POST", "/api/v1/projects/other/cohorts", bob,
                "{\"name\":\"x\"}");
        expect("alice (editor) overrides de-id in demo", 403, "POST", "/api/v1/series/S-demo/deid-override", alice,
                "{\"reason\":\"trust me, it is fine\"}");
        expect("platform admin downloads a demo file (no data rights)", 404, "GET", "/api/v1/instances/1.1/file", admin, null);
        HttpResponse<String> ok = expect("alice downloads her demo file", 200, "GET", "/api/v1/instances/1.1/file", alice, null);
        assertThat(ok.body()).isEqualTo(new String(demoFile, StandardCharsets.UTF_8));
        expect("bob downloads his 'other' NIfTI", 200, "GET", "/api/v1/series/S-other/nifti", bob, null);

        // membership API: no escalation
        expect("alice (editor) lists demo members", 403, "GET", "/api/v1/projects/demo/members", alice, null);
        expect("alice (editor) makes herself admin of demo", 403, "PUT", "/api/v1/projects/demo/members/alice", alice,
                "{\"role\":\"admin\"}");
        expect("bob makes himself admin of other", 403, "PUT", "/api/v1/projects/other/members/bob", bob, "{\"role\":\"admin\"}");
        expect("carol (admin of demo) adds herself to other", 404, "PUT", "/api/v1/projects/other/members/carol", carol,
                "{\"role\":\"admin\"}");
        expect("carol sets an invalid role", 400, "PUT", "/api/v1/projects/demo/members/alice", carol, "{\"role\":\"owner\"}");
        HttpResponse<String> traversal = call("PUT", "/api/v1/projects/demo/members/..%2F..%2Fusers", carol, "{\"role\":\"viewer\"}");
        CASES.add(new String[] {"carol names a user '..%2F..%2Fusers' (admin API traversal)", "not 2xx",
                String.valueOf(traversal.statusCode())});
        assertThat(traversal.statusCode()).isGreaterThanOrEqualTo(400);
        expect("carol adds an unknown user", 404, "PUT", "/api/v1/projects/demo/members/nobody-" + UUID.randomUUID(), carol,
                "{\"role\":\"viewer\"}");
        expect("alice reads the audit log", 403, "GET", "/api/v1/audit", alice, null);
        expect("carol reads the audit log of other", 404, "GET", "/api/v1/audit?project=other", carol, null);
    }

    // ---- path tricks ----

    @Test
    @Order(3)
    void pathTricksNeverReturn200() throws Exception {
        List<String> paths = List.of(
                "/api/v1/instances/..%2F..%2F..%2Fetc%2Fpasswd/file",
                "/api/v1/instances/%2e%2e/file",
                "/api/v1/instances/%2e%2e%2f%2e%2e%2fsecret.txt/file",
                "/api/v1/instances/%252e%252e%252fsecret.txt/file",
                "/api/v1/instances/..%5C..%5Csecret.txt/file",
                "/api/v1/instances/..\\..\\secret.txt/file",
                "/api/v1/instances/%2Fetc%2Fpasswd/file",
                "/api/v1/instances//etc/passwd/file",
                "/api/v1/instances/../../../etc/passwd/file",
                "/api/v1/instances/1.1/../2.1/file",
                "/api/v1/instances/1.1%2F..%2F2.1/file",
                "/api/v1/instances/2.1%00/file",
                "/api/v1/series/..%2F..%2Fsecret.txt/nifti",
                "/api/v1/series/%2e%2e%2f%2e%2e%2fsecret.txt/nifti",
                "/api/v1/series/S-other%2F..%2FS-demo/nifti",
                "/api/v1/instances/7.1/file  (row location ../secret.txt)",
                "/api/v1/instances/7.2/file  (row location /etc/passwd)",
                "/api/v1/series/S-evil/nifti  (row location ../secret.txt)");
        for (String display : paths) {
            String path = display.contains("  (") ? display.substring(0, display.indexOf("  (")) : display;
            String[] r = raw(path, alice);
            CASES.add(new String[] {"path trick " + display.replace("\\", "\\\\"), "not 200", r[0]});
            assertThat(r[0]).as(display + "\n" + r[1]).isNotEqualTo("200");
            assertThat(r[1]).as(display).doesNotContain("SECRET-OUTSIDE").doesNotContain("root:x:").doesNotContain("DICM-other");
        }
    }

    // ---- membership changes and revocation ----

    @Test
    @Order(4)
    void roleChangesTakeEffectWithTheNextToken() throws Exception {
        SecurityRealm.freshUser(DAVE);
        String before = KeycloakTestRealm.passwordToken(DAVE, DAVE).raw();
        expect("new user without groups downloads a demo file", 404, "GET", "/api/v1/instances/1.1/file", before, null);

        HttpResponse<String> put = expect("carol makes the user editor of demo", 200, "PUT",
                "/api/v1/projects/demo/members/" + DAVE, carol, "{\"role\":\"editor\"}");
        assertThat(JSON.readTree(put.body()).get("previous_role").isNull()).isTrue();
        String editor = KeycloakTestRealm.passwordToken(DAVE, DAVE).raw();
        expect("user (editor, next token) downloads a demo file", 200, "GET", "/api/v1/instances/1.1/file", editor, null);
        expect("user (editor) creates a demo cohort", 201, "POST", "/api/v1/projects/demo/cohorts", editor,
                "{\"name\":\"sec-" + UUID.randomUUID().toString().substring(0, 6) + "\"}");
        HttpResponse<String> members = expect("carol lists demo members", 200, "GET", "/api/v1/projects/demo/members", carol, null);
        assertThat(members.body()).contains("\"username\":\"" + DAVE + "\",\"role\":\"editor\"")
                .contains("\"username\":\"carol\",\"role\":\"admin\"");

        expect("carol demotes the user to viewer", 200, "PUT", "/api/v1/projects/demo/members/" + DAVE, carol,
                "{\"role\":\"viewer\"}");
        String viewer = KeycloakTestRealm.passwordToken(DAVE, DAVE).raw();
        expect("user (viewer, next token) creates a demo cohort", 403, "POST", "/api/v1/projects/demo/cohorts", viewer,
                "{\"name\":\"sec-x\"}");

        expect("carol revokes the user's membership", 204, "DELETE", "/api/v1/projects/demo/members/" + DAVE, carol, null);
        expect("carol revokes it again", 404, "DELETE", "/api/v1/projects/demo/members/" + DAVE, carol, null);
        String revoked = KeycloakTestRealm.passwordToken(DAVE, DAVE).raw();
        expect("revoked user (next token) downloads a demo file", 404, "GET", "/api/v1/instances/1.1/file", revoked, null);
        expect("revoked user (next token) lists demo cohorts", 404, "GET", "/api/v1/projects/demo/cohorts", revoked, null);
        expect("platform admin lists members of other", 200, "GET", "/api/v1/projects/other/members", admin, null);
        expect("platform admin lists members of a missing project", 404, "GET", "/api/v1/projects/nope/members", admin, null);
    }

    // ---- audit ----

    @Test
    @Order(5)
    void everyRequestIsAuditedAndTheChainDetectsTampering() throws Exception {
        HttpResponse<String> r = expect("platform admin reads bob's failed downloads", 200, "GET",
                "/api/v1/audit?user=bob&action=DOWNLOAD_FILE&limit=50", admin, null);
        JsonNode entries = JSON.readTree(r.body()).get("entries");
        assertThat(entries).isNotEmpty();
        JsonNode bobDownload = null;
        for (JsonNode e : entries) {
            assertThat(e.get("user").asText()).isEqualTo("bob");
            if ("/api/v1/instances/1.1/file".equals(e.get("path").asText())) {
                bobDownload = e;
            }
        }
        assertThat(bobDownload).isNotNull();
        assertThat(bobDownload.get("status").asInt()).isEqualTo(404);
        assertThat(bobDownload.get("client_id").asText()).isEqualTo("medlake-cli");
        assertThat(bobDownload.get("sop_instance_uids").toString()).contains("1.1");

        r = expect("carol reads the demo audit log", 200, "GET", "/api/v1/audit?project=demo&action=DOWNLOAD_FILE", carol, null);
        JsonNode demo = JSON.readTree(r.body()).get("entries");
        assertThat(demo).isNotEmpty();
        boolean sawAliceBytes = false;
        for (JsonNode e : demo) {
            assertThat(e.get("project").asText()).isEqualTo("demo");
            if ("alice".equals(e.get("user").asText()) && e.get("status").asInt() == 200) {
                assertThat(e.get("bytes").asLong()).isEqualTo(demoFile.length);
                sawAliceBytes = true;
            }
        }
        assertThat(sawAliceBytes).isTrue();
        r = expect("platform admin reads 401s", 200, "GET", "/api/v1/audit?action=SEARCH&limit=1000", admin, null);
        assertThat(r.body()).contains("\"status\":401");
        r = expect("platform admin reads membership changes", 200, "GET", "/api/v1/audit?action=MEMBER_SET_ROLE", admin, null);
        assertThat(r.body()).contains(DAVE).contains("\\\"role\\\":\\\"viewer\\\"");
        expect("audit query with a bad 'from'", 400, "GET", "/api/v1/audit?from=yesterday", admin, null);

        assertThat(server.auditLog().flush()).isTrue();
        int verified = AuditMain.run(new String[] {"verify", "--lake", lake.toString()});
        CASES.add(new String[] {"audit verify on the untouched lake", "exit 0", "exit " + verified});
        assertThat(verified).isZero();

        server.stop(); // the attacker edits the table while nothing writes
        AuditTamper.forgeCommit(LakeLayout.at(lake).table("audit_log"), rows -> {
            for (Map<String, Object> row : rows) {
                if ("bob".equals(row.get("user")) && "/api/v1/instances/1.1/file".equals(row.get("path"))) {
                    row.put("user", "alice"); // blame someone else
                }
            }
            return rows;
        });
        int tampered = AuditMain.run(new String[] {"verify", "--lake", lake.toString()});
        CASES.add(new String[] {"audit verify after a forged commit edits a row", "exit 1", "exit " + tampered});
        assertThat(tampered).isEqualTo(1);
    }
}
