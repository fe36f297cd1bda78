package org.medlake.server;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
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
import org.medlake.lake.Tables;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;
import org.medlake.deid.DeidChecker;
import org.medlake.deid.Finding;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;

/**
 * The web UI's server side against the real Keycloak, Elasticsearch and Kernel-written Delta tables: /me and
 * /config, the data manager views with their permissions, the PHI-free curation queues, thumbnails, the audit of the
 * new routes, and the static web app (served from a folder, and the "not built" page).
 */
class WebUiApiIT {
    @TempDir
    static Path tmp;

    /** Identifying values planted in the lake; none may reach a curation queue. */
    private static final List<String> PHI = List.of("DOE^JANE", "Jane Doe", "PID-4711", "Brain of Jane", "JANE T1 MPRAGE");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SeriesIndex.Names NAMES = SeriesIndex.isolated("webui-it-" + UUID.randomUUID().toString().substring(0, 8));

    private static final StructType INGEST_RUNS = new StructType()
            .add("run_id", StringType.STRING, false).add("sources", new ArrayType(StringType.STRING, true), true)
            .add("project", StringType.STRING, true).add("site", StringType.STRING, true).add("user", StringType.STRING, true)
            .add("started_at", TimestampType.TIMESTAMP, true).add("finished_at", TimestampType.TIMESTAMP, true)
            .add("status", StringType.STRING, true).add("files_seen", LongType.LONG, true)
            .add("instances_added", LongType.LONG, true).add("instances_existing", LongType.LONG, true)
            .add("quarantined", LongType.LONG, true).add("not_dicom", LongType.LONG, true).add("conflicts", LongType.LONG, true)
            .add("series", LongType.LONG, true).add("studies", LongType.LONG, true);
    private static final StructType QUARANTINE = new StructType()
            .add("source_uri", StringType.STRING, false).add("size_bytes", LongType.LONG, true)
            .add("sha256", StringType.STRING, true).add("reason", StringType.STRING, true)
            .add("detail", StringType.STRING, true).add("sop_instance_uid", StringType.STRING, true)
            .add("project", StringType.STRING, true).add("run_id", StringType.STRING, true)
            .add("quarantined_at", TimestampType.TIMESTAMP, true);
    private static final StructType DEID_FINDINGS = new StructType()
            .add("sop_instance_uid", StringType.STRING, true).add("severity", StringType.STRING, true)
            .add("tag", StringType.STRING, true).add("keyword", StringType.STRING, true)
            .add("location", StringType.STRING, true).add("rule", StringType.STRING, true)
            .add("basis", StringType.STRING, true).add("reason", StringType.STRING, true)
            .add("hint", StringType.STRING, true).add("series_instance_uid", StringType.STRING, true)
            .add("curation_run_id", StringType.STRING, true);
    private static final StructType QA_METRICS = new StructType()
            .add("series_instance_uid", StringType.STRING, true).add("modality", StringType.STRING, true)
            .add("metric", StringType.STRING, true).add("value", DoubleType.DOUBLE, true)
            .add("unit", StringType.STRING, true).add("status", StringType.STRING, true)
            .add("formula", StringType.STRING, true).add("curation_run_id", StringType.STRING, true);

    private static ApiServer server;
    private static ElasticsearchClient es;
    private static String esUrl;
    private static String issuer;
    private static String alice;
    private static String bob;
    private static String carol;
    private static String admin;
    private static byte[] png;

