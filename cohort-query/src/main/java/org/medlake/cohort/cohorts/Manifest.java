package org.medlake.cohort.cohorts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.medlake.cohort.CohortException;

/**
 * The manifest of a frozen cohort version: one row per member instance with the columns {@link #COLUMNS}, in
 * {@link Member#ORDER}, as JSON, CSV or Parquet. The output depends only on the frozen version (never on the current
 * lake or the server's address: {@code download_url} is relative to the API base URL), so the same version always
 * gives the same bytes. Thread-safe.
 *
 * <ul>
 *   <li>JSON: {@code {"manifest_version":1, "cohort_id", "project", "cohort", "version", "frozen_at", "frozen_by",
 *       "query", "table_versions":{"instances","series_curation","deid_overrides"}, "code_versions", "series_count",
 *       "instance_count", "size_bytes", "members_sha256", "instances":[{row}...], "checksum":{"algorithm":"SHA-256",
 *       "covers":"instances", "value": hex}}}} where {@code checksum.value} is the SHA-256 of the compact JSON array
 *       {@code instances} exactly as it appears in the document.</li>
 *   <li>CSV (RFC 4180, UTF-8, CRLF line ends): a header row with {@link #COLUMNS}, then the rows.</li>
 *   <li>Parquet: the same columns (strings as UTF-8 {@code BINARY}, {@code size_bytes} {@code INT64}), one row
 *       group, uncompressed; the JSON document's header members as key-value metadata ({@code medlake.*}).</li>
 * </ul>
 */
public final class Manifest {
    /** Columns of every format, in order. */
    public static final List<String> COLUMNS = List.of("project", "series_instance_uid", "sop_instance_uid", "sha256",
            "size_bytes", "location", "download_url");

    /** Export formats. */
    public enum Format {
        JSON("application/json", "json"),
        CSV("text/csv; charset=utf-8", "csv"),
        PARQUET("application/vnd.apache.parquet", "parquet");

        private final String mediaType;
        private final String extension;

        Format(String mediaType, String extension) {
            this.mediaType = mediaType;
            this.extension = extension;
        }

        /** The response content type. */
        public String mediaType() {
            return mediaType;
        }

        /** The file name extension. */
        public String extension() {
            return extension;
        }

