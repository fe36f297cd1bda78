package org.medlake.curation.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.dicom.SyntheticSeries;

/** The classify command on synthetic series written to disk. */
class ClassifyMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ClassifyMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonLinePerSeriesWithNonDicomSkipped(@TempDir Path dir) throws Exception {
        SyntheticSeries.Patient p = SyntheticSeries.patient("P1", "F", 50);
        SyntheticSeries.Written t1 = SyntheticSeries.mrT1(p).slices(4).writeTo(dir.resolve("t1"));
        // The description claims T1; the acquisition (b-values, TRACEW) says diffusion.
        SyntheticSeries.Written dwi = SyntheticSeries.mrDwi(p).slices(3).seriesDescription("T1 SAG").writeTo(dir.resolve("dwi"));
        Files.writeString(dir.resolve("notes.txt"), "not dicom");
        // One more series inside a zip archive.
        SyntheticSeries.Written ct = SyntheticSeries.ct(p).slices(2).writeTo(dir.resolve("ctsrc"));
        try (OutputStream fo = Files.newOutputStream(dir.resolve("ct.zip")); ZipOutputStream zip = new ZipOutputStream(fo)) {
            for (Path f : ct.files()) {
                zip.putNextEntry(new ZipEntry("ct/" + f.getFileName()));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
        for (Path f : ct.files()) Files.delete(f);

        int code = run(dir.toString(), "--json");
        assertThat(code).as(err()).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out().split("\n")) lines.add(new ObjectMapper().readTree(line));
        Map<String, JsonNode> byUid = new HashMap<>();
        lines.forEach(n -> byUid.put(n.get("series_instance_uid").asText(), n));
        assertThat(byUid).containsOnlyKeys(t1.seriesInstanceUid(), dwi.seriesInstanceUid(), ct.seriesInstanceUid());

        JsonNode d = byUid.get(dwi.seriesInstanceUid());
        assertThat(d.get("modality").asText()).isEqualTo("MR");
        assertThat(d.get("series_type").asText()).isEqualTo("DWI");
        assertThat(d.get("instances").asInt()).isEqualTo(6);
        assertThat(d.get("confidence").asDouble()).isBetween(0.5, 1.0);
        assertThat(d.get("rules_version").asText()).isEqualTo(RuleSet.defaults().version());
        assertThat(d.get("evidence").toString()).contains("b-values 0\\\\1000").contains("overridden by acquisition evidence");
        assertThat(byUid.get(t1.seriesInstanceUid()).get("series_type").asText()).isEqualTo("T1W");
        JsonNode c = byUid.get(ct.seriesInstanceUid());
        assertThat(c.get("modality").asText()).isEqualTo("CT");
        assertThat(c.get("instances").asInt()).isEqualTo(2);
        assertThat(c.get("attributes").get("body_region").asText()).isEqualTo("CHEST");
        assertThat(err()).contains("skipped").contains("notes.txt").contains("not DICOM");
    }

    @Test
    void tableByDefault(@TempDir Path dir) {
        SyntheticSeries.Written t1 = SyntheticSeries.mrT1(SyntheticSeries.patient("P2", "M", 40)).slices(3).writeTo(dir);
        assertThat(run(dir.toString())).isZero();
        String[] lines = out().split("\n");
        assertThat(lines[0]).startsWith("SERIES_INSTANCE_UID").contains("SERIES_TYPE");
        assertThat(lines).hasSize(2);
        assertThat(lines[1]).startsWith(t1.seriesInstanceUid()).contains(" MR ").contains(" T1W ");
    }

    @Test
    void customRulesFileIsUsedAndItsVersionReported(@TempDir Path dir) throws Exception {
        SyntheticSeries.mrT1(SyntheticSeries.patient("P3", "M", 40)).slices(2).writeTo(dir.resolve("s"));
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, """
                {"version": "site-7", "rules": [{"id": "all-mr", "modality": "MR", "series_type": "ANY_MR",
                  "strength": "strong", "weight": 0.5, "when": {"feature": "modality", "eq": "MR"},
                  "evidence": "modality {modality}"}]}""");
        assertThat(run(dir.resolve("s").toString(), "--rules", rules.toString(), "--json")).isZero();
        JsonNode n = new ObjectMapper().readTree(out().trim());
        assertThat(n.get("series_type").asText()).isEqualTo("ANY_MR");
        assertThat(n.get("rules_version").asText()).isEqualTo("site-7");
    }

    @Test
    void badArgumentsExitTwoWithUsage(@TempDir Path dir) throws Exception {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).contains("no PATH given").contains("usage: classify PATH...");
        err.reset();
        assertThat(run(dir.toString(), "--frobnicate")).isEqualTo(2);
        assertThat(err()).contains("unknown option --frobnicate").contains("usage:");
        err.reset();
        assertThat(run(dir.toString(), "--rules")).isEqualTo(2);
        assertThat(err()).contains("--rules needs a file");
        err.reset();
        assertThat(run(dir.resolve("missing").toString())).isEqualTo(2);
        assertThat(err()).contains("missing").contains("does not exist");
        err.reset();
        Path rules = dir.resolve("bad.json");
        Files.writeString(rules, "{\"version\": \"x\", \"rules\": [{\"id\": \"a\"}]}");
        assertThat(run(dir.toString(), "--rules", rules.toString())).isEqualTo(2);
        assertThat(err()).contains("rule 'a' (#1)").contains("modality");
    }
}