    @BeforeAll
    static void start() throws Exception {
        esUrl = MedlakeServices.elasticsearchUrl();
        issuer = KeycloakTestRealm.issuer();
        alice = KeycloakTestRealm.passwordToken("alice", "alice").raw();
        bob = KeycloakTestRealm.passwordToken("bob", "bob").raw();
        DevUsers.ensureProjectAdmin("carol", "demo");
        carol = KeycloakTestRealm.passwordToken("carol", "carol").raw();
        admin = KeycloakTestRealm.passwordToken("admin", "admin").raw();

        Path lake = Files.createDirectories(tmp.resolve("lake"));
        LakeLayout layout = LakeLayout.at(lake);
        // demo: S-a released (PASS), S-fail de-id FAIL with the patient's name in its header, S-rev de-id REVIEW
        // and incomplete; other: S-o failed too.
        Map<String, Object> phi = Map.of("patient_id", "PID-4711", "study_description", "Brain of Jane",
                "series_description", "JANE T1 MPRAGE", "modality", "MR");
        DeltaTestTables.append(layout.table("instances"), DeltaTestTables.INSTANCES_SCHEMA, List.of(
                DeltaTestTables.instance("a.1", "S-a", "demo", 10, phi), DeltaTestTables.instance("f.1", "S-fail", "demo", 10, phi),
                DeltaTestTables.instance("f.2", "S-fail", "demo", 10, phi), DeltaTestTables.instance("r.1", "S-rev", "demo", 10, phi),
                DeltaTestTables.instance("o.1", "S-o", "other", 10, phi)));
        DeltaTestTables.appendCuration(layout, List.of(
                DeltaTestTables.curation("S-a", "demo", "PASS", Map.of("modality", "MR", "series_type", "T1W")),
                DeltaTestTables.curation("S-fail", "demo", "FAIL", Map.of("modality", "MR", "series_type", "T1W",
                        "qa_status", "WARN", "classification_evidence", List.of("SeriesDescription 'JANE T1 MPRAGE' says T1"),
                        "study_instance_uid", "S-fail.study")),
                DeltaTestTables.curation("S-rev", "demo", "REVIEW", Map.of("completeness_status", "INCOMPLETE",
                        "completeness_reasons", List.of("MISSING_SLICE: 2 slice position(s) missing between 10.0 and 14.0 mm."),
                        "qa_status", "FAIL", "thumbnail", "thumbnails/none.png")),
                DeltaTestTables.curation("S-o", "other", "FAIL", Map.of())));
        // S-fail's findings come from the real checker on headers that hold the patient's data, stored the way
        // the curation stores them (one row per finding and instance).
        List<Map<String, Object>> findings = new ArrayList<>();
        for (String sop : List.of("f.1", "f.2")) {
            AttributeList header = new AttributeList();
            put(header, TagFromName.SOPInstanceUID, sop);
            put(header, TagFromName.PatientName, "DOE^JANE");
            put(header, TagFromName.PatientID, "PID-4711");
            put(header, TagFromName.StudyDescription, "Brain of Jane");
            put(header, TagFromName.SeriesDescription, "JANE T1 MPRAGE");
            put(header, TagFromName.ReferringPhysicianName, "Jane Doe");
            for (Finding f : new DeidChecker().check(header).findings()) {
                findings.add(finding(sop, "S-fail", f.severity().name(), f.tag(), f.keyword(), f.rule(), f.reason(), f.hint()));
            }
        }
        assertThat(findings.toString()).contains("DOE^JANE".substring(0, 1) + "***"); // the redacted hint is there
        findings.add(finding("r.1", "S-rev", "REVIEW", "(0012,0062)", "PatientIdentityRemoved", "NOT-DECLARED",
                "The instance does not declare de-identification.", "empty"));
        findings.add(finding("o.1", "S-o", "FAIL", "(0010,0010)", "PatientName", "E1-1-NAME", "A name.", "D***"));
        DeltaTestTables.append(layout.table(Tables.DEID_FINDINGS), DEID_FINDINGS, findings);
        DeltaTestTables.append(layout.table(Tables.QA_METRICS), QA_METRICS, List.of(
                metric("S-fail", "snr", 3.5, "WARN"), metric("S-rev", "slice_coverage", 0.6, "FAIL"),
                metric("S-rev", "snr", 40.0, "PASS")));
        DeltaTestTables.append(layout.table(Tables.INGEST_RUNS), INGEST_RUNS, List.of(
                run("run-1", "demo", "2025-01-01T10:00:00Z"), run("run-3", "demo", "2025-01-03T10:00:00Z"),
                run("run-2", "demo", "2025-01-02T10:00:00Z"), run("run-o", "other", "2025-01-04T10:00:00Z")));
        List<Map<String, Object>> quarantined = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            quarantined.add(quarantined("file:///src/bad" + i + ".dcm", "demo", "NOT_DICOM", "2025-01-0" + (i + 1) + "T10:00:00Z"));
        }
        quarantined.add(quarantined("file:///src/other.dcm", "other", "TRUNCATED", "2025-01-05T10:00:00Z"));
        DeltaTestTables.append(layout.table(Tables.QUARANTINE), QUARANTINE, quarantined);
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        png = bytes.toByteArray();
        Files.createDirectories(lake.resolve("thumbnails"));
        Files.write(lake.resolve("thumbnails/S-a.png"), png);
        Files.write(lake.resolve("thumbnails/S-fail.png"), png);

