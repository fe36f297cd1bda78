package org.medlake.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.access.TokenAuthenticator;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.index.SeriesIndexer;
import org.medlake.cohort.search.SeriesSearch;
import org.medlake.dicom.SyntheticSeries;
import org.medlake.dicom.SyntheticSeries.DemoSet;
import org.medlake.ingest.IngestJob;
import org.medlake.ingest.IngestRequest;
import org.medlake.ingest.IngestResult;
import org.medlake.ingest.LakeSpark;
import org.medlake.curation.pipeline.CurateJob;
import org.medlake.lake.LakeLayout;
import org.medlake.sdk.CohortManifest;
import org.medlake.sdk.InstanceRef;
import org.medlake.sdk.MedlakeClient;
import org.medlake.sdk.MedlakeException;
import org.medlake.sdk.Query;
import org.medlake.sdk.SeriesPage;
import org.medlake.sdk.SeriesSummary;
import org.medlake.server.ApiServer;
import org.medlake.server.InstanceCatalog;
import org.medlake.server.ServerConfig;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;

/**
 * The platform path end to end, on real parts: synthetic DICOM, Spark ingest with de-identification into Delta,
 * curation, indexing from Delta (Kernel) into the real Elasticsearch, the REST API with tokens from the real Keycloak,
 * and the SDK. A third project's data is ingested as the scanner wrote it: it fails the de-identification check and
 * is never served. Expectations come from the lake itself, because de-identification remaps every UID.
 */
class PlatformEndToEndIT {
    @TempDir
    static Path work;
    private static DemoSet demo;
    private static DemoSet other;
    private static IngestResult ingested;
    /** Series of the lake, from its instances table: uid, modality, project, SOPs by instance number, objects. */
    private static List<LakeSeries> lakeSeries;

    record LakeSeries(String uid, String modality, String project, List<String> sops, List<Path> files) {}

    /** Series ingested without de-identification (their UIDs are the scanner's). */
    private static Set<String> rawUids;