        /**
         * The format named {@code name} (case-insensitive); null or blank means JSON.
         *
         * @throws CohortException USER_ERROR for an unknown name
         */
        public static Format parse(String name) {
            if (name == null || name.isBlank()) {
                return JSON;
            }
            return switch (name.strip().toLowerCase(Locale.ROOT)) {
                case "json" -> JSON;
                case "csv" -> CSV;
                case "parquet" -> PARQUET;
                default -> throw new CohortException(CohortException.ErrorCode.USER_ERROR, "Unknown manifest format '"
                        + name + "'; use format=json, format=csv or format=parquet.");
            };
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MessageType PARQUET_SCHEMA = parquetSchema();

    private final UnaryOperator<String> downloadUrl;

    /** @param downloadUrl maps a SOP Instance UID to the URL of its file, e.g. {@code /api/v1/instances/<uid>/file} */
    public Manifest(UnaryOperator<String> downloadUrl) {
        this.downloadUrl = Objects.requireNonNull(downloadUrl);
    }

    /** The manifest rows (column name to value, {@link #COLUMNS} order). */
    public List<Map<String, Object>> rows(List<Member> members) {
        List<Map<String, Object>> rows = new ArrayList<>(members.size());
        for (Member m : members.stream().sorted(Member.ORDER).toList()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("project", m.project());
            r.put("series_instance_uid", m.seriesInstanceUid());
            r.put("sop_instance_uid", m.sopInstanceUid());
            r.put("sha256", m.sha256());
            r.put("size_bytes", m.sizeBytes());
            r.put("location", m.location());
            r.put("download_url", downloadUrl.apply(m.sopInstanceUid()));
            rows.add(r);
        }
        return rows;
    }

    /** The manifest of {@code version} (whose members are {@code members}) in {@code format}. */
    public byte[] write(Cohort cohort, CohortVersion version, List<Member> members, Format format) {
        List<Map<String, Object>> rows = rows(members);
        return switch (format) {
            case JSON -> json(cohort, version, rows);
            case CSV -> csv(rows);
            case PARQUET -> parquet(header(cohort, version), rows);
        };
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static Map<String, Object> header(Cohort cohort, CohortVersion v) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("manifest_version", 1);
        h.put("cohort_id", v.cohortId());
        h.put("project", v.project());
        h.put("cohort", cohort.name());
        h.put("version", v.version());
        h.put("frozen_at", v.frozenAt().toString());
        h.put("frozen_by", v.frozenBy());
        Map<String, Object> tables = new LinkedHashMap<>();
        tables.put("instances", v.instancesVersion());
        tables.put("series_curation", v.seriesCurationVersion());
        tables.put("deid_overrides", v.deidOverridesVersion());
        h.put("table_versions", tables);
        h.put("code_versions", v.codeVersions());
        h.put("series_count", v.seriesCount());
        h.put("instance_count", v.instanceCount());
        h.put("size_bytes", v.sizeBytes());
        h.put("members_sha256", v.membersSha256());
        return h;
    }

    private static byte[] json(Cohort cohort, CohortVersion v, List<Map<String, Object>> rows) {
        try {
            Map<String, Object> doc = header(cohort, v);
            Map<String, Object> withQuery = new LinkedHashMap<>();
            doc.forEach((k, val) -> {
                withQuery.put(k, val);
                if (k.equals("frozen_by")) {
                    withQuery.put("query", readQuery(v.query()));
                }
            });
            byte[] instances = JSON.writeValueAsBytes(rows);
            withQuery.put("instances", JSON.readTree(instances));
            Map<String, Object> checksum = new LinkedHashMap<>();
            checksum.put("algorithm", "SHA-256");
            checksum.put("covers", "instances");
            checksum.put("value", sha256(instances));
            withQuery.put("checksum", checksum);
            return JSON.writeValueAsBytes(withQuery);
        } catch (IOException e) {
            throw new CohortException(CohortException.ErrorCode.INTERNAL, "Cannot write the JSON manifest of cohort '"
                    + cohort.name() + "' version " + v.version() + ": " + e.getMessage() + ". This is a medlake bug.", e);
        }
    }

    private static Object readQuery(String query) {
        try {
            return JSON.readTree(query);
        } catch (JsonProcessingException e) {
            return query;
        }
    }

    private static byte[] csv(List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", COLUMNS)).append("\r\n");
        for (Map<String, Object> r : rows) {
            boolean first = true;
            for (String c : COLUMNS) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append(csvField(String.valueOf(r.get(c))));
            }
            sb.append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private static MessageType parquetSchema() {
        Types.MessageTypeBuilder b = Types.buildMessage();
        for (String c : COLUMNS) {
            if (c.equals("size_bytes")) {
                b.required(PrimitiveTypeName.INT64).named(c);
            } else {
                b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(c);
            }
        }
        return b.named("cohort_manifest");
    }

    private static byte[] parquet(Map<String, Object> header, List<Map<String, Object>> rows) {
        Map<String, String> meta = new LinkedHashMap<>();
        header.forEach((k, v) -> meta.put("medlake." + k, String.valueOf(v)));
        InMemoryOutputFile out = new InMemoryOutputFile();
        SimpleGroupFactory groups = new SimpleGroupFactory(PARQUET_SCHEMA);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(out)
                .withType(PARQUET_SCHEMA)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
                .withExtraMetaData(meta)
                .build()) {
            for (Map<String, Object> r : rows) {
                Group g = groups.newGroup();
                for (String c : COLUMNS) {
                    if (c.equals("size_bytes")) {
                        g.add(c, ((Number) r.get(c)).longValue());
                    } else {
                        g.add(c, String.valueOf(r.get(c)));
                    }
                }
                writer.write(g);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new CohortException(CohortException.ErrorCode.INTERNAL, "Cannot write the Parquet manifest: "
                    + e.getMessage() + ". This is a medlake bug; the JSON and CSV formats still work.", e);
        }
        return out.bytes.toByteArray();
    }

    /** A Parquet output file in memory. */
    private static final class InMemoryOutputFile implements OutputFile {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            return createOrOverwrite(blockSizeHint);
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            bytes.reset();
            return new PositionOutputStream() {
                @Override
                public long getPos() {
                    return bytes.size();
                }

                @Override
                public void write(int b) {
                    bytes.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    bytes.write(b, off, len);
                }
            };
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }

        @Override
        public String getPath() {
            return "memory:cohort-manifest.parquet";
        }
    }
}