        es = SeriesIndex.connect(esUrl);
        new SeriesIndexer(es, new DeltaTableReader(), esUrl, NAMES).index(layout);
        server = new ApiServer(new ServerConfig(lake, "127.0.0.1", 0, esUrl, issuer).withWebRoot(webFolder()),
                new TokenAuthenticator(issuer), new SeriesSearch(es, esUrl, NAMES), new InstanceCatalog(layout, new DeltaTableReader()));
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

    /** A built app as the web module makes it: index.html and content-hashed assets. */
    private static Path webFolder() throws Exception {
        Path web = Files.createDirectories(tmp.resolve("web"));
        Files.createDirectories(web.resolve("assets"));
        Files.writeString(web.resolve("index.html"), "<!doctype html><title>medlake</title><div id=app></div>"
                + "<script type=module src=/assets/app-1a2b3c.js></script>");
        Files.writeString(web.resolve("assets/app-1a2b3c.js"), "console.log('medlake');");
        Files.writeString(web.resolve("assets/app-4d5e6f.css"), "body{margin:0}");
        return web;
    }

    private static Map<String, Object> finding(String sop, String series, String severity, String tag, String keyword,
                                               String rule, String reason, String hint) {
        Map<String, Object> f = new HashMap<>();
        f.put("sop_instance_uid", sop);
        f.put("series_instance_uid", series);
        f.put("severity", severity);
        f.put("tag", tag);
        f.put("keyword", keyword);
        f.put("location", "/");
        f.put("rule", rule);
        f.put("basis", "PS3.15 E.1-1");
        f.put("reason", reason);
        f.put("hint", hint);
        f.put("curation_run_id", "cur-1");
        return f;
    }

    private static void put(AttributeList list, AttributeTag tag, String value) throws Exception {
        Attribute a = AttributeFactory.newAttribute(tag, AttributeList.getDictionary().getValueRepresentationFromTag(tag));
        a.addValue(value);
        list.put(a);
    }

    private static Map<String, Object> metric(String series, String metric, double value, String status) {
        return Map.of("series_instance_uid", series, "modality", "MR", "metric", metric, "value", value, "unit", "ratio",
                "status", status, "formula", metric + " formula", "curation_run_id", "cur-1");
    }

    private static Map<String, Object> run(String id, String project, String started) {
        Map<String, Object> r = new HashMap<>();
        r.put("run_id", id);
        r.put("sources", List.of("file:///src/" + id));
        r.put("project", project);
        r.put("site", "site-a");
        r.put("user", "alice");
        r.put("started_at", Instant.parse(started));
        r.put("finished_at", Instant.parse(started).plusSeconds(60));
        r.put("status", "SUCCEEDED");
        for (String c : List.of("files_seen", "instances_added", "instances_existing", "quarantined", "not_dicom",
                "conflicts", "series", "studies")) {
            r.put(c, 1L);
        }
        return r;
    }

    private static Map<String, Object> quarantined(String uri, String project, String reason, String at) {
        Map<String, Object> r = new HashMap<>();
        r.put("source_uri", uri);
        r.put("size_bytes", 12L);
        r.put("sha256", "ab".repeat(32));
        r.put("reason", reason);
        r.put("detail", reason + ": not a DICOM file. Fix: remove it from the source.");
        r.put("project", project);
        r.put("run_id", "run-1");
        r.put("quarantined_at", Instant.parse(at));
        return r;
    }

    static HttpResponse<byte[]> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode ok(HttpResponse<byte[]> r) throws Exception {
        assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return JSON.readTree(r.body());
    }

