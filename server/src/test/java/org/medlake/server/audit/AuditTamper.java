package org.medlake.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.medlake.cohort.delta.DeltaTableAppender;
import org.medlake.cohort.delta.DeltaTableReader;

/**
 * Test-only attacker with write access to the lake: forges a Delta commit on {@code audit_log} that removes every
 * data file and adds one Parquet file with the rows rewritten by {@code edit} (written by Delta Kernel into a scratch
 * table, then moved in). The table stays a valid Delta table that readers (Kernel, Spark) accept.
 */
public final class AuditTamper {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditTamper() {}

    /** Rewrites the rows of the table through a forged commit; returns the forged commit's version. */
    public static long forgeCommit(Path table, UnaryOperator<List<Map<String, Object>>> edit) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        new DeltaTableReader().read(table, AuditEntry.COLUMNS).orElseThrow().rows()
                .forEach(r -> rows.add(new java.util.LinkedHashMap<>(r)));
        List<Map<String, Object>> edited = edit.apply(rows);
        Path scratch = Files.createTempDirectory("audit-forge");
        new DeltaTableAppender("attacker").append(scratch, AuditEntry.SCHEMA, edited);
        JsonNode add = null;
        for (String line : Files.readAllLines(scratch.resolve("_delta_log/00000000000000000000.json"))) {
            JsonNode n = JSON.readTree(line);
            if (n.has("add")) {
                add = n.get("add");
            }
        }
        String file = add.get("path").asText();
        String forgedName = "part-forged-" + System.nanoTime() + ".parquet";
        Files.copy(scratch.resolve(file), table.resolve(forgedName));
        ((ObjectNode) add).put("path", forgedName);
        Path log = table.resolve("_delta_log");
        Set<String> active = new LinkedHashSet<>();
        long last = -1;
        List<Path> commits;
        try (Stream<Path> s = Files.list(log)) {
            commits = s.filter(p -> p.getFileName().toString().matches("\\d{20}\\.json")).sorted().toList();
        }
        for (Path c : commits) {
            last = Long.parseLong(c.getFileName().toString().substring(0, 20));
            for (String line : Files.readAllLines(c)) {
                JsonNode n = JSON.readTree(line);
                if (n.has("add")) {
                    active.add(n.get("add").get("path").asText());
                }
                if (n.has("remove")) {
                    active.remove(n.get("remove").get("path").asText());
                }
            }
        }
        StringBuilder commit = new StringBuilder();
        long now = System.currentTimeMillis();
        for (String path : active) {
            commit.append(JSON.writeValueAsString(Map.of("remove", Map.of("path", path, "deletionTimestamp", now,
                    "dataChange", true)))).append('\n');
        }
        commit.append(JSON.writeValueAsString(Map.of("add", add))).append('\n');
        long version = last + 1;
        Files.writeString(log.resolve(String.format("%020d.json", version)), commit.toString(), StandardCharsets.UTF_8);
        return version;
    }
}
