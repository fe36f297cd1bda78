package org.medlake.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
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
import org.medlake.server.ApiServer;
import org.medlake.server.InstanceCatalog;
import org.medlake.server.ServerConfig;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;

/**
 * Cohorts, splits, the verified cache and the streaming dataset through the SDK against the real server over a Kernel-written lake, the test kit's Keycloak
 * and Elasticsearch: 12 patients in project demo, some with two series, all released.
 */
class TrainingSdkIT {
    @TempDir
    static Path lake;
    @TempDir
    Path cache;

    private static final SeriesIndex.Names NAMES =
            SeriesIndex.isolated("sdk-cohort-it-" + UUID.randomUUID().toString().substring(0, 8));
    private static final int PATIENTS = 12;

    private static ApiServer server;
    private static ElasticsearchClient es;
    private static LakeLayout layout;

    @BeforeAll
    static void start() throws Exception {
        String esUrl = MedlakeServices.elasticsearchUrl();
        String issuer = KeycloakTestRealm.issuer();
        layout = LakeLayout.at(lake);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int p = 0; p < PATIENTS; p++) {
            for (int s = 0; s <= p % 2; s++) {
                String series = "1.9." + p + "." + s;
                rows.add(file(series + ".1", series, "PAT-" + p, 1));
                rows.add(file(series + ".2", series, "PAT-" + p, 2));
            }
        }
        DeltaTestTables.append(layout.table("instances"), DeltaTestTables.INSTANCES_SCHEMA, rows);
        DeltaTestTables.appendCuration(layout, DeltaTestTables.passFor(rows));
        es = SeriesIndex.connect(esUrl);
        new SeriesIndexer(es, new DeltaTableReader(), esUrl, NAMES).index(layout);
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

    private static Map<String, Object> file(String sop, String series, String patient, int number) throws Exception {
        byte[] content = ("DICM-" + sop).getBytes(StandardCharsets.UTF_8);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Path object = layout.resolve(LakeLayout.objectKey(sha));
        Files.createDirectories(object.getParent());
        Files.write(object, content);
        return DeltaTestTables.instance(sop, series, "demo", content.length, Map.of("sha256", sha, "location",
                LakeLayout.objectKey(sha), "modality", "MR", "instance_number", number, "patient_id", patient));
    }