    private static JsonNode problem(HttpResponse<byte[]> r, int status) throws Exception {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(body).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode p = JSON.readTree(body);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        return p;
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    @Test
    void configNeedsNoTokenAndNamesTheIssuerAndClient() throws Exception {
        JsonNode c = ok(get("/api/v1/config", null));
        assertThat(c.get("issuer").asText()).isEqualTo(issuer);
        assertThat(c.get("client_id").asText()).isEqualTo("medlake-web");
        assertThat(c.size()).isEqualTo(2);
    }

    @Test
    void meListsRolesPerProject() throws Exception {
        JsonNode a = ok(get("/api/v1/me", alice));
        assertThat(a.get("username").asText()).isEqualTo("alice");
        assertThat(a.get("platform_admin").asBoolean()).isFalse();
        assertThat(a.get("projects").toString()).isEqualTo("[{\"project\":\"demo\",\"role\":\"editor\"}]");
        assertThat(ok(get("/api/v1/me", bob)).get("projects").toString()).isEqualTo("[{\"project\":\"other\",\"role\":\"viewer\"}]");
        assertThat(ok(get("/api/v1/me", carol)).get("projects").toString()).isEqualTo("[{\"project\":\"demo\",\"role\":\"admin\"}]");
        JsonNode ad = ok(get("/api/v1/me", admin));
        assertThat(ad.get("username").asText()).isEqualTo("admin");
        assertThat(ad.get("platform_admin").asBoolean()).isTrue();
        assertThat(ad.get("projects")).isEmpty();
        problem(get("/api/v1/me", null), 401);
        problem(get("/api/v1/me", "not-a-token"), 401);
    }

    @Test
    void ingestRunsNewestFirstForEditorsAdminsAndPlatformAdmins() throws Exception {
        JsonNode runs = ok(get("/api/v1/projects/demo/ingest-runs", alice));
        assertThat(runs.get("total").asInt()).isEqualTo(3);
        assertThat(texts(runs.get("items"), "run_id")).containsExactly("run-3", "run-2", "run-1");
        JsonNode first = runs.at("/items/0");
        assertThat(first.get("started_at").asText()).isEqualTo("2025-01-03T10:00:00Z");
        assertThat(first.get("finished_at").asText()).isEqualTo("2025-01-03T10:01:00Z");
        assertThat(first.get("sources").toString()).isEqualTo("[\"file:///src/run-3\"]");
        assertThat(first.get("files_seen").asLong()).isEqualTo(1);
        List<String> fields = new ArrayList<>();
        first.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("run_id", "sources", "project", "site", "user", "started_at", "finished_at",
                "status", "files_seen", "instances_added", "instances_existing", "quarantined", "not_dicom", "conflicts",
                "series", "studies");
        assertThat(texts(ok(get("/api/v1/projects/demo/ingest-runs?limit=1&offset=1", carol)).get("items"), "run_id"))
                .containsExactly("run-2");
        assertThat(ok(get("/api/v1/projects/demo/ingest-runs", admin)).get("total").asInt()).isEqualTo(3);
        assertThat(problem(get("/api/v1/projects/other/ingest-runs", bob), 403).get("code").asText()).isEqualTo("FORBIDDEN");
        problem(get("/api/v1/projects/other/ingest-runs", alice), 404);
        problem(get("/api/v1/projects/demo/ingest-runs", null), 401);
        assertThat(problem(get("/api/v1/projects/demo/ingest-runs?limit=0", alice), 400).get("detail").asText()).contains("'limit'");
        assertThat(problem(get("/api/v1/projects/demo/ingest-runs?limit=abc", alice), 400).get("detail").asText()).contains("'limit'");
        assertThat(problem(get("/api/v1/projects/demo/ingest-runs?offset=-1", alice), 400).get("detail").asText()).contains("'offset'");
    }

    @Test
    void quarantinePagedNewestFirstForEditorsOnly() throws Exception {
        JsonNode q = ok(get("/api/v1/projects/demo/quarantine?limit=2", alice));
        assertThat(q.get("total").asInt()).isEqualTo(3);
        assertThat(texts(q.get("items"), "source_uri")).containsExactly("file:///src/bad2.dcm", "file:///src/bad1.dcm");
        JsonNode item = q.at("/items/0");
        List<String> fields = new ArrayList<>();
        item.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("run_id", "source_uri", "reason", "detail", "size_bytes", "sha256", "quarantined_at");
        assertThat(item.get("quarantined_at").asText()).isEqualTo("2025-01-03T10:00:00Z");
        assertThat(item.get("size_bytes").asLong()).isEqualTo(12);
        JsonNode page2 = ok(get("/api/v1/projects/demo/quarantine?limit=2&offset=2", carol));
        assertThat(texts(page2.get("items"), "source_uri")).containsExactly("file:///src/bad0.dcm");
        assertThat(ok(get("/api/v1/projects/demo/quarantine?offset=10", carol)).get("items")).isEmpty();
        problem(get("/api/v1/projects/other/quarantine", bob), 403);
        problem(get("/api/v1/projects/other/quarantine", alice), 404);
        // platform admins have no data rights: the quarantine names source files
        problem(get("/api/v1/projects/demo/quarantine", admin), 404);
        problem(get("/api/v1/projects/demo/quarantine?offset=x", alice), 400);
    }

    @Test
    void deidQueueCarriesRedactedFindingsAndNoPhi() throws Exception {
        HttpResponse<byte[]> r = get("/api/v1/projects/demo/curation?queue=deid", alice);
        JsonNode q = ok(r);
        String body = new String(r.body(), StandardCharsets.UTF_8);
        for (String value : PHI) {
            assertThat(body).doesNotContainIgnoringCase(value);
        }
        assertThat(body).as("not even an initial").doesNotContainPattern("[^\\s\"(*]\\*\\*\\*").contains("Value: *** (");
        assertThat(q.get("queue").asText()).isEqualTo("deid");
        assertThat(q.get("total").asInt()).isEqualTo(2);
        assertThat(texts(q.get("items"), "series_instance_uid")).containsExactly("S-fail", "S-rev");
        JsonNode fail = q.at("/items/0");
        List<String> fields = new ArrayList<>();
        fail.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("series_instance_uid", "study_instance_uid", "modality", "series_type",
                "deid_status", "completeness_status", "qa_status", "released", "deid_override", "findings");
        assertThat(fail.get("deid_status").asText()).isEqualTo("FAIL");
        assertThat(fail.get("released").asBoolean()).isFalse();
        assertThat(fail.get("deid_override").asBoolean()).isFalse();
        JsonNode name = null;
        for (JsonNode f : fail.get("findings")) {
            List<String> keys = new ArrayList<>();
            f.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).containsExactly("rule", "tag", "keyword", "action", "detail", "instances");
            assertThat(f.get("instances").asInt()).isEqualTo(2); // grouped over f.1 and f.2
            if (f.get("keyword").asText().equals("PatientName")) {
                name = f;
            }
        }
        assertThat(name).as(fail.toString()).isNotNull();
        assertThat(name.get("tag").asText()).isEqualTo("(0010,0010)");
        assertThat(name.get("action").asText()).isEqualTo("FAIL");
        assertThat(name.get("rule").asText()).startsWith("E1-1-");
        assertThat(name.get("detail").asText()).contains("Value: *** (person-name form, 2 parts, 8 chars)");
        assertThat(fail.at("/findings/0/action").asText()).isEqualTo("FAIL"); // FAIL findings first
        assertThat(q.at("/items/1/findings/0/rule").asText()).isEqualTo("NOT-DECLARED");
        assertThat(q.at("/items/1/released").asBoolean()).isTrue(); // REVIEW does not block release

        // The project admin overrides: the item stays in the queue, now released by override.
        HttpResponse<byte[]> o = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/series/S-fail/deid-override"))
                .header("Authorization", "Bearer " + carol).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"reviewed: name is a phantom label\"}")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(o.statusCode()).as(new String(o.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        JsonNode after = ok(get("/api/v1/projects/demo/curation?queue=deid&limit=1", carol));
        assertThat(after.get("total").asInt()).isEqualTo(2);
        assertThat(after.get("items")).hasSize(1);
        assertThat(after.at("/items/0/released").asBoolean()).isTrue();
        assertThat(after.at("/items/0/deid_override").asBoolean()).isTrue();
        HttpResponse<byte[]> revoke = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/series/S-fail/deid-override"))
                .header("Authorization", "Bearer " + carol).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"undo for the thumbnail test\",\"action\":\"REVOKE\"}")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(revoke.statusCode()).isEqualTo(201);
    }

