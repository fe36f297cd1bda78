package org.medlake.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.spark.sql.functions.col;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.dicom.SyntheticSeries;
import org.medlake.ingest.routing.RoutingRules;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.LakeObjects;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.Instances;

/** Archives, gzip-wrapped files, in-place registration and routing rules, through the real Spark job. */
class SourcesIT {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static SyntheticSeries.Written ct;
    static SyntheticSeries.Written mr;

    @BeforeAll
    static void setUp() {
        spark = LakeSpark.builder("sources-it").master("local[2]").getOrCreate();
        SyntheticSeries.Patient p = SyntheticSeries.patient("SRC-1", "F", 50);
        ct = SyntheticSeries.ct(p).slices(3).size(16, 16).writeTo(tmp.resolve("plain/ct"));
        mr = SyntheticSeries.mrT1(p).slices(2).size(16, 16).writeTo(tmp.resolve("plain/mr"));
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Map<String, Row> instancesBySop(Path lake) {
        return spark.read().format("delta").load(LakeLayout.at(lake).tableUri(Tables.INSTANCES)).collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getAs(Instances.SOP_INSTANCE_UID), r -> r));
    }

    @Test
    void zipTarGzAndGzipWrappedFilesAreReadWithoutUnpacking() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("archives"));
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(in.resolve("ct.zip")))) {
            for (Path f : ct.files()) {
                zip.putNextEntry(new ZipEntry("study/ct/" + f.getFileName()));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
        // A tar.gz without any telling extension: containers are recognised by content.
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
                new GzipCompressorOutputStream(Files.newOutputStream(in.resolve("mr-export.bin"))))) {
            Path f = mr.files().get(0);
            TarArchiveEntry e = new TarArchiveEntry("mr/" + f.getFileName());
            e.setSize(Files.size(f));
            tar.putArchiveEntry(e);
            Files.copy(f, tar);
            tar.closeArchiveEntry();
        }
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(in.resolve("slice.dcm.gz")))) {
            Files.copy(mr.files().get(1), gz);
        }
        Path lake = tmp.resolve("lake-archives");

        IngestResult r = IngestJob.run(spark, IngestRequest.of(lake, "demo", null, in.toString()));

        assertThat(r.filesSeen()).isEqualTo(5);
        assertThat(r.instancesAdded()).isEqualTo(5);
        Map<String, Row> rows = instancesBySop(lake);
        Row zipped = rows.get(ct.sopInstanceUids().get(0));
        assertThat((String) zipped.getAs(Instances.SOURCE_URI)).endsWith("/archives/ct.zip!/study/ct/" + ct.files().get(0).getFileName());
        assertThat((String) zipped.getAs(Instances.SHA256)).isEqualTo(IngestJobIT.sha256(ct.files().get(0)));
        assertThat(new LakeObjects(LakeLayout.at(lake)).readAllBytes(zipped.getAs(Instances.LOCATION)))
                .isEqualTo(Files.readAllBytes(ct.files().get(0)));
        assertThat((String) rows.get(mr.sopInstanceUids().get(0)).getAs(Instances.SOURCE_URI)).contains("mr-export.bin!/mr/");
        Row gz = rows.get(mr.sopInstanceUids().get(1));
        assertThat((String) gz.getAs(Instances.SOURCE_URI)).endsWith("/archives/slice.dcm.gz");
        assertThat((String) gz.getAs(Instances.SHA256)).isEqualTo(IngestJobIT.sha256(mr.files().get(1)));
    }

    @Test
    void inPlaceRegistersPlainFilesWithoutCopying() throws Exception {
        Path lake = tmp.resolve("lake-in-place");
        IngestResult r = IngestJob.run(spark, IngestRequest.of(lake, "demo", null, ct.files().get(0).getParent().toString())
                .withInPlace(true));
        assertThat(r.instancesAdded()).isEqualTo(3);
        Row row = instancesBySop(lake).get(ct.sopInstanceUids().get(0));
        assertThat((String) row.getAs(Instances.LOCATION)).isEqualTo(ct.files().get(0).toUri().toString());
        assertThat(LakeLayout.at(lake).resolve(row.getAs(Instances.LOCATION))).isEqualTo(ct.files().get(0));
        assertThat(lake.resolve("objects/packs")).as("nothing copied").doesNotExist();
    }

    @Test
    void routingRulesAssignProjectsByHeaderValues() {
        Path lake = tmp.resolve("lake-routed");
        RoutingRules rules = RoutingRules.of(List.of(new RoutingRules.Rule("neuro", Map.of("modality", "MR"))), "general");
        IngestRequest request = IngestRequest.of(lake, "general", "north", tmp.resolve("plain").toString()).withRules(rules);

        IngestJob.run(spark, request);

        List<Row> byProject = spark.read().format("delta").load(LakeLayout.at(lake).tableUri(Tables.INSTANCES))
                .groupBy(col(Instances.PROJECT)).count().orderBy(col(Instances.PROJECT)).collectAsList();
        assertThat(byProject).extracting(r -> r.getString(0) + "=" + r.getLong(1)).containsExactly("general=3", "neuro=2");
    }
}
