package org.medlake.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DicomReaderTest {
    @TempDir
    static Path dir;
    static SyntheticSeries.Written ct;
    static SyntheticSeries.Written dwi;

    @BeforeAll
    static void writeSeries() {
        SyntheticSeries.Patient p = SyntheticSeries.patient("P-0042", "F", 54);
        ct = SyntheticSeries.ct(p).slices(3).studyDate(LocalDate.of(2023, 5, 7)).writeTo(dir.resolve("ct"));
        dwi = SyntheticSeries.mrDwi(p).slices(2).size(32, 48).writeTo(dir.resolve("dwi"));
    }

    @Test
    void readsTheHeaderOfASyntheticCt() {
        InstanceHeader h = DicomReader.read(ct.files().get(1));
        assertThat(h.sopInstanceUid()).isEqualTo(ct.sopInstanceUids().get(1));
        assertThat(h.seriesInstanceUid()).isEqualTo(ct.seriesInstanceUid());
        assertThat(h.studyInstanceUid()).isEqualTo(ct.studyInstanceUid());
        assertThat(h.sopClassUid()).isEqualTo("1.2.840.10008.5.1.4.1.1.2");
        assertThat(h.transferSyntaxUid()).isEqualTo(TransferSyntax.ExplicitVRLittleEndian);
        assertThat(h.patientId()).isEqualTo("P-0042");
        assertThat(h.patientSex()).isEqualTo("F");
        assertThat(h.patientAgeYears()).isEqualTo(54);
        assertThat(h.studyDate()).isEqualTo(LocalDate.of(2023, 5, 7));
        assertThat(h.modality()).isEqualTo("CT");
        assertThat(h.seriesNumber()).isEqualTo(2);
        assertThat(h.instanceNumber()).isEqualTo(2);
        assertThat(h.bodyPartExamined()).isEqualTo("CHEST");
        assertThat(h.manufacturer()).isEqualTo("SIEMENS");
        assertThat(h.seriesDescription()).isEqualTo(ct.seriesDescription());
        assertThat(h.studyDescription()).isEqualTo("CT CHEST");
        assertThat(h.rows()).isEqualTo(64);
        assertThat(h.columns()).isEqualTo(64);
    }

    @Test
    void syntheticCtHasTheDeclaredGeometryAndHu() throws Exception {
        AttributeList l = new AttributeList();
        l.read(ct.files().get(2).toFile());
        assertThat(l.get(TagFromName.ImageOrientationPatient).getDelimitedStringValuesOrEmptyString()).isEqualTo("1\\0\\0\\0\\1\\0");
        assertThat(l.get(TagFromName.ImagePositionPatient).getDoubleValues()[2]).isEqualTo(2.5);
        assertThat(l.get(TagFromName.RescaleIntercept).getSingleStringValueOrNull()).isEqualTo("-1024");
        short[] px = l.get(TagFromName.PixelData).getShortValues();
        assertThat(px).hasSize(64 * 64);
        assertThat(px[0] - 1024).isEqualTo(-1000); // air in the corner
        assertThat(px[32 * 64 + 32] - 1024).isBetween(0, 100); // soft tissue at the centre
    }

    @Test
    void dwiWritesTwoBValuesPerPosition() {
        assertThat(dwi.files()).hasSize(4);
        assertThat(dwi.modality()).isEqualTo("MR");
        InstanceHeader h = DicomReader.read(dwi.files().get(3));
        assertThat(h.instanceNumber()).isEqualTo(4);
        assertThat(h.rows()).isEqualTo(32);
        assertThat(h.columns()).isEqualTo(48);
        assertThat(h.sopClassUid()).isEqualTo("1.2.840.10008.5.1.4.1.1.4");
    }

    @Test
    void streamsBytesAndPathsAlike() throws IOException {
        byte[] bytes = Files.readAllBytes(ct.files().get(0));
        assertThat(DicomReader.read(bytes)).isEqualTo(DicomReader.read(ct.files().get(0)));
        assertThat(DicomReader.read(new ByteArrayInputStream(bytes), "x")).isEqualTo(DicomReader.read(bytes));
    }

    @Test
    void aFileCutInThePixelDataIsTruncated() throws IOException {
        byte[] bytes = Files.readAllBytes(ct.files().get(0));
        for (int cut : new int[] {bytes.length - 1, bytes.length - 100, bytes.length - 4000}) {
            Path f = dir.resolve("cut-" + cut + ".dcm");
            Files.write(f, Arrays.copyOf(bytes, cut));
            assertThatThrownBy(() -> DicomReader.read(f))
                    .isInstanceOfSatisfying(DicomReadException.class, e -> {
                        assertThat(e.reason()).isEqualTo(DicomReadException.Reason.TRUNCATED);
                        assertThat(e.code().category()).isEqualTo(ErrorCode.Category.USER_ERROR);
                    })
                    .hasMessageContaining("truncated").hasMessageContaining("Pixel Data").hasMessageContaining("Fix");
        }
    }

    @Test
    void aFileCutAnywhereInsideTheHeaderIsTruncated() throws IOException {
        byte[] bytes = Files.readAllBytes(ct.files().get(0));
        int pixelStart = bytes.length - 64 * 64 * 2 - 12;
        for (int cut = 140; cut < pixelStart + 10; cut += 23) {
            byte[] cutBytes = Arrays.copyOf(bytes, cut);
            int at = cut;
            assertThatThrownBy(() -> DicomReader.read(cutBytes))
                    .as("cut at %d", at)
                    .isInstanceOfSatisfying(DicomReadException.class,
                            e -> assertThat(e.reason()).as("cut at %d: %s", at, e.getMessage())
                                    .isEqualTo(DicomReadException.Reason.TRUNCATED));
        }
    }

    @Test
    void textIsNotDicom() throws IOException {
        Path f = dir.resolve("notes.txt");
        Files.writeString(f, "Patient was scanned twice; see the second series.\n".repeat(10), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> DicomReader.read(f))
                .isInstanceOfSatisfying(DicomReadException.class,
                        e -> assertThat(e.reason()).isEqualTo(DicomReadException.Reason.NOT_DICOM))
                .hasMessageContaining("not a DICOM file");
        assertThatThrownBy(() -> DicomReader.read(new byte[0]))
                .isInstanceOfSatisfying(DicomReadException.class,
                        e -> assertThat(e.reason()).isEqualTo(DicomReadException.Reason.NOT_DICOM));
        assertThatThrownBy(() -> DicomReader.read("{\"00080060\": {\"vr\": \"CS\"}}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(DicomReadException.class,
                        e -> assertThat(e.reason()).isEqualTo(DicomReadException.Reason.NOT_DICOM));
    }

    @Test
    void aFileWithoutSopInstanceUidIsMissingUid() throws Exception {
        AttributeList l = new AttributeList();
        l.read(ct.files().get(0).toFile());
        l.remove(TagFromName.SOPInstanceUID);
        Path f = dir.resolve("no-sop.dcm");
        l.write(f.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
        assertThatThrownBy(() -> DicomReader.read(f))
                .isInstanceOfSatisfying(DicomReadException.class,
                        e -> assertThat(e.reason()).isEqualTo(DicomReadException.Reason.MISSING_UID))
                .hasMessageContaining("SOPInstanceUID");
    }

    @Test
    void missingFileIsAnExternalError() {
        assertThatThrownBy(() -> DicomReader.read(dir.resolve("nope.dcm")))
                .isInstanceOfSatisfying(DicomException.class,
                        e -> assertThat(e.category()).isEqualTo(ErrorCode.Category.EXTERNAL));
    }

    @Test
    void parsesAgesAndDates() {
        assertThat(DicomReader.ageInYears("054Y")).isEqualTo(54);
        assertThat(DicomReader.ageInYears("018M")).isEqualTo(1);
        assertThat(DicomReader.ageInYears("003W")).isEqualTo(0);
        assertThat(DicomReader.ageInYears("45")).isEqualTo(45);
        assertThat(DicomReader.ageInYears("old")).isNull();
        assertThat(DicomReader.ageInYears(null)).isNull();
        assertThat(DicomReader.date("20240229")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(DicomReader.date("1999.12.31")).isEqualTo(LocalDate.of(1999, 12, 31));
        assertThat(DicomReader.date("20230230")).isNull();
        assertThat(DicomReader.date("")).isNull();
    }
}