    @Test
    void completenessAndQaQueues() throws Exception {
        JsonNode c = ok(get("/api/v1/projects/demo/curation?queue=completeness", alice));
        assertThat(c.get("queue").asText()).isEqualTo("completeness");
        assertThat(texts(c.get("items"), "series_instance_uid")).containsExactly("S-rev");
        assertThat(c.at("/items/0/findings/0/rule").asText()).isEqualTo("MISSING_SLICE");
        assertThat(c.at("/items/0/findings/0/action").asText()).isEqualTo("INCOMPLETE");
        assertThat(c.at("/items/0/findings/0/detail").asText()).startsWith("2 slice position(s) missing");
        JsonNode qa = ok(get("/api/v1/projects/demo/curation?queue=qa", alice));
        assertThat(texts(qa.get("items"), "series_instance_uid")).containsExactly("S-rev", "S-fail"); // FAIL before WARN
        assertThat(qa.at("/items/0/findings")).hasSize(1);
        assertThat(qa.at("/items/0/findings/0/rule").asText()).isEqualTo("slice_coverage");
        assertThat(qa.at("/items/0/findings/0/detail").asText()).startsWith("slice_coverage = 0.6 ratio");
        String body = qa.toString() + c;
        for (String value : PHI) {
            assertThat(body).doesNotContainIgnoringCase(value);
        }
        assertThat(problem(get("/api/v1/projects/demo/curation", alice), 400).get("detail").asText()).contains("'queue'");
        assertThat(problem(get("/api/v1/projects/demo/curation?queue=nope", alice), 400).get("detail").asText()).contains("'queue'");
        problem(get("/api/v1/projects/demo/curation?queue=qa&limit=5000", alice), 400);
        problem(get("/api/v1/projects/other/curation?queue=deid", bob), 403);
        problem(get("/api/v1/projects/other/curation?queue=deid", alice), 404);
        problem(get("/api/v1/projects/demo/curation?queue=deid", admin), 404);
    }

