package org.medlake.webe2e;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
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
import org.medlake.curation.pipeline.CurateJob;
import org.medlake.dicom.SyntheticSeries;
import org.medlake.dicom.SyntheticSeries.DemoSet;
import org.medlake.ingest.IngestJob;
import org.medlake.ingest.IngestRequest;
import org.medlake.ingest.LakeSpark;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;
import org.medlake.server.ApiServer;
import org.medlake.server.InstanceCatalog;
import org.medlake.server.ServerConfig;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;

/**
 * The web app in a real browser, on real parts: a lake built by Spark ingest (project {@code demo} and
 * {@code other} de-identified on the way in, plus a raw set in {@code demo} that fails the de-identification check),
 * curated and indexed into an isolated Elasticsearch index, the real {@link ApiServer} serving the app at {@code /},
 * the real Keycloak login page, and Debian's chromium driven by Playwright scenario scripts
 * ({@code src/test/e2e/*.mjs}, run with node).
 *
 * <p>What the scripts cannot know (which series are DWI, their instances, the raw patient names that must never
 * show) comes from the lake's own tables and is handed to them in a JSON file ({@code MEDLAKE_E2E_INPUT}).
 * The scripts fail fast naming the step; their last stdout line is a JSON summary that this test checks, together
 * with the screenshots they write to {@code target/screenshots}.
 *
 * <p>Needs chromium ({@code infra/bin/ensure-packages chromium} installs it as root), node, and
 * {@code playwright-core} in {@code web/node_modules} (a devDependency the {@code web} module's build installs;
 * {@code -Dmedlake.e2e.node.modules=DIR} to use another folder). When any is missing the test fails saying so:
 * CI must run it.
 */
