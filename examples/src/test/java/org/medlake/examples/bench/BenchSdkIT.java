package org.medlake.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.curation.pipeline.CurateJob;
import org.medlake.ingest.IngestJob;
import org.medlake.ingest.IngestRequest;
import org.medlake.ingest.LakeSpark;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;

/**
 * {@code ./medlake bench sdk}'s measuring step on a small real lake (a few MB, ingested de-identified and curated
 * with Spark), against the real Elasticsearch and Keycloak: it must end with the three-key JSON line and positive
 * figures. No timing is asserted.
 */
class BenchSdkIT {
    @TempDir
    static Path work;

    @Test
    void measureEndsWithTheThreeFiguresAsJson() throws Exception {
        Path dicom = work.resolve("dicom");
        Path lake = work.resolve("lake");
        // 128x128 16-bit, 16 slices: 512 KiB per series, 8 series (4 patients) for 4 MiB.
        BenchData.Spec spec = new BenchData.Spec(4L << 20, 128, 16);
        assertThat(BenchData.ensure(dicom, spec, System.err)).isEqualTo(8);
        assertThat(BenchData.ensure(dicom, spec, System.err)).as("reused, not written again").isEqualTo(8);
        SparkSession spark = LakeSpark.session("bench-sdk-it");
        try {
            IngestJob.run(spark, IngestRequest.of(lake, "demo", "bench-site", dicom.toString())
                    .withDeidentification("bench-sdk-it-secret-0123456789"));
            CurateJob.run(spark, lake, CurateJob.Progress.NONE);
        } finally {
            spark.stop();
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = BenchSdkMain.run(new String[] {"measure", "--lake", lake.toString(), "--work", work.toString(),
                "--runs", "1", "--threads", "2", "--budget-mib", "2", "--es", MedlakeServices.elasticsearchUrl(),
                "--issuer", KeycloakTestRealm.issuer(), "--index-tag", "bench-sdk-it-" + UUID.randomUUID().toString()
                        .substring(0, 8), "--json"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(printed).isZero();
        assertThat(printed).contains("128 files");
        List<String> lines = printed.lines().filter(l -> !l.isBlank()).toList();
        String last = lines.get(lines.size() - 1);
        assertThat(last).matches("\\{\"sdk_mb_s\":[0-9.]+,\"raw_http_mb_s\":[0-9.]+,\"ratio\":[0-9.]+\\}");
        JsonNode json = new ObjectMapper().readTree(last);
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("sdk_mb_s", "raw_http_mb_s", "ratio");
        double sdk = json.get("sdk_mb_s").asDouble(), raw = json.get("raw_http_mb_s").asDouble();
        assertThat(sdk).isPositive();
        assertThat(raw).isPositive();
        assertThat(json.get("ratio").asDouble()).isPositive().isCloseTo(sdk / raw, org.assertj.core.data.Offset.offset(0.01 * Math.max(1, sdk / raw) + 0.1 / raw));
        // the cache of the SDK passes is removed at the end
        assertThat(Files.exists(work.resolve("sdk-cache"))).isFalse();
    }
}