    /** The project's series that passed the de-identification check. */
    /**
     * The instance's stored bytes as a file of its own, for the converter that reads files: the lake keeps instances
     * in packs, so they are copied out through {@link org.medlake.lake.LakeObjects}.
     */
    private static Path copyOut(LakeLayout layout, String sop, String location) {
        try {
            Path dir = Files.createDirectories(work.resolve("instances-out"));
            return Files.write(dir.resolve(sop + ".dcm"), new org.medlake.lake.LakeObjects(layout).readAllBytes(location));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<LakeSeries> inProject(String project) {
        return lakeSeries.stream().filter(s -> s.project().equals(project) && !rawUids.contains(s.uid())).toList();
    }
    private static ElasticsearchClient es;
    private static SeriesIndex.Names names;
    private static ApiServer server;

    @BeforeAll
    static void buildTheLake() {
        Path lake = work.resolve("lake");
        demo = SyntheticSeries.writeDemoSet(work.resolve("dicom-demo"), 2);
        other = SyntheticSeries.writeDemoSet(work.resolve("dicom-other"), 1);

        DemoSet raw = SyntheticSeries.writeDemoSet(work.resolve("dicom-raw"), 1);
        SparkSession spark = LakeSpark.session("e2e");
        try {
            String secret = "e2e-deid-secret-0123456789";
            ingested = IngestJob.run(spark, IngestRequest.of(lake, "demo", "site-a", demo.root().toString())
                    .withDeidentification(secret));
            IngestJob.run(spark, IngestRequest.of(lake, "other", "site-b", other.root().toString())
                    .withDeidentification(secret));
            IngestJob.run(spark, IngestRequest.of(lake, "demo", "site-c", raw.root().toString()));
            rawUids = raw.series().stream().map(SyntheticSeries.Written::seriesInstanceUid).collect(Collectors.toSet());
            CurateJob.Result curated = CurateJob.run(spark, lake, CurateJob.Progress.NONE);
            assertThat(curated.deid()).containsEntry("FAIL", (long) raw.series().size());
            LakeLayout layout = LakeLayout.at(lake);
            java.util.Map<String, List<org.apache.spark.sql.Row>> bySeries = spark.read().format("delta")
                    .load(layout.tableUri(org.medlake.lake.Tables.INSTANCES))
                    .select("series_instance_uid", "modality", "project", "sop_instance_uid", "location", "instance_number")
                    .orderBy("instance_number", "sop_instance_uid").collectAsList().stream()
                    .collect(Collectors.groupingBy(r -> r.getString(0), java.util.LinkedHashMap::new, Collectors.toList()));
            lakeSeries = bySeries.values().stream().map(rows -> new LakeSeries(rows.get(0).getString(0),
                    rows.get(0).getString(1), rows.get(0).getString(2), rows.stream().map(r -> r.getString(3)).toList(),
                    rows.stream().map(r -> copyOut(layout, r.getString(3), r.getString(4))).toList())).toList();
        } finally {
            spark.stop();
        }

        String esUrl = MedlakeServices.elasticsearchUrl();
        es = SeriesIndex.connect(esUrl);
        names = SeriesIndex.isolated("e2e-" + UUID.randomUUID().toString().substring(0, 8));
        SeriesIndexer.Result indexed = new SeriesIndexer(es, new DeltaTableReader(), esUrl, names).index(LakeLayout.at(lake));
        assertThat(indexed.seriesIndexed()).isEqualTo(demo.series().size() + other.series().size() + 3L);

        ServerConfig config = new ServerConfig(lake, "127.0.0.1", 0, esUrl, KeycloakTestRealm.issuer());
        server = new ApiServer(config, new TokenAuthenticator(KeycloakTestRealm.issuer()),
                new SeriesSearch(es, esUrl, names), new InstanceCatalog(LakeLayout.at(lake), new DeltaTableReader()));
        server.start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (es != null) {
            SeriesIndex.drop(es, names);
            SeriesIndex.close(es);
        }
    }

    private static MedlakeClient login(String user) {
        return MedlakeClient.create(cfg -> cfg.url(server.baseUrl()).issuer(KeycloakTestRealm.issuer()).password(user, user));
    }

    @Test
    void ingestAccountsForEveryFile() {
        assertThat(ingested.instancesAdded()).isEqualTo(demo.instanceCount());
        assertThat(ingested.quarantined()).isZero();
    }

    @Test
    void aliceQueriesHerProjectsMrCohortAndDownloadsAVerifiedInstance() throws Exception {
        Set<String> expectedMr = inProject("demo").stream().filter(s -> s.modality().equals("MR"))
                .map(LakeSeries::uid).collect(Collectors.toSet());
        try (MedlakeClient alice = login("alice")) {
            SeriesPage page = alice.searchSeries(Query.eq("modality", "MR"), 100);
            assertThat(page.total()).isEqualTo(expectedMr.size());
            assertThat(page.series()).extracting(SeriesSummary::seriesInstanceUid).containsExactlyInAnyOrderElementsOf(expectedMr);
            assertThat(page.series()).allSatisfy(s -> assertThat(s.project()).isEqualTo("demo"));

            LakeSeries series = inProject("demo").stream().filter(s -> s.uid().equals(page.series().get(0).seriesInstanceUid()))
                    .findFirst().orElseThrow();
            List<InstanceRef> instances = alice.instances(series.uid());
            assertThat(instances).extracting(InstanceRef::sopInstanceUid).containsExactlyElementsOf(series.sops());

            Path file = alice.downloadInstance(instances.get(0).sopInstanceUid(), work.resolve("downloads"));
            byte[] original = Files.readAllBytes(series.files().get(0));
            assertThat(Files.readAllBytes(file)).isEqualTo(original);
            assertThat(instances.get(0).sha256())
                    .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(original)));

            CohortQueryExample.Outcome outcome = CohortQueryExample.run(alice, Query.eq("modality", "MR"), work.resolve("example"));
            assertThat(outcome.cohortSize()).isEqualTo(expectedMr.size());
            assertThat(outcome.downloadedFile()).exists();
        }
    }

