package org.medlake.curation.qa;

import org.medlake.dicom.testing.SharedCorpus;
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
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code qa} over a few dcm_qa series of the shared corpus (skipped without it) and writes
 * {@code target/qa-corpus-report.md}. Asserts only what the corpus documents: the run survives every file, the
 * verdicts are valid, the complete GE EPI run is COMPLETE, the tilted GE CT with 4 mm / 7 mm sections is
 * UNEVEN_SPACING, and the 12-bit files with 0x0F0F stripes violate BitsStored.
 */
class CorpusQaSmokeTest {
    static final List<String> SERIES = List.of(
            "neurolabusc__dcm_qa_nih/In/20180918GE/mr_0004",
            "neurolabusc__dcm_qa_nih/In/20180918Si/mr_0003",
            "neurolabusc__dcm_qa_ct/In/GE",
            "neurolabusc__dcm_qa/In/Orientation/ax/axasc35",
            "neurolabusc__dcm_qa/In/Orientation/sag/sagasc35",
            "neurolabusc__dcm_qa_enh/In/Siemens/XA10",
            "neurolabusc__dcm_qa_12bit/In",
            "neurolabusc__dcm_qa_ts/In");

    /**
     * {@code ${medlake.repo.root}/../shared/corpus}, then one level higher (git worktrees live in
     * {@code <root>/wt/<name>}), then {@code ../shared/corpus} relative to the working directory.
     */
    static Path corpus() {
        return SharedCorpus.locate().orElse(Path.of("..", "shared", "corpus").toAbsolutePath().normalize());
    }

    @Test
    void dcmQaSeries() throws Exception {
        Path corpus = corpus();
        Assumptions.assumeTrue(Files.isRegularFile(corpus.resolve("MANIFEST.tsv")), "shared corpus absent: " + corpus);
        List<String> args = new ArrayList<>();
        for (String s : SERIES) {
            if (Files.isDirectory(corpus.resolve(s))) {
                args.add(corpus.resolve(s).toString());
            }
        }
        Assumptions.assumeFalse(args.isEmpty(), "no dcm_qa series in " + corpus);
        Path thumbs = Path.of("target", "qa-corpus-thumbnails").toAbsolutePath();
        args.add("--json");
        args.add("--thumbnails");
        args.add(thumbs.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = QaMain.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();

        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(new ObjectMapper().readTree(line));
            }
        }
        assertThat(lines).hasSizeGreaterThanOrEqualTo(5);
        StringBuilder md = new StringBuilder("# QA corpus smoke report\n\nCorpus: `" + corpus + "`\n\n"
                + "| series | modality | type | instances | completeness | reasons | QA | metrics | thumbnail |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (JsonNode j : lines) {
            assertThat(j.at("/completeness/status").asText()).isIn("COMPLETE", "INCOMPLETE", "INCONSISTENT");
            assertThat(j.at("/qa/status").asText()).isIn("PASS", "WARN", "FAIL", "NOT_EVALUATED");
            List<String> reasons = new ArrayList<>(), metrics = new ArrayList<>();
            j.at("/completeness/reasons").forEach(r -> reasons.add(r.get("code").asText()));
            j.at("/qa/metrics").forEach(m -> metrics.add(m.get("name").asText() + "="
                    + (m.get("value").isNull() ? "n/a" : String.format(Locale.ROOT, "%.4g", m.get("value").asDouble()))
                    + " " + m.get("status").asText()));
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %s | %s | %s | %s |%n",
                    j.get("series_instance_uid").asText(), j.get("modality").asText(), j.get("series_type").asText(),
                    j.get("instances").asInt(), j.at("/completeness/status").asText(), String.join(", ", reasons),
                    j.at("/qa/status").asText(), String.join("<br>", metrics),
                    j.get("thumbnail").isNull() ? "-" : Path.of(j.get("thumbnail").asText()).getFileName()));
        }
        md.append("\n## stderr\n\n```\n").append(err.toString(StandardCharsets.UTF_8)).append("```\n");
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "qa-corpus-report.md"), md.toString());

        for (JsonNode j : lines) {
            String uid = j.get("series_instance_uid").asText();
            Set<String> reasons = new java.util.HashSet<>();
            j.at("/completeness/reasons").forEach(r -> reasons.add(r.get("code").asText()));
            if (uid.equals("1.2.840.113619.2.408.5282380.4562341.27283.1537222031.341")) {
                // GE EPI: 15 slices x 10 temporal positions, complete upstream.
                assertThat(j.at("/completeness/status").asText()).isEqualTo("COMPLETE");
                assertThat(j.get("series_type").asText()).isEqualTo("BOLD");
            }
            if (j.get("modality").asText().equals("CT") && j.get("instances").asInt() == 28) {
                assertThat(reasons).contains("UNEVEN_SPACING");
                assertThat(j.at("/qa/metrics/3/name").asText()).isEqualTo("ct_noise_hu");
            }
            if (uid.equals("1.3.12.2.1107.5.2.0.35131.30000007020315340031200000007")) {
                assertThat(reasons).contains("DUPLICATE_INSTANCE"); // three files share one SOPInstanceUID
                assertThat(j.at("/qa/metrics/0/status").asText()).isEqualTo("FAIL"); // 0x0F0F stripes > 12 bits
            }
        }
    }

}