    @Test
    void thumbnailOnlyForReleasedSeriesOfTheCallersProjects() throws Exception {
        HttpResponse<byte[]> r = get("/api/v1/series/S-a/thumbnail", alice);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).isEqualTo("image/png");
        assertThat(r.body()).isEqualTo(png);
        assertThat(ImageIO.read(new ByteArrayInputStream(r.body())).getWidth()).isEqualTo(8);
        assertThat(problem(get("/api/v1/series/S-fail/thumbnail", alice), 404).get("code").asText()).isEqualTo("NOT_RELEASED");
        assertThat(problem(get("/api/v1/series/S-rev/thumbnail", alice), 404).get("code").asText()).isEqualTo("NO_THUMBNAIL");
        problem(get("/api/v1/series/S-a/thumbnail", bob), 404);
        problem(get("/api/v1/series/S-unknown/thumbnail", alice), 404);
        problem(get("/api/v1/series/S-a/thumbnail", null), 401);
    }

    @Test
    void newRoutesAreAuditedAndPublicOnesAreNot() throws Exception {
        String marker = "audit-" + UUID.randomUUID().toString().substring(0, 6);
        ok(get("/api/v1/me?m=" + marker, alice));
        ok(get("/api/v1/projects/demo/ingest-runs?m=" + marker, alice));
        ok(get("/api/v1/projects/demo/quarantine?m=" + marker, alice));
        ok(get("/api/v1/projects/demo/curation?queue=qa&m=" + marker, alice));
        problem(get("/api/v1/projects/other/quarantine?m=" + marker, bob), 403);
        assertThat(get("/api/v1/series/S-a/thumbnail?m=" + marker, alice).statusCode()).isEqualTo(200);
        ok(get("/api/v1/config?m=" + marker, null));
        assertThat(get("/?m=" + marker, null).statusCode()).isEqualTo(200);
        assertThat(get("/assets/app-1a2b3c.js?m=" + marker, null).statusCode()).isEqualTo(200);
        JsonNode entries = ok(get("/api/v1/audit?limit=1000", admin)).get("entries");
        Map<String, JsonNode> byAction = new HashMap<>();
        List<String> paths = new ArrayList<>();
        for (JsonNode e : entries) {
            if (e.path("query").asText("").contains(marker)) {
                byAction.put(e.get("action").asText(), e);
                paths.add(e.get("path").asText());
            }
        }
        assertThat(byAction).containsOnlyKeys("ME", "INGEST_RUNS", "QUARANTINE_LIST", "CURATION_QUEUE", "THUMBNAIL");
        assertThat(byAction.get("INGEST_RUNS").get("project").asText()).isEqualTo("demo");
        assertThat(byAction.get("INGEST_RUNS").get("user").asText()).isEqualTo("alice");
        assertThat(byAction.get("THUMBNAIL").get("project").asText()).isEqualTo("demo");
        assertThat(byAction.get("THUMBNAIL").get("series_instance_uids").toString()).contains("S-a");
        assertThat(byAction.get("ME").get("status").asInt()).isEqualTo(200);
        assertThat(paths).hasSize(6).noneMatch(p -> !p.startsWith("/api/v1/") || p.equals("/api/v1/config"));
        assertThat(entries.toString()).contains("\"status\":403");
    }

    @Test
    void servesTheAppWithCachingCspAndClientRouteFallback() throws Exception {
        HttpResponse<byte[]> index = get("/", null);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(new String(index.body(), StandardCharsets.UTF_8)).contains("<div id=app>");
        assertThat(index.headers().firstValue("Cache-Control")).hasValue("no-cache");
        String csp = index.headers().firstValue("Content-Security-Policy").orElse("");
        String kcOrigin = URI.create(issuer).getScheme() + "://" + URI.create(issuer).getAuthority();
        assertThat(csp).contains("default-src 'self'").contains("script-src 'self';")
                .contains("connect-src 'self' " + kcOrigin + ";").contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(index.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

        HttpResponse<byte[]> html = get("/index.html", null);
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.headers().firstValue("Cache-Control")).hasValue("no-cache");

        HttpResponse<byte[]> js = get("/assets/app-1a2b3c.js", null);
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type").orElse("")).contains("javascript");
        assertThat(js.headers().firstValue("Cache-Control").orElse("")).contains("max-age=31536000").contains("immutable");
        assertThat(new String(js.body(), StandardCharsets.UTF_8)).isEqualTo("console.log('medlake');");
        HttpResponse<byte[]> css = get("/assets/app-4d5e6f.css", null);
        assertThat(css.headers().firstValue("Content-Type").orElse("")).startsWith("text/css");

        // client-side routes and unknown files get index.html; the API stays problem+json
        for (String path : List.of("/cohorts", "/cohorts/mr-brain/versions/2", "/deid")) {
            HttpResponse<byte[]> r = get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("<div id=app>");
            assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
            assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(csp);
        }
        assertThat(problem(get("/api/v1/no-such-route", alice), 404).get("detail").asText()).contains("No API route");
        problem(get("/api/nothing", alice), 404);
        problem(get("/api/v1/no-such-route", null), 401);
        HttpResponse<byte[]> post = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/cohorts"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(post.statusCode()).isEqualTo(404);
        assertThat(post.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        // path traversal does not leave the app folder
        assertThat(new String(get("/assets/..%2f..%2flake/thumbnails/S-a.png", null).body(), StandardCharsets.UTF_8))
                .doesNotContain("PNG");
    }

    @Test
    void withoutABuiltAppTheServerStartsAndSaysHowToBuildIt() throws Exception {
        List<Path> roots = new ArrayList<>();
        roots.add(tmp.resolve("no-such-build"));
        if (WebUiApiIT.class.getClassLoader().getResource("medlake-web/index.html") == null) {
            roots.add(null); // the classpath: only "not built" while the web module is not on the test classpath
        }
        for (Path root : roots) {
            Path lake = Files.createDirectories(tmp.resolve("lake-" + UUID.randomUUID()));
            ServerConfig config = new ServerConfig(lake, "127.0.0.1", 0, esUrl, issuer).withWebRoot(root);
            try (ApiServer bare = new ApiServer(config, new TokenAuthenticator(issuer), new SeriesSearch(es, esUrl, NAMES),
                    new InstanceCatalog(LakeLayout.at(lake), new DeltaTableReader()))) {
                bare.start();
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(bare.baseUrl() + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
                assertThat(r.body()).contains("web app is not built").contains("mvn -pl web -am package");
                HttpResponse<String> deep = HTTP.send(HttpRequest.newBuilder(URI.create(bare.baseUrl() + "/cohorts")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(deep.statusCode()).isEqualTo(404);
                assertThat(deep.body()).contains("not built");
                HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(bare.baseUrl() + "/api/v1/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                HttpResponse<String> config2 = HTTP.send(HttpRequest.newBuilder(URI.create(bare.baseUrl() + "/api/v1/config")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(config2.body()).contains("medlake-web");
            }
        }
    }
}
