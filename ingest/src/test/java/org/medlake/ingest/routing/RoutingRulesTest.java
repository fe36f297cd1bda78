package org.medlake.ingest.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.ingest.IngestException;

class RoutingRulesTest {
    @TempDir
    Path dir;

    private RoutingRules rules() throws Exception {
        Path f = dir.resolve("rules.json");
        Files.writeString(f, """
                {"rules": [
                  {"project": "neuro", "match": {"modality": "MR", "body_part_examined": "BRAIN|HEAD"}},
                  {"project": "scanner-a", "match": {"calling_ae": "SCANNER1"}},
                  {"project": "archive", "match": {"source": "file:/mnt/archive/*", "site": "north"}}
                ]}""");
        return RoutingRules.read(f, "demo");
    }

    @Test
    void firstMatchingRuleWinsAndTheDefaultCatchesTheRest() throws Exception {
        RoutingRules r = rules();
        assertThat(r.route(Map.of("modality", "mr", "body_part_examined", "Head"))).isEqualTo("neuro");
        assertThat(r.route(Map.of("modality", "MR", "body_part_examined", "KNEE"))).isEqualTo("demo");
        assertThat(r.route(Map.of("calling_ae", "SCANNER1", "modality", "MR", "body_part_examined", "BRAIN")))
                .isEqualTo("neuro");
        assertThat(r.route(Map.of("calling_ae", "SCANNER1", "modality", "CT"))).isEqualTo("scanner-a");
        assertThat(r.route(Map.of("source", "file:/mnt/archive/2019/a.dcm", "site", "NORTH"))).isEqualTo("archive");
        assertThat(r.route(Map.of("source", "file:/mnt/archive/2019/a.dcm", "site", "south"))).isEqualTo("demo");
    }

    @Test
    void aMissingFactNeverMatches() throws Exception {
        Map<String, Object> facts = new HashMap<>();
        facts.put("modality", "MR");
        facts.put("body_part_examined", null);
        assertThat(rules().route(facts)).isEqualTo("demo");
    }

    @Test
    void badFilesAreRefusedWithTheProblemNamed() throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"rules\":[{\"project\":\"x\"}]}");
        assertThatThrownBy(() -> RoutingRules.read(f, "demo")).isInstanceOf(IngestException.class)
                .hasMessageContaining("rule 1 has no non-empty \"match\"");
        Files.writeString(f, "{\"rules\":[{\"project\":\"../x\",\"match\":{\"modality\":\"CT\"}}]}");
        assertThatThrownBy(() -> RoutingRules.read(f, "demo")).hasMessageContaining("invalid project '../x'");
        Files.writeString(f, "not json");
        assertThatThrownBy(() -> RoutingRules.read(f, "demo")).hasMessageContaining("cannot be read as JSON");
    }

    @Test
    void callingAeComesFromGatewaySourceUris() {
        assertThat(RoutingRules.callingAe("dimse-store://SCANNER1@10.0.0.5")).isEqualTo("SCANNER1");
        assertThat(RoutingRules.callingAe("file:/x.dcm")).isNull();
    }
}