    private MedlakeClient client(String user) {
        return MedlakeClient.create(cfg -> cfg.url(server.baseUrl()).issuer(KeycloakTestRealm.issuer())
                .password(user, user).cacheDir(cache.resolve(user)).retries(3, java.time.Duration.ofMillis(20)));
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** A frozen version 1 of a new cohort of every MR series of demo. */
    private CohortManifest frozen(MedlakeClient alice) {
        String name = "cache-" + UUID.randomUUID().toString().substring(0, 8);
        alice.createCohort("demo", name, Query.eq("modality", "MR"), null);
        alice.freezeCohort("demo", name);
        return alice.manifest("demo", name, 1);
    }

    @Test
    void cachedFilesAreVerifiedAndACorruptedOneIsFetchedAgain() throws Exception {
        try (MedlakeClient alice = client("alice")) {
            CohortManifest m = frozen(alice);
            List<Path> files = alice.fetchAll(m);
            assertThat(files).hasSize(36);
            for (int i = 0; i < files.size(); i++) {
                assertThat(files.get(i)).startsWith(cache.resolve("alice"));
                assertThat(sha256(files.get(i))).isEqualTo(m.entries().get(i).sha256());
            }
            ManifestEntry victim = m.entries().get(5);
            Path cached = files.get(5);
            Files.write(cached, "garbage".getBytes(StandardCharsets.UTF_8));
            Path again = alice.fetch(victim);
            assertThat(again).isEqualTo(cached);
            assertThat(sha256(again)).isEqualTo(victim.sha256());
            assertThat(Files.readString(again)).isEqualTo("DICM-" + victim.sopInstanceUid());
            Files.delete(cached);
            assertThat(sha256(alice.fetch(victim))).isEqualTo(victim.sha256());
            try (var left = Files.walk(cache)) {
                assertThat(left.filter(p -> p.toString().endsWith(".part"))).isEmpty();
            }
        }
    }

    @Test
    void datasetSamplesFillTheSameVerifiedCacheAndRepairACorruptedFile() throws Exception {
        CohortManifest m;
        try (MedlakeClient alice = client("alice")) {
            m = frozen(alice);
            try (DatasetIterator it = Dataset.of(alice, m).prefetch(3, 1000).iterator(0)) {
                while (it.hasNext()) {
                    Sample s = it.next();
                    assertThat(new String(s.bytes(), StandardCharsets.UTF_8)).isEqualTo("DICM-" + s.entry().sopInstanceUid());
                }
            }
        } // close() waits for the cache writes still pending
        // every sample was cached, packed: the pack holds exactly the cohort's bytes
        Path packs = cache.resolve("alice").resolve("packs");
        long total = m.entries().stream().mapToLong(ManifestEntry::sizeBytes).sum();
        try (var ps = Files.list(packs)) {
            assertThat(ps.filter(p -> p.toString().endsWith(".dat")).mapToLong(p -> p.toFile().length()).sum())
                    .isEqualTo(total);
        }
        // damage every packed copy: the next epoch detects it, downloads again and packs fresh copies
        try (var ps = Files.list(packs)) {
            for (Path p : ps.filter(p -> p.toString().endsWith(".dat")).toList()) {
                byte[] junk = new byte[(int) Files.size(p)];
                java.util.Arrays.fill(junk, (byte) 'x');
                Files.write(p, junk);
            }
        }
        try (MedlakeClient alice = client("alice")) {
            try (DatasetIterator it = Dataset.of(alice, m).prefetch(3, 1000).iterator(0)) {
                while (it.hasNext()) {
                    Sample s = it.next();
                    assertThat(new String(s.bytes(), StandardCharsets.UTF_8)).isEqualTo("DICM-" + s.entry().sopInstanceUid());
                }
            }
        }
        try (var ps = Files.list(packs)) {
            assertThat(ps.filter(p -> p.toString().endsWith(".dat")).mapToLong(p -> p.toFile().length()).sum())
                    .isEqualTo(2 * total);
        }
        // a third client reads the fresh copies, without the server
        try (MedlakeClient offline = MedlakeClient.create(cfg -> cfg.url("http://127.0.0.1:9").accessToken("none")
                .cacheDir(cache.resolve("alice")).retries(1, java.time.Duration.ofMillis(1)))) {
            try (DatasetIterator it = Dataset.of(offline, m).iterator(0)) {
                int n = 0;
                while (it.hasNext()) {
                    Sample s = it.next();
                    assertThat(new String(s.bytes(), StandardCharsets.UTF_8)).isEqualTo("DICM-" + s.entry().sopInstanceUid());
                    n++;
                }
                assertThat(n).isEqualTo(m.entries().size());
            }
        }
    }

    @Test
    void aUserWithoutRightsGetsAnErrorNamingTheProject() {
        CohortManifest m;
        try (MedlakeClient alice = client("alice")) {
            m = frozen(alice);
        }
        try (MedlakeClient bob = client("bob")) {
            assertThatThrownBy(() -> bob.fetch(m.entries().get(0))).isInstanceOf(MedlakeException.class)
                    .hasMessageContaining("'demo'").hasMessageNotContaining("..")
                    .satisfies(e -> {
                        MedlakeException me = (MedlakeException) e;
                        assertThat(me.kind()).isEqualTo(MedlakeException.Kind.USER_ERROR);
                        assertThat(me.status()).isIn(401, 403, 404);
                    });
            assertThatThrownBy(() -> bob.manifest("demo", m.version().cohort(), 1))
                    .isInstanceOf(MedlakeException.class).hasMessageContaining("'demo'");
            // a failed sample keeps the position and is tried again by the next call
            try (DatasetIterator it = Dataset.of(bob, m).prefetch(4, 1000).iterator(0)) {
                for (int i = 0; i < 2; i++) {
                    assertThatThrownBy(it::next).isInstanceOf(MedlakeException.class).hasMessageContaining("'demo'");
                    assertThat(it.position().offset()).isZero();
                    assertThat(it.hasNext()).isTrue();
                }
            }
        }
    }

    @Test
    void transientFailuresAreRetriedThenNameTheUrl() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: connections are refused
        }
        String url = "http://127.0.0.1:" + port;
        long start = System.nanoTime();
        try (MedlakeClient c = MedlakeClient.create(cfg -> cfg.url(url).accessToken("t")
                .retries(3, java.time.Duration.ofMillis(100)))) {
            assertThatThrownBy(() -> c.cohorts("demo")).isInstanceOf(MedlakeException.class)
                    .hasMessageContaining(url + "/api/v1/projects/demo/cohorts").hasMessageContaining("3 attempts")
                    .extracting(e -> ((MedlakeException) e).kind()).isEqualTo(MedlakeException.Kind.EXTERNAL);
        }
        // two waits: 100-150 ms then 200-300 ms
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(
                java.time.Duration.ofMillis(300));
    }

    /**
     * A real HTTP hop in front of the real server that answers the first two requests for each file with 503 and then
     * 429 (Retry-After 1 s), and passes every other request through.
     */
    @Test
    void overloadAnswersFromAProxyAreRetriedHonouringRetryAfter() throws Exception {
        CohortManifest m;
        try (MedlakeClient alice = client("alice")) {
            m = frozen(alice);
        }
        java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> seen = new java.util.concurrent.ConcurrentHashMap<>();
        java.net.http.HttpClient upstream = java.net.http.HttpClient.newHttpClient();
        com.sun.net.httpserver.HttpServer proxy = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().toString();
                int n = path.endsWith("/file") ? seen.computeIfAbsent(path, k -> new java.util.concurrent.atomic.AtomicInteger())
                        .incrementAndGet() : 0;
                if (n == 1 || n == 2) {
                    if (n == 2) {
                        ex.getResponseHeaders().add("Retry-After", "1");
                    }
                    ex.sendResponseHeaders(n == 1 ? 503 : 429, -1);
                    return;
                }
                java.net.http.HttpRequest.Builder req = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(server.baseUrl() + path)).method(ex.getRequestMethod(),
                        java.net.http.HttpRequest.BodyPublishers.ofByteArray(ex.getRequestBody().readAllBytes()));
                for (String h : List.of("Authorization", "Content-Type", "Accept")) {
                    String v = ex.getRequestHeaders().getFirst(h);
                    if (v != null) {
                        req.header(h, v);
                    }
                }
                java.net.http.HttpResponse<byte[]> r = upstream.send(req.build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                r.headers().map().forEach((k, v) -> {
                    if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("transfer-encoding") && !k.startsWith(":")) {
                        ex.getResponseHeaders().put(k, v);
                    }
                });
                ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                ex.getResponseBody().write(r.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        proxy.start();
        try (MedlakeClient viaProxy = MedlakeClient.create(cfg -> cfg.url("http://127.0.0.1:" + proxy.getAddress().getPort())
                .issuer(KeycloakTestRealm.issuer()).password("alice", "alice").cacheDir(cache.resolve("proxy"))
                .retries(4, java.time.Duration.ofMillis(10)))) {
            ManifestEntry e = m.entries().get(0);
            long start = System.nanoTime();
            Path file = viaProxy.fetch(e);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(sha256(file)).isEqualTo(e.sha256());
            assertThat(seen.get(e.downloadUrl()).get()).isEqualTo(3);
            assertThat(ms).as("waited for Retry-After").isGreaterThanOrEqualTo(1000);
        } finally {
            proxy.stop(0);
        }
    }

    @Test
    void frozenVersionSplitsIdenticallyInTwoClients() {
        String name = "split-" + UUID.randomUUID().toString().substring(0, 8);
        CohortManifest first;
        try (MedlakeClient alice = client("alice")) {
            Cohort created = alice.createCohort("demo", name, Query.eq("modality", "MR"), "all MR");
            assertThat(created.versions()).isEmpty();
            assertThat(created.latestVersion()).isEmpty();
            CohortVersion v = alice.freezeCohort("demo", name);
            assertThat(v.version()).isEqualTo(1);
            assertThat(v.cohortId()).isEqualTo(created.cohortId());
            assertThat(v.seriesCount()).isEqualTo(18);
            assertThat(v.instanceCount()).isEqualTo(36);
            assertThat(alice.cohortVersion("demo", name, 1)).isEqualTo(v);
            Cohort got = alice.cohort("demo", name);
            assertThat(got.latestVersion()).get().extracting(CohortVersion::membersSha256).isEqualTo(v.membersSha256());
            assertThat(alice.cohorts("demo")).extracting(Cohort::name).contains(name);

            first = alice.manifest("demo", name, 1);
            assertThat(first.version().sizeBytes()).isEqualTo(v.sizeBytes());
            assertThat(first.entries()).hasSize(36).allSatisfy(e -> {
                assertThat(e.patientId()).startsWith("PAT-");
                assertThat(e.sha256()).hasSize(64);
                assertThat(e.downloadUrl()).isEqualTo("/api/v1/instances/" + e.sopInstanceUid() + "/file");
            });
        }
        TrainValTestSplit a = Splits.trainValTest(first, 2026, 0.5, 0.25, 0.25);
        List<Fold> foldsA = Splits.kFold(first, 3, 2026);
        try (MedlakeClient other = client("alice")) {
            CohortManifest second = other.manifest("demo", name, 1);
            assertThat(second).isEqualTo(first);
            assertThat(Splits.trainValTest(second, 2026, 0.5, 0.25, 0.25)).isEqualTo(a);
            assertThat(Splits.kFold(second, 3, 2026)).isEqualTo(foldsA);
        }
        Set<String> train = a.train().stream().map(ManifestEntry::patientId).collect(Collectors.toSet());
        Set<String> val = a.validation().stream().map(ManifestEntry::patientId).collect(Collectors.toSet());
        Set<String> test = a.test().stream().map(ManifestEntry::patientId).collect(Collectors.toSet());
        assertThat(train).hasSize(6).doesNotContainAnyElementsOf(val).doesNotContainAnyElementsOf(test);
        assertThat(val).hasSize(3).doesNotContainAnyElementsOf(test);
        assertThat(test).hasSize(3);
    }

    @Test
    void unknownCohortAndForeignProjectAreUserErrorsNamingThem() {
        try (MedlakeClient alice = client("alice")) {
            assertThatThrownBy(() -> alice.cohort("demo", "no-such-cohort")).isInstanceOf(MedlakeException.class)
                    .hasMessageContaining("no-such-cohort").hasMessageContaining("demo")
                    .extracting(e -> ((MedlakeException) e).status()).isEqualTo(404);
            assertThatThrownBy(() -> alice.cohorts("secret-project")).isInstanceOf(MedlakeException.class)
                    .hasMessageContaining("secret-project")
                    .extracting(e -> ((MedlakeException) e).kind()).isEqualTo(MedlakeException.Kind.USER_ERROR);
        }
    }

    @Test
    void datasetStreamsShardsAndResumesExactly() {
        String token;
        List<String> firstPart = new ArrayList<>();
        List<String> expected;
        String cohort;
        try (MedlakeClient alice = client("alice")) {
            CohortManifest m = frozen(alice);
            cohort = m.version().cohort();
            Dataset ds = Dataset.of(alice, m).shuffle(77).prefetch(3, 40);
            // shards over the real data: disjoint and covering
            List<String> union = new ArrayList<>();
            for (int rank = 0; rank < 3; rank++) {
                try (DatasetIterator it = ds.shard(rank, 3).iterator(1)) {
                    while (it.hasNext()) {
                        Sample s = it.next();
                        assertThat(new String(s.bytes(), StandardCharsets.UTF_8))
                                .isEqualTo("DICM-" + s.entry().sopInstanceUid());
                        assertThat(it.bytesAhead()).isLessThanOrEqualTo(40);
                        union.add(s.entry().sopInstanceUid());
                    }
                }
            }
            assertThat(union).doesNotHaveDuplicates().hasSize(36);
            Dataset shard = ds.shard(1, 2);
            expected = shard.order(2).stream().map(ManifestEntry::sopInstanceUid).toList();
            try (DatasetIterator it = shard.iterator(2)) {
                for (int i = 0; i < 7; i++) {
                    firstPart.add(it.next().entry().sopInstanceUid());
                }
                token = it.position().token();
            } // interrupted here
        }
        assertThat(firstPart).isEqualTo(expected.subList(0, 7));
        List<String> rest = new ArrayList<>();
        try (MedlakeClient again = client("alice")) {
            Dataset shard = Dataset.of(again, again.manifest("demo", cohort, 1)).shuffle(77).shard(1, 2);
            try (DatasetIterator it = shard.iterator(DatasetPosition.parse(token))) {
                while (it.hasNext()) {
                    rest.add(it.next().entry().sopInstanceUid());
                }
                assertThat(it.position().offset()).isEqualTo(expected.size());
            }
        }
        assertThat(rest).isEqualTo(expected.subList(7, expected.size()));
    }
}
