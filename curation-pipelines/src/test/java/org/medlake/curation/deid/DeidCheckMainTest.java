package org.medlake.curation.deid;

import org.medlake.deid.DeidChecker;
import org.medlake.deid.Deidentifier;
import org.medlake.deid.DeidReport;
import org.medlake.deid.Finding;
import org.medlake.deid.DeidTestData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class DeidCheckMainTest {

    private record Out(int code, String out, String err) {}

    private static Out run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = DeidCheckMain.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Out(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    private static List<JsonNode> lines(String out) throws Exception {
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> l = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                l.add(m.readTree(line));
            }
        }
        return l;
    }

    @Test
    void jsonLinesForFoldersArchivesGzipAndNonDicom(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        AttributeList planted = DeidTestData.clean();
        DeidTestData.put(planted, TagFromName.PatientName, "DOE^JANE");
        DeidTestData.write(planted, in.resolve("planted.dcm").toFile());
        File clean = DeidTestData.write(DeidTestData.clean(), dir.resolve("clean.dcm").toFile());
        Files.writeString(in.resolve("notes.txt"), "not dicom at all");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(in.resolve("batch.zip")))) {
            z.putNextEntry(new ZipEntry("member.dcm"));
            Files.copy(clean.toPath(), z);
            z.closeEntry();
        }
        try (OutputStream g = new GZIPOutputStream(Files.newOutputStream(in.resolve("clean.dcm.gz")))) {
            Files.copy(clean.toPath(), g);
        }
        Out r = run(in.toString(), "--json");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).doesNotContain("DOE").doesNotContain("JANE");
        List<JsonNode> lines = lines(r.out());
        assertThat(lines).hasSize(4);
        JsonNode p = lines.stream().filter(n -> n.get("path").asText().endsWith("planted.dcm")).findFirst().orElseThrow();
        assertThat(p.get("status").asText()).isEqualTo("FAIL");
        assertThat(p.get("sop_instance_uid").asText()).isEqualTo(com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(planted, TagFromName.SOPInstanceUID));
        JsonNode f = p.get("findings").get(0);
        assertThat(f.get("tag").asText()).isEqualTo("(0010,0010)");
        assertThat(f.get("keyword").asText()).isEqualTo("PatientName");
        assertThat(f.get("rule").asText()).isEqualTo("E1-1-NAME");
        assertThat(f.get("basis").asText()).isEqualTo("PS3.15 E.1-1 PatientName (0010,0010): Z");
        assertThat(f.has("reason")).isTrue();
        assertThat(f.get("hint").asText()).isEqualTo("D*** (person-name form, 2 parts, 8 chars)");
        assertThat(lines).filteredOn(n -> n.get("path").asText().contains("batch.zip!/member.dcm"))
                .singleElement().satisfies(n -> assertThat(n.get("status").asText()).isEqualTo("PASS"));
        assertThat(lines).filteredOn(n -> n.get("path").asText().endsWith("clean.dcm.gz"))
                .singleElement().satisfies(n -> assertThat(n.get("status").asText()).isEqualTo("PASS"));
        assertThat(lines).filteredOn(n -> n.get("path").asText().endsWith("notes.txt"))
                .singleElement().satisfies(n -> {
                    assertThat(n.get("status").asText()).isEqualTo("NOT_DICOM");
                    assertThat(n.get("reason").asText()).isNotBlank();
                });
    }

    @Test
    void tableOutputAndExitCodes(@TempDir Path dir) {
        DeidTestData.write(DeidTestData.clean(), dir.resolve("a.dcm").toFile());
        Out pass = run(dir.toString());
        assertThat(pass.code()).isZero();
        assertThat(pass.out()).contains("PASS").contains("a.dcm").contains("summary: 1 entries; PASS 1");

        AttributeList us = DeidTestData.clean();
        us.remove(TagFromName.BurnedInAnnotation);
        DeidTestData.put(us, TagFromName.Modality, "US");
        DeidTestData.write(us, dir.resolve("b.dcm").toFile());
        Out review = run(dir.toString());
        assertThat(review.code()).isEqualTo(3);
        assertThat(review.out()).contains("BIA-MISSING");
    }

    @Test
    void brokenDicomIsAnErrorLineAndTheRunGoesOn(@TempDir Path dir) throws Exception {
        DeidTestData.write(DeidTestData.clean(), dir.resolve("x.dcm").toFile());
        // A Part-10 preamble and magic, then a meta element claiming a value far longer than the file.
        byte[] broken = new byte[128 + 4 + 12];
        System.arraycopy("DICM".getBytes(StandardCharsets.US_ASCII), 0, broken, 128, 4);
        byte[] element = {0x02, 0x00, 0x10, 0x00, 'U', 'I', (byte) 0xFF, 0x7F, '1', '.', '2', 0};
        System.arraycopy(element, 0, broken, 132, element.length);
        Files.write(dir.resolve("broken.dcm"), broken);
        Out r = run(dir.toString(), "--json");
        List<JsonNode> lines = lines(r.out());
        assertThat(lines).extracting(n -> n.get("status").asText()).containsExactlyInAnyOrder("ERROR", "PASS");
        assertThat(lines).filteredOn(n -> n.get("status").asText().equals("ERROR")).singleElement()
                .satisfies(n -> assertThat(n.get("reason").asText()).startsWith("cannot parse as DICOM"));
        assertThat(r.code()).isEqualTo(1);
    }

    @Test
    void userErrorsExitTwoWithUsage(@TempDir Path dir) throws Exception {
        Out none = run();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("usage: deid-check PATH...");
        Out unknown = run(dir.toString(), "--frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown option --frobnicate");
        assertThat(run(dir.toString(), "--profile").code()).isEqualTo(2);
        assertThat(run(dir.resolve("missing").toString()).code()).isEqualTo(2);
        Path bad = Files.writeString(dir.resolve("bad.json"), "{oops");
        Out badProfile = run(dir.toString(), "--profile", bad.toString());
        assertThat(badProfile.code()).isEqualTo(2);
        assertThat(badProfile.err()).contains("not valid JSON").contains("Fix:");
    }

    @Test
    void customProfileChangesTheVerdict(@TempDir Path dir) throws Exception {
        AttributeList l = DeidTestData.clean();
        DeidTestData.put(l, TagFromName.PatientAge, "054Y");
        DeidTestData.write(l, dir.resolve("a.dcm").toFile());
        assertThat(run(dir.toString()).code()).isEqualTo(1);
        Path p = Files.writeString(dir.resolve("p.json"), "{\"profile\":\"site\",\"version\":\"1\",\"rules\":["
                + "{\"keyword\":\"PatientName\",\"kind\":\"name\",\"action\":\"Z\"}]}");
        assertThat(run(dir.toString(), "--profile", p.toString()).code()).isZero();
    }
}
