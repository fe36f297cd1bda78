package org.medlake.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.dicom.SyntheticSeries;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.LakeObjects;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.Instances;
import org.medlake.testkit.S3ProxyServer;

/** An {@code s3a:} source on a real S3-compatible server (S3Proxy), read through hadoop-aws by the Spark job. */
class S3SourceIT {
    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static SparkSession spark;

    @BeforeAll
    static void setUp() {
        s3 = S3ProxyServer.start(Path.of(System.getProperty("medlake.s3proxy.jar", "missing")));
        s3.createBucket("scans");
        spark = LakeSpark.builder("s3-it").master("local[2]")
                .config("spark.hadoop.fs.s3a.endpoint", s3.endpoint())
                .config("spark.hadoop.fs.s3a.endpoint.region", "us-east-1")
                .config("spark.hadoop.fs.s3a.path.style.access", "true")
                .config("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
                .config("spark.hadoop.fs.s3a.access.key", S3ProxyServer.ACCESS_KEY)
                .config("spark.hadoop.fs.s3a.secret.key", S3ProxyServer.SECRET_KEY)
                .config("spark.hadoop.fs.s3a.aws.credentials.provider",
                        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider")
                .config("spark.hadoop.fs.s3a.change.detection.mode", "none")
                .getOrCreate();
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void instancesInABucketLandInTheLake() throws Exception {
        SyntheticSeries.Written ct = SyntheticSeries.ct(SyntheticSeries.patient("S3-1", "M", 70)).slices(3).size(16, 16)
                .writeTo(tmp.resolve("ct"));
        org.apache.hadoop.fs.Path prefix = new org.apache.hadoop.fs.Path("s3a://scans/site-a/ct/");
        FileSystem fs = prefix.getFileSystem(spark.sparkContext().hadoopConfiguration());
        for (Path f : ct.files()) {
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(f.toUri()), new org.apache.hadoop.fs.Path(prefix, f.getFileName().toString()));
        }
        Path lake = tmp.resolve("lake");

        IngestResult r = IngestJob.run(spark, IngestRequest.of(lake, "demo", "site-a", "s3a://scans/site-a/"));

        assertThat(r.filesSeen()).isEqualTo(3);
        assertThat(r.instancesAdded()).isEqualTo(3);
        Map<String, Row> bySop = spark.read().format("delta").load(LakeLayout.at(lake).tableUri(Tables.INSTANCES))
                .collectAsList().stream().collect(Collectors.toMap(row -> row.getAs(Instances.SOP_INSTANCE_UID), row -> row));
        for (int i = 0; i < ct.files().size(); i++) {
            Row row = bySop.get(ct.sopInstanceUids().get(i));
            assertThat((String) row.getAs(Instances.SOURCE_URI))
                    .isEqualTo("s3a://scans/site-a/ct/" + ct.files().get(i).getFileName());
            assertThat((String) row.getAs(Instances.SHA256)).isEqualTo(IngestJobIT.sha256(ct.files().get(i)));
            // The lake owns a copy: the bucket can go away.
            assertThat(IngestJobIT.sha256(new LakeObjects(LakeLayout.at(lake)).readAllBytes(row.getAs(Instances.LOCATION))))
                    .isEqualTo(IngestJobIT.sha256(ct.files().get(i)));
        }
        assertThat(IngestJob.run(spark, IngestRequest.of(lake, "demo", "site-a", "s3a://scans/site-a/")).instancesAdded())
                .isZero();
    }
}
