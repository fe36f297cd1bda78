package org.medlake.server;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.access.TokenAuthenticator;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.search.SeriesSearch;
import org.medlake.cohort.testing.DeltaTestTables;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.PackWriter;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;

/** Range requests on file downloads, the NIfTI download and the OpenAPI document, against the real services. */
class DownloadsIT {
    @TempDir
    static Path lake;

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SeriesIndex.Names NAMES = SeriesIndex.isolated("downloads-it-" + UUID.randomUUID().toString().substring(0, 8));

    /** The nifti table as docs/lake-tables.md describes it (curation writes it with Spark). */
    static final StructType NIFTI_SCHEMA = new StructType()
            .add("series_instance_uid", StringType.STRING, false)
            .add("study_instance_uid", StringType.STRING, true)
            .add("project", StringType.STRING, true)
            .add("status", StringType.STRING, true)
            .add("reason", StringType.STRING, true)
            .add("output_index", IntegerType.INTEGER, true)
            .add("name", StringType.STRING, true)
            .add("location", StringType.STRING, true)
            .add("sidecar_location", StringType.STRING, true)
            .add("bval_location", StringType.STRING, true)
            .add("bvec_location", StringType.STRING, true)
            .add("sha256", StringType.STRING, true)
            .add("size_bytes", LongType.LONG, true)
            .add("dims", new ArrayType(IntegerType.INTEGER, true), true)
            .add("pixdim", new ArrayType(DoubleType.DOUBLE, true), true)
            .add("input_sop_instance_uids", new ArrayType(StringType.STRING, true), true)
            .add("input_fingerprint", StringType.STRING, true)
            .add("converter_version", StringType.STRING, true)
            .add("curation_run_id", StringType.STRING, true)
            .add("converted_at", TimestampType.TIMESTAMP, true);

    private static ApiServer server;
    private static ElasticsearchClient es;
    private static String alice;
    private static String bob;
    private static byte[] dicom;
    private static String dicomSha;
    private static byte[] nifti0;
    private static byte[] nifti1;
    private static String nifti0Sha;
    /** An instance stored as a region of a pack, between two other objects of the same pack. */
    private static byte[] packed;
    private static String packedSha;
    private static String packedLocation;