class BrowserE2EIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEID_SECRET = "web-e2e-deid-secret-0123456789";

    @TempDir
    static Path work;
    private static ElasticsearchClient es;
    private static SeriesIndex.Names names;
    private static ApiServer server;
    /** What the lake says the scenarios should see. */
    private static Expected expected;

    /**
     * Facts of the lake the scenarios check.
     *
     * @param dwiSeries    released DWI series of project demo
     * @param dwiInstances SOP Instance UIDs of those series
     * @param mrSeries     released MR series of project demo
     * @param failSeries   series of demo that failed the de-identification check (the raw set)
     * @param rawNames     patient names and ids of the raw set, that no page may show
     */
    record Expected(Set<String> dwiSeries, Set<String> dwiInstances, Set<String> mrSeries, Set<String> failSeries,
                    Set<String> rawNames) {}

    @BeforeAll
    static void buildTheLakeAndStartTheServer() {
        // the services first: a missing one fails the test before minutes of Spark
        String esUrl = MedlakeServices.elasticsearchUrl();
        String issuer = KeycloakTestRealm.issuer();
        Path lake = work.resolve("lake");
        DemoSet demo = SyntheticSeries.writeDemoSet(work.resolve("dicom-demo"), 2);
        DemoSet other = SyntheticSeries.writeDemoSet(work.resolve("dicom-other"), 1);
        DemoSet raw = SyntheticSeries.writeDemoSet(work.resolve("dicom-raw"), 1);
        SparkSession spark = LakeSpark.session("web-e2e");
        try {
            IngestJob.run(spark, IngestRequest.of(lake, "demo", "site-a", demo.root().toString())
                    .withDeidentification(DEID_SECRET));
            IngestJob.run(spark, IngestRequest.of(lake, "other", "site-b", other.root().toString())
                    .withDeidentification(DEID_SECRET));
            // As the scanner wrote it: fails the de-identification check and waits in the de-id queue.
            IngestJob.run(spark, IngestRequest.of(lake, "demo", "site-c", raw.root().toString()));
            CurateJob.Result curated = CurateJob.run(spark, lake, CurateJob.Progress.NONE);
            assertThat(curated.deid()).containsEntry("FAIL", (long) raw.series().size());
            expected = expectations(spark, LakeLayout.at(lake), raw);
        } finally {
            spark.stop();
        }
        assertThat(expected.dwiSeries()).as("released DWI series of demo").hasSize(demo.patients().size());
        assertThat(expected.failSeries()).hasSize(raw.series().size());

        es = SeriesIndex.connect(esUrl);
        names = SeriesIndex.isolated("web-e2e-" + UUID.randomUUID().toString().substring(0, 8));
        new SeriesIndexer(es, new DeltaTableReader(), esUrl, names).index(LakeLayout.at(lake));

        ServerConfig config = new ServerConfig(lake, "127.0.0.1", 0, esUrl, issuer);
        server = new ApiServer(config, new TokenAuthenticator(issuer),
                new SeriesSearch(es, esUrl, names), new InstanceCatalog(LakeLayout.at(lake), new DeltaTableReader()));
        server.start();
    }

    /** Reads the expectations from the lake's tables (de-identification remapped every UID of demo and other). */
    private static Expected expectations(SparkSession spark, LakeLayout layout, DemoSet raw) {
        List<Row> curation = spark.read().format("delta").load(layout.tableUri(Tables.SERIES_CURATION))
                .select("series_instance_uid", "project", "modality", "series_type", "deid_status")
                .collectAsList();
        Set<String> dwi = new TreeSet<>();
        Set<String> mr = new TreeSet<>();
        Set<String> fail = new TreeSet<>();
        for (Row r : curation) {
            if (!"demo".equals(r.getString(1))) {
                continue;
            }
            if ("FAIL".equals(r.getString(4))) {
                fail.add(r.getString(0));
            } else if ("MR".equals(r.getString(2))) {
                mr.add(r.getString(0));
                if ("DWI".equals(r.getString(3))) {
                    dwi.add(r.getString(0));
                }
            }
        }
        Set<String> dwiInstances = spark.read().format("delta").load(layout.tableUri(Tables.INSTANCES))
                .select("series_instance_uid", "sop_instance_uid").collectAsList().stream()
                .filter(r -> dwi.contains(r.getString(0))).map(r -> r.getString(1))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> rawNames = new TreeSet<>();
        for (SyntheticSeries.Patient p : raw.patients()) {
            rawNames.add(p.name());                 // DICOM form, SYNTHETIC^DEMO001
            rawNames.add(p.name().replace('^', ' ')); // as a page might render it
            rawNames.add(p.id());
        }
        return new Expected(dwi, dwiInstances, mr, fail, rawNames);
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.stop();
        }
        if (es != null) {
            SeriesIndex.drop(es, names);
            SeriesIndex.close(es);
        }
    }

    @Test
    void theServerServesTheAppAtTheRoot() throws Exception {
        E2eRunner runner = E2eRunner.prepare();
        ObjectNode input = JSON.createObjectNode();
        input.put("base_url", server.baseUrl());
        input.put("issuer", KeycloakTestRealm.issuer());
        input.put("screenshots", runner.screenshots().toString());
        E2eRunner.Outcome outcome = runner.run("smoke.mjs", input, work);
        assertThat(outcome.exitCode()).as("exit code of smoke.mjs; its output:\n%s", outcome.output()).isZero();
        assertThat(outcome.summary()).as(outcome.output()).isNotNull();
        assertThat(outcome.summary().path("status").asInt()).as("HTTP status of GET /").isEqualTo(200);
        // the built app (not the server's "not built" page) ran and sent the visitor to the Keycloak login page
        assertThat(outcome.summary().path("url").asText()).as("where GET / ended; is medlake-web on the classpath?")
                .startsWith(KeycloakTestRealm.issuer() + "/protocol/openid-connect/auth");
        Screenshots.assertRealPng(runner.screenshots().resolve("smoke.png"));
    }

    @Test
    void theScenariosPassInChromium() throws Exception {
        E2eRunner runner = E2eRunner.prepare();
        Path screenshots = runner.screenshots();

        ObjectNode input = JSON.createObjectNode();
        input.put("base_url", server.baseUrl());
        input.put("issuer", KeycloakTestRealm.issuer());
        input.put("screenshots", screenshots.toString());
        input.put("downloads", Files.createDirectories(work.resolve("downloads")).toString());
        input.put("dwi_count", expected.dwiSeries().size());
        input.put("mr_count", expected.mrSeries().size());
        expected.dwiSeries().forEach(input.putArray("dwi_series")::add);
        expected.dwiInstances().forEach(input.putArray("dwi_instances")::add);
        expected.failSeries().forEach(input.putArray("fail_series")::add);
        expected.rawNames().forEach(input.putArray("raw_patient_names")::add);

        E2eRunner.Outcome outcome = runner.run("scenarios.mjs", input, work);

        assertThat(outcome.exitCode()).as("exit code of scenarios.mjs; its output:\n%s", outcome.output()).isZero();
        JsonNode summary = outcome.summary();
        assertThat(summary).as("the last line of scenarios.mjs is its JSON summary; output:\n%s", outcome.output()).isNotNull();
        assertThat(summary.path("scenarios").asInt()).as(outcome.output()).isEqualTo(3);
        assertThat(summary.path("passed").asInt()).as(outcome.output()).isEqualTo(3);
        JsonNode latency = summary.path("click_to_count_ms");
        assertThat(latency.path("samples").asInt()).as("click-to-count samples").isGreaterThanOrEqualTo(4);
        // the app reports its own click-to-count time (window.__lastCountMs) for every sample
        assertThat(latency.path("app_samples").asInt()).isEqualTo(latency.path("samples").asInt());
        assertThat(latency.path("p50").asDouble()).isPositive().isLessThanOrEqualTo(latency.path("max").asDouble());
        // Interactive means interactive: the count follows a click within a few seconds even on a busy CI machine.
        assertThat(latency.path("max").asDouble()).as("slowest click-to-count, ms").isLessThan(5000);

        // every screenshotted page was audited with axe-core (WCAG 2.1 A/AA); serious or critical findings fail the script
        assertThat(summary.path("accessibility").path("pages").asInt()).as("pages audited").isGreaterThanOrEqualTo(8);

        for (String png : List.of("alice-builder.png", "alice-cohort-detail.png", "bob-forbidden-project.png",
                "carol-ingest-runs.png", "carol-quarantine.png", "carol-deid-queue.png", "carol-qa.png",
                "carol-audit.png")) {
            Screenshots.assertRealPng(screenshots.resolve(png));
        }
        // the manifest alice downloaded through the browser, read again here: exactly the DWI instances of demo
        JsonNode manifest = JSON.readTree(Path.of(summary.path("manifest").asText()).toFile());
        Set<String> listed = new TreeSet<>();
        manifest.path("instances").forEach(i -> listed.add(i.path("sop_instance_uid").asText()));
        assertThat(listed).as("SOP Instance UIDs in the downloaded manifest").isEqualTo(expected.dwiInstances());
        assertThat(manifest.path("instances")).hasSize(expected.dwiInstances().size());
        System.out.println("web-e2e summary: " + summary);
    }
}
