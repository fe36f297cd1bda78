package org.medlake.ingest.pacs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.medlake.ingest.ErrorCode;
import org.medlake.ingest.IngestException;

class PacsSourcesTest {

    @Test
    void nonPacsUrisAreNotParsed() {
        assertThat(PacsSources.parse("/data/dicom")).isEmpty();
        assertThat(PacsSources.parse("s3://bucket/x")).isEmpty();
        assertThat(PacsSources.parse("http://host/dicom-web")).isEmpty();
    }

    @Test
    void dicomWebUri() {
        DicomWebSource s = (DicomWebSource) PacsSources.parse(
                "dicomweb+https://u:p@pacs.example:8443/dicom-web/?StudyDate=20240101-20241231&PatientID=P%201").orElseThrow();
        assertThat(s.baseUrl()).isEqualTo("https://pacs.example:8443/dicom-web");
        assertThat(s.filters()).containsExactlyInAnyOrderEntriesOf(Map.of("StudyDate", "20240101-20241231", "PatientID", "P 1"));
        assertThat(s.uri()).doesNotContain("u:p");
    }

    @Test
    void dimseUri() {
        DimsePullSource s = (DimsePullSource) PacsSources.parse(
                "dimse://ORTHANC@pacs:4242?StudyDate=20240101-&PatientID=P1&calling=ML&scp-port=11120").orElseThrow();
        assertThat(s.matchingKeys()).containsExactly(Map.entry("StudyDate", "20240101-"), Map.entry("PatientID", "P1"));
        assertThat(s.moveDestination()).isEqualTo("ML");
        assertThat(s.scpPort()).isEqualTo(11120);
    }

    @Test
    void badUrisAreUserErrors() {
        for (String bad : List.of("dimse://pacs:4242?PatientID=1", "dimse://AE@pacs?PatientID=1",
                "dimse://AE@pacs:104?NoSuchKeyword=1", "dimse://AE@pacs:104?scp-port=0",
                "dicomweb+http://pacs/dicom-web?limit=5", "dicomweb+http:///dicom-web", "dicomweb+http://pacs/x?a=1&a=2")) {
            assertThatThrownBy(() -> PacsSources.parse(bad)).as(bad).isInstanceOfSatisfying(IngestException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INGEST_BAD_ARGUMENT));
        }
    }

    @Test
    void multipartPartsMayContainBoundaryLookalikes() throws Exception {
        String boundary = "b0und";
        String part1 = "\r\n--b0un\r\n--b0unX\r\r\n-";
        String part2 = "plain";
        String body = "preamble\r\n--b0und\r\nContent-Type: application/dicom\r\n\r\n" + part1
                + "\r\n--b0und\r\nContent-Type: application/dicom\r\n\r\n" + part2 + "\r\n--b0und--\r\n";
        MultipartReader reader = new MultipartReader(new ByteArrayInputStream(body.getBytes(StandardCharsets.ISO_8859_1)), boundary);
        List<String> parts = new ArrayList<>();
        while (true) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Optional<Map<String, String>> headers = reader.nextPart(out);
            if (headers.isEmpty()) {
                break;
            }
            assertThat(headers.get()).containsEntry("content-type", "application/dicom");
            parts.add(out.toString(StandardCharsets.ISO_8859_1));
        }
        assertThat(parts).containsExactly(part1, part2);
        assertThat(MultipartReader.boundary("multipart/related; type=\"application/dicom\"; boundary=\"a b\"")).contains("a b");
        assertThat(MultipartReader.boundary("application/dicom")).isEmpty();
    }
}