    @BeforeAll
    static void start() throws Exception {
        String esUrl = MedlakeServices.elasticsearchUrl();
        String issuer = KeycloakTestRealm.issuer();
        alice = KeycloakTestRealm.passwordToken("alice", "alice").raw();
        bob = KeycloakTestRealm.passwordToken("bob", "bob").raw();
        LakeLayout layout = LakeLayout.at(lake);

        dicom = new byte[100];
        for (int i = 0; i < dicom.length; i++) {
            dicom[i] = (byte) i;
        }
        dicomSha = sha256(dicom);
        Path object = layout.resolve(LakeLayout.objectKey(dicomSha));
        Files.createDirectories(object.getParent());
        Files.write(object, dicom);
        packed = new byte[100];
        for (int i = 0; i < packed.length; i++) {
            packed[i] = (byte) (200 - i);
        }
        packedSha = sha256(packed);
        byte[] before = "object before".getBytes(StandardCharsets.US_ASCII);
        byte[] after = "object after, whose bytes must never leak into a download of the one before".getBytes(StandardCharsets.US_ASCII);
        try (PackWriter pack = PackWriter.create(layout, "downloads-0")) {
            pack.append(before, 0, before.length, sha256(before));
            packedLocation = pack.append(packed, 0, packed.length, packedSha);
            pack.append(after, 0, after.length, sha256(after));
        }
        assertThat(packedLocation).isEqualTo("objects/packs/downloads-0.pack@13+100");
        DeltaTestTables.append(layout.table("instances"), DeltaTestTables.INSTANCES_SCHEMA, List.of(
                DeltaTestTables.instance("1.1", "S-img", "demo", dicom.length, Map.of("sha256", dicomSha, "location",
                        LakeLayout.objectKey(dicomSha))),
                DeltaTestTables.instance("7.1", "S-packed", "demo", packed.length, Map.of("sha256", packedSha,
                        "location", packedLocation)),
                // the pack ends long before this region: a damaged object store
                DeltaTestTables.instance("7.2", "S-packed", "demo", 50, Map.of("location",
                        "objects/packs/downloads-0.pack@150+50")),
                DeltaTestTables.instance("2.1", "S-failed", "demo", 1, Map.of()),
                DeltaTestTables.instance("3.1", "S-sr", "demo", 1, Map.of()),
                DeltaTestTables.instance("4.1", "S-none", "demo", 1, Map.of()),
                DeltaTestTables.instance("5.1", "S-deid", "demo", 1, Map.of()),
                DeltaTestTables.instance("6.1", "S-other", "other", 1, Map.of())));
        DeltaTestTables.appendCuration(layout, List.of(
                DeltaTestTables.curation("S-img", "demo", "PASS", Map.of()),
                DeltaTestTables.curation("S-packed", "demo", "PASS", Map.of()),
                DeltaTestTables.curation("S-failed", "demo", "PASS", Map.of()),
                DeltaTestTables.curation("S-sr", "demo", "PASS", Map.of()),
                DeltaTestTables.curation("S-none", "demo", "PASS", Map.of()),
                DeltaTestTables.curation("S-deid", "demo", "FAIL", Map.of()),
                DeltaTestTables.curation("S-other", "other", "PASS", Map.of())));

        nifti0 = gzip("NIFTI-volume-0-" + "x".repeat(500));
        nifti1 = gzip("NIFTI-volume-1-echo-2");
        nifti0Sha = sha256(nifti0);
        DeltaTestTables.append(layout.table("nifti"), NIFTI_SCHEMA, List.of(
                niftiRow(layout, "S-img", "demo", 0, "S-img_e1", nifti0),
                niftiRow(layout, "S-img", "demo", 1, "S-img_e2", nifti1),
                niftiRow(layout, "S-deid", "demo", 0, "S-deid", nifti1),
                niftiRow(layout, "S-other", "other", 0, "S-other", nifti1),
                statusRow("S-failed", "FAILED", "MIXED_ORIENTATION: slices have 2 orientations"),
                statusRow("S-sr", "NOT_IMAGE", "SOP class is a structured report")));

        es = SeriesIndex.connect(esUrl);
        server = new ApiServer(new ServerConfig(lake, "127.0.0.1", 0, esUrl, issuer), new TokenAuthenticator(issuer),
                new SeriesSearch(es, esUrl, NAMES), new InstanceCatalog(layout, new DeltaTableReader()));
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
        if (es != null) SeriesIndex.close(es);
    }

    private static byte[] gzip(String s) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static Map<String, Object> niftiRow(LakeLayout layout, String series, String project, int index, String name,
                                                byte[] content) throws Exception {
        String location = "derived/nifti/" + series + "/" + name + ".nii.gz";
        Path file = layout.resolve(location);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        Map<String, Object> r = new HashMap<>();
        r.put("series_instance_uid", series);
        r.put("project", project);
        r.put("status", "CONVERTED");
        r.put("output_index", index);
        r.put("name", name);
        r.put("location", location);
        r.put("sidecar_location", "derived/nifti/" + series + "/" + name + ".json");
        r.put("sha256", sha256(content));
        r.put("size_bytes", (long) content.length);
        r.put("dims", List.of(4, 4, 2));
        r.put("converted_at", Instant.parse("2026-01-01T00:00:00Z"));
        return r;
    }

