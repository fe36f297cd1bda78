package org.medlake.curation.qa;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
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
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.dicom.SyntheticSeries;

class QaMainTest {
    record Run(int code, String out, String err) {
        List<JsonNode> json() throws Exception {
            List<JsonNode> l = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    l.add(new ObjectMapper().readTree(line));
                }
            }
            return l;
        }
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = QaMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Map<String, JsonNode> byModality(List<JsonNode> lines) {
        Map<String, JsonNode> m = new HashMap<>();
        lines.forEach(j -> m.put(j.get("modality").asText() + (j.get("series_type").isNull() ? "" : "-" + j.get("series_type").asText()), j));
        return m;
    }

    @Test
    void folderWithCtDwiAndNonDicom(@TempDir Path dir) throws Exception {
        SyntheticSeries.Patient p = SyntheticSeries.patient("P1", "F", 40);
        SyntheticSeries.ct(p).slices(12).writeTo(dir.resolve("ct"));
        SyntheticSeries.mrDwi(p).slices(8).writeTo(dir.resolve("dwi"));
        Files.writeString(dir.resolve("notes.txt"), "not a DICOM file, just notes\n");
        byte[] broken = new byte[200];
        System.arraycopy("DICM".getBytes(StandardCharsets.US_ASCII), 0, broken, 128, 4);
        java.util.Arrays.fill(broken, 132, 200, (byte) 0x7f); // a preamble, then garbage
        Files.write(dir.resolve("broken.dcm"), broken);
        Path thumbs = dir.resolve("thumbs");

        Run r = run(dir.toString(), "--json", "--thumbnails", thumbs.toString());
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("notes.txt: not DICOM").contains("skipping file:").contains("broken.dcm: ");
        Map<String, JsonNode> series = byModality(r.json());
        assertThat(series).containsOnlyKeys("CT", "MR-DWI");

        JsonNode ct = series.get("CT");
        assertThat(ct.get("instances").asInt()).isEqualTo(12);
        assertThat(ct.at("/completeness/status").asText()).isEqualTo("COMPLETE");
        assertThat(ct.at("/completeness/reasons")).isEmpty();
        assertThat(ct.at("/qa/status").asText()).isIn("PASS", "WARN", "FAIL");
        List<String> names = new ArrayList<>();
        ct.at("/qa/metrics").forEach(m -> names.add(m.get("name").asText()));
        assertThat(names).contains("pixel_range_violation", "blank_frame_fraction", "ct_noise_hu", "ct_air_hu");
        Path thumb = Path.of(ct.get("thumbnail").asText());
        assertThat(ImageIO.read(thumb.toFile()).getWidth()).isEqualTo(4 * 64); // 12 frames -> 4 x 3 grid of 64 px

        // b=0 and b=1000 share every position: a multi-volume series, not duplicates.
        JsonNode dwi = series.get("MR-DWI");
        assertThat(dwi.get("instances").asInt()).isEqualTo(16);
        assertThat(dwi.at("/completeness/status").asText()).isEqualTo("COMPLETE");
        List<String> mrNames = new ArrayList<>();
        dwi.at("/qa/metrics").forEach(m -> mrNames.add(m.get("name").asText()));
        assertThat(mrNames).contains("mr_snr", "epi_ghost_ratio").doesNotContain("tsnr");
        assertThat(Files.exists(Path.of(dwi.get("thumbnail").asText()))).isTrue();
    }

    @Test
    void zipMembersAndAMissingSlice(@TempDir Path dir) throws Exception {
        SyntheticSeries.Written ct = SyntheticSeries.ct(SyntheticSeries.patient("P2", "M", 60)).slices(10)
                .writeTo(dir.resolve("ct"));
        Path zip = dir.resolve("series.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (int i = 0; i < ct.files().size(); i++) {
                if (i == 4) {
                    continue; // the fifth slice never arrived
                }
                z.putNextEntry(new ZipEntry("dicom/" + ct.files().get(i).getFileName()));
                z.write(Files.readAllBytes(ct.files().get(i)));
                z.closeEntry();
            }
            z.putNextEntry(new ZipEntry("README.pdf"));
            z.write("%PDF-1.4 not dicom".getBytes(StandardCharsets.US_ASCII));
            z.closeEntry();
        }
        Run r = run("--json", zip.toString());
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("README.pdf: not DICOM");
        List<JsonNode> lines = r.json();
        assertThat(lines).hasSize(1);
        JsonNode s = lines.get(0);
        assertThat(s.get("series_instance_uid").asText()).isEqualTo(ct.seriesInstanceUid());
        assertThat(s.get("instances").asInt()).isEqualTo(9);
        assertThat(s.at("/completeness/status").asText()).isEqualTo("INCOMPLETE");
        List<String> codes = new ArrayList<>();
        s.at("/completeness/reasons").forEach(x -> codes.add(x.get("code").asText()));
        assertThat(codes).containsExactly("INSTANCE_NUMBER_GAP", "MISSING_SLICE");
        assertThat(s.get("thumbnail").isNull()).isTrue();

        Run table = run(zip.toString());
        assertThat(table.code()).isZero();
        assertThat(table.out()).contains("SERIES_INSTANCE_UID").contains(ct.seriesInstanceUid())
                .contains("INCOMPLETE").contains("MISSING_SLICE: 1 slice(s) missing");
    }

    @Test
    void truncatedFilesAreNotedAndTheRunGoesOn(@TempDir Path dir) throws Exception {
        SyntheticSeries.Written ct = SyntheticSeries.ct(SyntheticSeries.patient("P3", "F", 30)).slices(3)
                .writeTo(dir.resolve("src"));
        Path in = Files.createDirectories(dir.resolve("in"));
        byte[] whole = Files.readAllBytes(ct.files().get(1));
        Files.write(in.resolve("a.dcm"), Files.readAllBytes(ct.files().get(0)));
        Files.write(in.resolve("b.dcm"), java.util.Arrays.copyOf(whole, 1200)); // ends inside PixelData
        Files.write(in.resolve("c.dcm"), java.util.Arrays.copyOf(whole, 300)); // ends inside the header
        Run r = run("--json", in.toString());
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("b.dcm").contains("c.dcm: no SeriesInstanceUID");
        assertThat(r.json()).hasSize(1);
        assertThat(r.json().get(0).get("instances").asInt()).isEqualTo(2);
    }

    @Test
    void badArgumentsExitTwoWithUsage(@TempDir Path dir) throws Exception {
        Run none = run("--json");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("No PATH given").contains("Usage: medlake qa");
        Run unknown = run(dir.toString(), "--frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option --frobnicate").contains("Usage:");
        Run dangling = run(dir.toString(), "--thresholds");
        assertThat(dangling.code()).isEqualTo(2);
        Run missing = run(dir.resolve("nope").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("does not exist");
        Path bad = dir.resolve("t.json");
        Files.writeString(bad, "{\"version\": 7, \"modalities\": {}}");
        Run badConfig = run(dir.toString(), "--thresholds", bad.toString());
        assertThat(badConfig.code()).isEqualTo(2);
        assertThat(badConfig.err()).contains("malformed");
        assertThat(run("--help").code()).isZero();
    }

}
