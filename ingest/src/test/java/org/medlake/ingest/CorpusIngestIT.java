package org.medlake.ingest;

import org.medlake.dicom.testing.SharedCorpus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;

/**
 * Ingests the whole public corpus at {@code ../shared/corpus} (skipped when absent) and checks the accounting
 * against its MANIFEST.tsv: every file has exactly one outcome, every broken file is quarantined with a reason, and
 * no DICOM file is lost (each is an instance, or a CONFLICT when its SOP Instance UID arrived with other bytes).
 */
class CorpusIngestIT {
    @TempDir
    Path tmp;

    private static Path corpus() {
        return SharedCorpus.orNull();
    }

    @Test
    void everyCorpusFileIsAccountedFor() throws Exception {
        Path corpus = corpus();
        assumeTrue(corpus != null, "../shared/corpus is absent");
        Map<String, String> roleByPath = new HashMap<>();
        for (String line : Files.readAllLines(corpus.resolve("MANIFEST.tsv")).subList(1, Files.readAllLines(corpus.resolve("MANIFEST.tsv")).size())) {
            String[] f = line.split("\t", -1);
            roleByPath.put(f[0], f[6]);
        }
        long files;
        try (Stream<Path> s = Files.walk(corpus)) {
            files = s.filter(Files::isRegularFile).count();
        }
        SparkSession spark = LakeSpark.builder("corpus-it").master("local[2]").getOrCreate();
        try {
            Path lake = tmp.resolve("lake");
            IngestResult r = IngestJob.run(spark, IngestRequest.of(lake, "corpus", null, corpus.toString()));
            assertThat(r.filesSeen()).isEqualTo(r.instancesAdded() + r.instancesExisting() + r.quarantined() + r.notDicom());
            assertThat(r.filesSeen()).isGreaterThanOrEqualTo(files); // archives count once per member

            Map<String, String> outcome = new HashMap<>(); // corpus path -> INSTANCE or quarantine reason
            String prefix = corpus.toUri().toString();
            for (Row row : spark.read().format("delta").load(LakeLayout.at(lake).tableUri(Tables.INSTANCES))
                    .select(Tables.Instances.SOURCE_URI).collectAsList()) {
                outcome.put(relative(prefix, row.getString(0)), "INSTANCE");
            }
            for (Row row : spark.read().format("delta").load(LakeLayout.at(lake).tableUri(Tables.QUARANTINE))
                    .select(Tables.Quarantine.SOURCE_URI, Tables.Quarantine.REASON, Tables.Quarantine.DETAIL).collectAsList()) {
                outcome.put(relative(prefix, row.getString(0)), row.getString(1));
                assertThat(row.getString(2)).as("detail of " + row.getString(0)).isNotBlank();
            }

            Map<String, Map<String, Integer>> table = new TreeMap<>();
            List<String> lost = new ArrayList<>();
            for (Map.Entry<String, String> e : roleByPath.entrySet()) {
                String role = e.getValue().replaceAll(":.*", "");
                String got = outcome.get(e.getKey());
                table.computeIfAbsent(role, k -> new TreeMap<>()).merge(String.valueOf(got), 1, Integer::sum);
                if (got == null) {
                    lost.add(e.getKey());
                }
                if (role.equals("broken")) {
                    assertThat(got).as(e.getKey()).isIn("TRUNCATED", "UNREADABLE", "NOT_DICOM", "MISSING_UID");
                }
                if (role.equals("series") || role.equals("dicomdir-member")) {
                    assertThat(got).as(e.getKey()).isIn("INSTANCE", "CONFLICT");
                }
                if (role.equals("license") || role.equals("doc")) {
                    assertThat(got).as(e.getKey()).isEqualTo("NOT_DICOM");
                }
            }
            System.out.println("corpus outcome by manifest role: " + table);
            System.out.println("corpus ingest: " + r.toJson());
            // A file with no row of its own must be a copy of an instance already in the lake (same UID, same bytes).
            assertThat(lost).hasSize((int) r.instancesExisting());
            java.util.Set<String> sops = new java.util.HashSet<>(spark.read().format("delta")
                    .load(LakeLayout.at(lake).tableUri(Tables.INSTANCES)).select(Tables.Instances.SOP_INSTANCE_UID)
                    .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
            for (String path : lost) {
                String[] sop = new String[1];
                org.medlake.ingest.source.SourceReader.forEachEntry(corpus.resolve(path).toUri().toString(),
                        new org.apache.hadoop.conf.Configuration(),
                        (uri, in, size, inPlace) -> sop[0] = org.medlake.dicom.DicomReader.read(in, uri).sopInstanceUid());
                assertThat(sops).as("instance of " + path).contains(sop[0]);
            }

            // The local engine (what ./medlake ingest runs by default) ends with the same tables and accounting.
            Path local = tmp.resolve("lake-local");
            IngestResult l = LocalIngestJob.run(IngestRequest.of(local, "corpus", null, corpus.toString()), IngestJob.Progress.NONE);
            assertThat(List.of(l.filesSeen(), l.instancesAdded(), l.instancesExisting(), l.quarantined(), l.notDicom(),
                    l.conflicts(), l.series(), l.studies())).isEqualTo(List.of(r.filesSeen(), r.instancesAdded(),
                    r.instancesExisting(), r.quarantined(), r.notDicom(), r.conflicts(), r.series(), r.studies()));
            for (String t : List.of(Tables.INSTANCES, Tables.QUARANTINE, Tables.SERIES, Tables.STUDIES)) {
                assertThat(content(spark, local, t)).as(t).isEqualTo(content(spark, lake, t)).isNotEmpty();
            }
        } finally {
            spark.stop();
        }
    }

    /** A table's rows as sorted JSON, without the columns that name runs, times or pack locations. */
    private static List<String> content(SparkSession spark, Path lake, String table) {
        org.apache.spark.sql.Dataset<Row> df = spark.read().format("delta").load(LakeLayout.at(lake).tableUri(table));
        for (String c : df.columns()) {
            if (c.contains("run_id") || c.endsWith("_at") || c.equals(Tables.Instances.LOCATION)) {
                df = df.drop(c);
            }
        }
        return df.toJSON().collectAsList().stream().sorted().toList();
    }

    private static String relative(String prefix, String uri) {
        String p = uri.startsWith(prefix) ? uri.substring(prefix.length()) : uri;
        int bang = p.indexOf("!/");
        return java.net.URLDecoder.decode(bang < 0 ? p : p.substring(0, bang), java.nio.charset.StandardCharsets.UTF_8);
    }
}