    private static Map<String, Object> statusRow(String series, String status, String reason) {
        Map<String, Object> r = new HashMap<>();
        r.put("series_instance_uid", series);
        r.put("project", "demo");
        r.put("status", status);
        r.put("reason", reason);
        return r;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static HttpResponse<byte[]> get(String path, String token, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode problem(HttpResponse<byte[]> r, int status) throws Exception {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(body).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        return JSON.readTree(body);
    }

    private static final String FILE = "/api/v1/instances/1.1/file";

    @Test
    void wholeFileAdvertisesRanges() throws Exception {
        HttpResponse<byte[]> r = get(FILE, alice);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(dicom);
        assertThat(r.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(r.headers().firstValue("ETag")).hasValue("\"" + dicomSha + "\"");
        assertThat(r.headers().firstValue("X-Medlake-SHA256")).hasValue(dicomSha);
    }

    @Test
    void singleSuffixAndOpenEndedRanges() throws Exception {
        HttpResponse<byte[]> r = get(FILE, alice, "Range", "bytes=10-19");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(dicom, 10, 20));
        assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 10-19/100");
        assertThat(r.headers().firstValue("Content-Length")).hasValue("10");
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/dicom");
        assertThat(r.headers().firstValue("X-Medlake-SHA256")).hasValue(dicomSha);

        r = get(FILE, alice, "Range", "bytes=-7");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(dicom, 93, 100));
        assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 93-99/100");

        r = get(FILE, alice, "Range", "bytes=95-");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(dicom, 95, 100));
        assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 95-99/100");

        r = get(FILE, alice, "Range", "bytes=90-1000");   // clipped to the end
        assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 90-99/100");
        r = get(FILE, alice, "Range", "bytes=-500");      // suffix longer than the file: all of it
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.body()).isEqualTo(dicom);
        r = get(FILE, alice, "Range", "bytes=0-4,3-9");   // overlapping ranges are coalesced
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 0-9/100");
    }

    @Test
    void multipleRangesAreMultipartByteranges() throws Exception {
        HttpResponse<byte[]> r = get(FILE, alice, "Range", "bytes=50-51, 0-1");
        assertThat(r.statusCode()).isEqualTo(206);
        String type = r.headers().firstValue("Content-Type").orElse("");
        assertThat(type).startsWith("multipart/byteranges; boundary=");
        String boundary = type.substring(type.indexOf("boundary=") + 9);
        String body = new String(r.body(), StandardCharsets.ISO_8859_1);
        assertThat(r.headers().firstValue("Content-Length")).hasValue(String.valueOf(r.body().length));
        assertThat(body).contains("--" + boundary + "\r\nContent-Type: application/dicom\r\nContent-Range: bytes 0-1/100\r\n\r\n"
                + new String(new byte[] {0, 1}, StandardCharsets.ISO_8859_1) + "\r\n--" + boundary
                + "\r\nContent-Type: application/dicom\r\nContent-Range: bytes 50-51/100\r\n\r\n"
                + new String(new byte[] {50, 51}, StandardCharsets.ISO_8859_1) + "\r\n--" + boundary + "--\r\n");
        assertThat(r.headers().firstValue("Content-Range")).isEmpty();
    }

    @Test
    void unsatisfiableRangesAre416AndInvalidOnesAreIgnored() throws Exception {
        for (String range : List.of("bytes=100-", "bytes=200-300", "bytes=-0", "bytes=100-101,150-")) {
            HttpResponse<byte[]> r = get(FILE, alice, "Range", range);
            assertThat(problem(r, 416).get("detail").asText()).as(range).contains("100 bytes");
            assertThat(r.headers().firstValue("Content-Range")).as(range).hasValue("bytes */100");
        }
        // a satisfiable range among unsatisfiable ones is served
        assertThat(get(FILE, alice, "Range", "bytes=200-300,5-6").headers().firstValue("Content-Range")).hasValue("bytes 5-6/100");
        // invalid syntax, other units and a stale If-Range: the whole file
        for (String[] headers : List.of(new String[] {"Range", "bytes=abc"}, new String[] {"Range", "bytes=9-3"},
                new String[] {"Range", "items=0-3"}, new String[] {"Range", "bytes=0-3", "If-Range", "\"stale\""},
                new String[] {"Range", "bytes=0-3", "If-Range", "Wed, 21 Oct 2015 07:28:00 GMT"})) {
            HttpResponse<byte[]> r = get(FILE, alice, headers);
            assertThat(r.statusCode()).as(String.join(" ", headers)).isEqualTo(200);
            assertThat(r.body()).isEqualTo(dicom);
        }
        HttpResponse<byte[]> r = get(FILE, alice, "Range", "bytes=0-3", "If-Range", "\"" + dicomSha + "\"");
        assertThat(r.statusCode()).isEqualTo(206);
        // a current copy is not sent again; a stale one is
        HttpResponse<byte[]> same = get(FILE, alice, "If-None-Match", "\"other\", \"" + dicomSha + "\"");
        assertThat(same.statusCode()).isEqualTo(304);
        assertThat(same.body()).isEmpty();
        assertThat(get(FILE, alice, "If-None-Match", "\"stale\"").body()).isEqualTo(dicom);
        problem(get(FILE, bob, "If-None-Match", "\"" + dicomSha + "\""), 404);
        // access checks come first
        problem(get(FILE, bob, "Range", "bytes=0-3"), 404);
    }

    private static final String PACKED_FILE = "/api/v1/instances/7.1/file";

    @Test
    void aPackedInstanceIsServedAsAFileOfItsOwn() throws Exception {
        HttpResponse<byte[]> r = get(PACKED_FILE, alice);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(packed);
        assertThat(sha256(r.body())).isEqualTo(packedSha);
        assertThat(r.headers().firstValue("Content-Length")).hasValue("100");
        assertThat(r.headers().firstValue("ETag")).hasValue("\"" + packedSha + "\"");
        assertThat(r.headers().firstValue("X-Medlake-SHA256")).hasValue(packedSha);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/dicom");

        // ranges are positions within the object, not within the pack
        r = get(PACKED_FILE, alice, "Range", "bytes=10-19");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(packed, 10, 20));
        assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 10-19/100");
        r = get(PACKED_FILE, alice, "Range", "bytes=90-1000");   // clipped to the object's end, not the pack's
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(packed, 90, 100));
        assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 90-99/100");
        r = get(PACKED_FILE, alice, "Range", "bytes=-5");
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(packed, 95, 100));
        r = get(PACKED_FILE, alice, "Range", "bytes=98-99, 0-1");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(new String(r.body(), StandardCharsets.ISO_8859_1))
                .contains("Content-Range: bytes 0-1/100\r\n\r\n" + new String(packed, 0, 2, StandardCharsets.ISO_8859_1))
                .contains("Content-Range: bytes 98-99/100\r\n\r\n" + new String(packed, 98, 2, StandardCharsets.ISO_8859_1));

        // the pack goes on after the object, yet a range starting past the object's end is unsatisfiable
        for (String range : List.of("bytes=100-", "bytes=100-110", "bytes=-0")) {
            r = get(PACKED_FILE, alice, "Range", range);
            assertThat(problem(r, 416).get("detail").asText()).as(range).contains("100 bytes");
            assertThat(r.headers().firstValue("Content-Range")).as(range).hasValue("bytes */100");
        }
        HttpResponse<byte[]> same = get(PACKED_FILE, alice, "If-None-Match", "\"" + packedSha + "\"");
        assertThat(same.statusCode()).isEqualTo(304);
        assertThat(same.body()).isEmpty();
        assertThat(get(PACKED_FILE, alice, "Range", "bytes=0-3", "If-Range", "\"" + packedSha + "\"").statusCode())
                .isEqualTo(206);
        problem(get(PACKED_FILE, bob), 404);
    }

    @Test
    void aRegionBeyondItsPacksEndIsAServerProblemThatSaysWhatToDo() throws Exception {
        JsonNode p = problem(get("/api/v1/instances/7.2/file", alice), 500);
        assertThat(p.get("code").asText()).isEqualTo("INTERNAL");
        assertThat(p.get("detail").asText()).contains("objects/packs/downloads-0.pack@150+50")
                .contains("cannot be read").contains("re-ingest").doesNotContain(lake.toString());
    }

    @Test
    void niftiOfASeries() throws Exception {
        HttpResponse<byte[]> r = get("/api/v1/series/S-img/nifti", alice);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(nifti0);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/gzip");
        assertThat(r.headers().firstValue("X-Medlake-SHA256")).hasValue(nifti0Sha);
        assertThat(r.headers().firstValue("Content-Disposition").orElse("")).contains("S-img_e1.nii.gz");
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).startsWith("NIFTI-volume-0-");
        }
        assertThat(get("/api/v1/series/S-img/nifti?index=1", alice).body()).isEqualTo(nifti1);
        HttpResponse<byte[]> part = get("/api/v1/series/S-img/nifti", alice, "Range", "bytes=0-1");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.body()).containsExactly(0x1f, 0x8b);
    }

    @Test
    void niftiProblems() throws Exception {
        JsonNode failed = problem(get("/api/v1/series/S-failed/nifti", alice), 404);
        assertThat(failed.get("code").asText()).isEqualTo("NO_NIFTI");
        assertThat(failed.get("detail").asText()).contains("FAILED").contains("MIXED_ORIENTATION");
        assertThat(problem(get("/api/v1/series/S-sr/nifti", alice), 404).get("detail").asText()).contains("not an image series");
        assertThat(problem(get("/api/v1/series/S-none/nifti", alice), 404).get("detail").asText()).contains("not been converted");
        assertThat(problem(get("/api/v1/series/S-img/nifti?index=5", alice), 404).get("detail").asText()).contains("[0, 1]");
        problem(get("/api/v1/series/S-img/nifti?index=-1", alice), 400);
        problem(get("/api/v1/series/S-img/nifti?index=x", alice), 400);
        assertThat(problem(get("/api/v1/series/S-deid/nifti", alice), 403).get("code").asText()).isEqualTo("NOT_RELEASED");
        assertThat(problem(get("/api/v1/series/S-img/nifti", bob), 404).get("code").asText()).isEqualTo("USER_ERROR");
        problem(get("/api/v1/series/S-other/nifti", alice), 404);
        problem(get("/api/v1/series/S-unknown/nifti", alice), 404);
        problem(get("/api/v1/series/S-img/nifti", null), 401);
    }

    @Test
    void openApiDescribesEveryRoute() throws Exception {
        HttpResponse<byte[]> r = get("/api/v1/openapi.json", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(r.body());
        assertThat(doc.get("openapi").asText()).startsWith("3.1");
        assertThat(doc.at("/components/schemas/Problem/required")).extracting(JsonNode::asText)
                .contains("type", "title", "status", "detail", "code");
        Set<String> documented = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> p = paths.next();
            for (Iterator<String> methods = p.getValue().fieldNames(); methods.hasNext(); ) {
                String m = methods.next();
                if (!m.equals("parameters")) {
                    documented.add(m.toUpperCase() + " " + p.getKey());
                    // every operation documents the problem+json error schema
                    JsonNode responses = p.getValue().get(m).get("responses");
                    assertThat(responses.toString()).as(m + " " + p.getKey()).contains("Problem");
                }
            }
        }
        Set<String> registered = new TreeSet<>();
        for (String route : server.routes()) {
            String method = route.substring(0, route.indexOf(' '));
            if (Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS").contains(method)) {
                registered.add(route);
            }
        }
        assertThat(registered).hasSizeGreaterThan(10);
        assertThat(documented).containsAll(registered);
        assertThat(registered).containsAll(documented);
    }
}