    @Test
    void curationsNiftiIsServedToAliceAndIsTheConvertedSeries() throws Exception {
        LakeSeries series = inProject("demo").stream().filter(s -> s.modality().equals("MR")).findFirst().orElseThrow();
        String token = org.medlake.testkit.KeycloakTestRealm.passwordToken("alice", "alice").raw();
        java.net.http.HttpResponse<byte[]> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/api/v1/series/"
                        + series.uid() + "/nifti")).header("Authorization", "Bearer " + token).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        Path served = Files.write(work.resolve("served.nii.gz"), response.body());
        // the same volume the converter makes from the lake's objects of the series, voxel for voxel
        org.medlake.nifti.NiftiResult expected = org.medlake.nifti.NiftiConverter.convertSeries(series.files()).get(0);
        org.medlake.nifti.NiftiReader.Image image = org.medlake.nifti.NiftiReader.read(served);
        assertThat(image.header().dim()).containsExactly(expected.dims());
        assertThat(image.values()).hasSize(Math.toIntExact(expected.header().voxelCount()));
        for (int i = 0; i < image.values().length; i += 97) {
            assertThat(image.values()[i]).isEqualTo(expected.value(i));
        }
        assertThat(expected.sopInstanceUids()).containsExactlyInAnyOrderElementsOf(series.sops());
        // bob, outside the project, is not told that it exists
        String bob = org.medlake.testkit.KeycloakTestRealm.passwordToken("bob", "bob").raw();
        assertThat(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(server.baseUrl() + "/api/v1/series/" + series.uid() + "/nifti"))
                .header("Authorization", "Bearer " + bob).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
    }

    @Test
    void theSdkDeliversASeriesVolumeWithItsGeometryAndRevalidatesItsCache() throws Exception {
        LakeSeries series = inProject("demo").stream().filter(s -> s.modality().equals("MR")).findFirst().orElseThrow();
        org.medlake.nifti.NiftiResult expected = org.medlake.nifti.NiftiConverter.convertSeries(series.files()).get(0);
        Path cache = work.resolve("volume-cache");
        try (MedlakeClient alice = MedlakeClient.create(cfg -> cfg.url(server.baseUrl())
                .issuer(KeycloakTestRealm.issuer()).password("alice", "alice").cacheDir(cache))) {
            org.medlake.sdk.Volume v = alice.volume(series.uid());
            assertThat(v.seriesInstanceUid()).isEqualTo(series.uid());
            assertThat(v.shape()).containsExactly(java.util.Arrays.stream(expected.dims()).asLongStream().toArray());
            assertThat(v.data().isDirect()).isTrue();
            assertThat(v.dataType().niftiCode()).isEqualTo(expected.header().datatype());
            double[][] srow = expected.header().srow();
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) {
                    assertThat(v.affine(r, c)).isCloseTo(srow[r][c], org.assertj.core.api.Assertions.within(1e-4));
                }
            }
            for (long i = 0; i < v.voxelCount(); i += 53) {
                assertThat(v.value(i)).isEqualTo(expected.value((int) i));
            }
            // cached; a damaged copy on disk is replaced by the server's, not read
            Path cached = cache.resolve("nifti").resolve(series.uid() + ".nii.gz");
            assertThat(cached).isRegularFile();
            Files.write(cached, new byte[] {1, 2, 3});
            assertThat(alice.volume(series.uid()).shape()).isEqualTo(v.shape());
            assertThat(Files.size(cached)).isGreaterThan(3);
            // bob is told which project he lacks, through the volume dataset
            CohortManifest manifestOfAlice = frozenMrCohort(alice);
            try (MedlakeClient bob = login("bob");
                    org.medlake.sdk.VolumeIterator it = org.medlake.sdk.VolumeDataset.of(bob, manifestOfAlice).iterator(0)) {
                assertThatThrownBy(it::next).isInstanceOf(MedlakeException.class).hasMessageContaining("'demo'");
                assertThat(it.position().offset()).isZero();
            }
        }
    }

    private static CohortManifest frozenMrCohort(MedlakeClient client) {
        String name = "mr-" + UUID.randomUUID().toString().substring(0, 8);
        client.createCohort("demo", name, Query.eq("modality", "MR"), null);
        client.freezeCohort("demo", name);
        return client.manifest("demo", name, 1);
    }

    @Test
    void theTrainingLoopExampleWalksTheWholeLoop() {
        List<LakeSeries> mr = inProject("demo").stream().filter(s -> s.modality().equals("MR")).toList();
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        TrainingLoopExample.Report r;
        try (MedlakeClient alice = MedlakeClient.create(cfg -> cfg.url(server.baseUrl())
                .issuer(KeycloakTestRealm.issuer()).password("alice", "alice").cacheDir(work.resolve("example-cache")))) {
            r = TrainingLoopExample.run(alice, new TrainingLoopExample.Options("demo", "MR", 2, 7, 0.5, 0.5, 0.0, 2,
                    64L << 20), "example-" + UUID.randomUUID().toString().substring(0, 8),
                    new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(r.series()).isEqualTo(mr.size());
        assertThat(r.instances()).isEqualTo(mr.stream().mapToInt(s -> s.sops().size()).sum());
        assertThat(r.patients()).isEqualTo(demo.patients().size());
        assertThat(r.trainSeries() + r.validationSeries() + r.testSeries()).isEqualTo(mr.size());
        assertThat(r.trainSeries()).isPositive();
        assertThat(r.validationSeries()).isPositive();
        assertThat(r.epochs()).hasSize(2).allSatisfy(e -> {
            assertThat(e.volumes()).isEqualTo(r.trainSeries());
            assertThat(e.bytes()).isPositive();
            assertThat(e.mbPerSecond()).isPositive();
        });
        assertThat(r.validationVolumes()).isEqualTo(r.validationSeries());
        assertThat(r.std()).isPositive();
        assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("epoch 0:", "epoch 1:", "validation:");
        assertThat(TrainingLoopExample.toJson(r)).startsWith("{\"cohort\":\"example-").contains("\"epochs\":2");
    }

    @Test
    void pagingWalksTheWholeCohortOnce() {
        try (MedlakeClient alice = login("alice")) {
            SeriesPage page = alice.searchSeries(Query.all(), 2);
            List<String> seen = new java.util.ArrayList<>(page.series().stream().map(SeriesSummary::seriesInstanceUid).toList());
            while (page.hasNext()) {
                page = alice.nextPage(Query.all(), page);
                page.series().forEach(s -> seen.add(s.seriesInstanceUid()));
            }
            assertThat(seen).doesNotHaveDuplicates().hasSize(demo.series().size());
        }
    }

    @Test
    void bobSeesOnlyHisProjectAndCannotFetchAlicesFiles() {
        String alicesInstance = inProject("demo").get(0).sops().get(0);
        try (MedlakeClient bob = login("bob")) {
            SeriesPage page = bob.searchSeries(Query.all(), 100);
            assertThat(page.total()).isEqualTo(other.series().size());
            assertThat(page.series()).allSatisfy(s -> assertThat(s.project()).isEqualTo("other"));
            // The query language cannot widen the server's project filter.
            assertThat(bob.searchSeries(Query.eq("project", "demo"), 100).total()).isZero();
            assertThatThrownBy(() -> bob.downloadInstance(alicesInstance, work.resolve("bob")))
                    .isInstanceOfSatisfying(MedlakeException.class, e -> assertThat(e.status()).isEqualTo(404));
        }
    }

    @Test
    void dataThatFailsTheDeidentificationCheckIsNeverServed() {
        LakeSeries failed = lakeSeries.stream().filter(s -> rawUids.contains(s.uid())).findFirst().orElseThrow();
        assertThat(failed.project()).isEqualTo("demo");
        try (MedlakeClient alice = login("alice")) {
            assertThat(alice.searchSeries(Query.eq("site", "site-c"), 100).total()).isZero();
            assertThat(alice.searchSeries(Query.all(), 100).series()).extracting(SeriesSummary::seriesInstanceUid)
                    .doesNotContainAnyElementsOf(rawUids);
            assertThatThrownBy(() -> alice.downloadInstance(failed.sops().get(0), work.resolve("alice-raw")))
                    .isInstanceOfSatisfying(MedlakeException.class, e -> assertThat(e.status()).isEqualTo(403));
        }
    }

    @Test
    void aTrainingJobUsesItsServiceAccount() {
        try (MedlakeClient trainer = MedlakeClient.create(cfg -> cfg.url(server.baseUrl()).issuer(KeycloakTestRealm.issuer())
                .clientCredentials("medlake-trainer", "medlake-trainer-secret"))) {
            assertThat(trainer.searchSeries(Query.eq("modality", "CT"), 10).total()).isEqualTo(2);
        }
    }

    @Test
    void anInvalidQueryIsRefusedWithAMessageNamingTheField() {
        try (MedlakeClient alice = login("alice")) {
            assertThatThrownBy(() -> alice.searchSeries(Query.eq("no_such_field", "x"), 10))
                    .isInstanceOfSatisfying(MedlakeException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.kind()).isEqualTo(MedlakeException.Kind.USER_ERROR);
                        assertThat(e.getMessage()).contains("no_such_field");
                    });
        }
    }
}
