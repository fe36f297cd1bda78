package org.medlake.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.json.Json;
import javax.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.lake.Tables;

class InstanceHeaderTest {
    @TempDir
    static Path dir;
    static SyntheticSeries.Written ct;
    static SyntheticSeries.Written dwi;
    static SyntheticSeries.Written t1;

    @BeforeAll
    static void writeSeries() {
        SyntheticSeries.Patient p = SyntheticSeries.patient("P-7", "M", 61);
        ct = SyntheticSeries.ct(p).slices(3).studyDate(LocalDate.of(2023, 5, 7)).writeTo(dir.resolve("ct"));
        dwi = SyntheticSeries.mrDwi(p).slices(2).fieldStrength(1.5).writeTo(dir.resolve("dwi"));
        t1 = SyntheticSeries.mrT1(p).slices(3).writeTo(dir.resolve("t1"));
    }

    @Test
    void ctGeometryAndAcquisitionReadBackAsWritten() {
        InstanceHeader h = DicomReader.read(ct.files().get(2));
        assertThat(h.imageOrientationPatient()).containsExactly(1.0, 0.0, 0.0, 0.0, 1.0, 0.0);
        assertThat(h.imagePositionPatient()).containsExactly(-22.05, -22.05, 2.5);
        assertThat(h.pixelSpacing()).containsExactly(0.7, 0.7);
        assertThat(h.sliceThickness()).isEqualTo(2.5);
        assertThat(h.spacingBetweenSlices()).isEqualTo(2.5);
        assertThat(h.sliceLocation()).isEqualTo(2.5);
        assertThat(h.rescaleSlope()).isEqualTo(1.0);
        assertThat(h.rescaleIntercept()).isEqualTo(-1024.0);
        assertThat(h.bitsAllocated()).isEqualTo(16);
        assertThat(h.bitsStored()).isEqualTo(12);
        assertThat(h.pixelRepresentation()).isZero();
        assertThat(h.samplesPerPixel()).isEqualTo(1);
        assertThat(h.photometricInterpretation()).isEqualTo("MONOCHROME2");
        assertThat(h.frameOfReferenceUid()).isNotBlank();
        assertThat(h.kvp()).isEqualTo(120.0);
        assertThat(h.convolutionKernel()).isEqualTo("B30f");
        assertThat(h.imageType()).isEqualTo("ORIGINAL\\PRIMARY\\AXIAL");
        assertThat(h.studyTime()).isEqualTo("091500");
        assertThat(h.seriesDate()).isEqualTo(LocalDate.of(2023, 5, 7));
        assertThat(h.accessionNumber()).isEqualTo("ACCP7CT");
        assertThat(h.studyId()).isEqualTo("1");
        assertThat(h.acquisitionNumber()).isEqualTo(1);
        assertThat(h.protocolName()).isEqualTo("Thorax 2.5mm");
        assertThat(h.manufacturerModelName()).isEqualTo("SOMATOM Force");
        assertThat(h.institutionName()).isEqualTo("medlake synthetic hospital");
        assertThat(h.magneticFieldStrength()).isNull();
        assertThat(h.repetitionTime()).isNull();
        assertThat(h.numberOfFrames()).isNull();
        assertThat(h.radiopharmaceutical()).isNull();
    }

    @Test
    void mrAcquisitionParametersReadBackAsWritten() {
        InstanceHeader h = DicomReader.read(dwi.files().get(3));
        assertThat(h.modality()).isEqualTo("MR");
        assertThat(h.magneticFieldStrength()).isEqualTo(1.5);
        assertThat(h.repetitionTime()).isEqualTo(4000.0);
        assertThat(h.echoTime()).isEqualTo(80.0);
        assertThat(h.flipAngle()).isEqualTo(90.0);
        assertThat(h.scanningSequence()).isEqualTo("EP");
        assertThat(h.sequenceVariant()).isEqualTo("SK\\SP");
        assertThat(h.sequenceName()).isEqualTo("*ep_b1000t");
        assertThat(h.mrAcquisitionType()).isEqualTo("2D");
        assertThat(h.echoTrainLength()).isEqualTo(1);
        assertThat(h.diffusionBValue()).isEqualTo(1000.0);
        assertThat(h.inversionTime()).isNull();
        assertThat(h.kvp()).isNull();
        InstanceHeader sag = DicomReader.read(t1.files().get(0));
        assertThat(sag.imageOrientationPatient()).containsExactly(0.0, 1.0, 0.0, 0.0, 0.0, -1.0);
        assertThat(sag.imagePositionPatient()).containsExactly(-4.4, -118.125, 118.125);
        assertThat(sag.pixelSpacing()).containsExactly(3.75, 3.75);
    }

    @Test
    void columnsAreTypedNamedAfterTablesAndCoverEveryValue() {
        InstanceHeader h = DicomReader.read(ct.files().get(0));
        Map<String, Object> cols = h.toColumns();
        assertThat(cols.keySet()).containsExactlyElementsOf(
                InstanceHeader.COLUMNS.stream().map(InstanceHeader.Column::name).toList());
        Set<String> constants = Arrays.stream(Tables.Instances.class.getFields()).map(f -> {
            try {
                return (String) f.get(null);
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }).collect(Collectors.toSet());
        assertThat(constants).containsAll(cols.keySet()).contains(InstanceHeader.HEADER_JSON);
        for (InstanceHeader.Column c : InstanceHeader.COLUMNS) {
            Object v = cols.get(c.name());
            assertThat(c.type()).isIn(String.class, Integer.class, Long.class, Double.class, LocalDate.class, List.class);
            assertThat(c.elementType() != null).as(c.name()).isEqualTo(c.type() == List.class);
            if (v != null) {
                assertThat(v).as(c.name()).isInstanceOf(c.type());
            }
        }
        assertThat(cols).containsEntry(Tables.Instances.PIXEL_SPACING, List.of(0.7, 0.7))
                .containsEntry(Tables.Instances.STUDY_DATE, LocalDate.of(2023, 5, 7))
                .containsEntry(Tables.Instances.ROWS, 64)
                .containsEntry(Tables.Instances.PATIENT_AGE_YEARS, 61);
        assertThat(h.get(Tables.Instances.KVP)).isEqualTo(120.0);
    }

    @Test
    void recordComponentsInSnakeCaseAreTheColumnsThenHeaderJson() {
        List<String> names = Arrays.stream(InstanceHeader.class.getRecordComponents())
                .map(c -> c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT)).toList();
        List<String> expected = new java.util.ArrayList<>(
                InstanceHeader.COLUMNS.stream().map(InstanceHeader.Column::name).toList());
        expected.add(InstanceHeader.HEADER_JSON);
        assertThat(names).containsExactlyElementsOf(expected);
    }

    @Test
    void headerJsonIsDicomJsonWithoutPixelData() {
        InstanceHeader h = DicomReader.read(ct.files().get(0));
        String json = h.headerJson();
        assertThat(json).contains("\"00080060\":{\"vr\":\"CS\",\"Value\":[\"CT\"]}")
                .contains("\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"SYNTHETIC^P7\"}]}")
                .contains("\"00280030\":{\"vr\":\"DS\",\"Value\":[0.7,0.7]}")
                .contains("\"00280010\":{\"vr\":\"US\",\"Value\":[64]}")
                .contains("\"00281052\":{\"vr\":\"DS\",\"Value\":[-1024]}")
                .doesNotContain("7FE00010").doesNotContain("\"00020010\"");
        assertThat(json.length()).isLessThan(8000);
        JsonObject parsed = Json.createReader(new java.io.StringReader(json)).readObject();
        assertThat(parsed.getJsonObject("0020000D").getJsonArray("Value").getString(0)).isEqualTo(ct.studyInstanceUid());
    }

    @Test
    void petRadiopharmaceuticalSequencesAndSmallBinariesReachColumnsAndJson() throws Exception {
        AttributeList l = new AttributeList();
        l.read(ct.files().get(0).toFile());
        put(l, TagFromName.Modality, "PT");
        put(l, kw("Units"), "BQML");
        put(l, kw("DecayCorrection"), "START");
        SequenceAttribute rpSeq = new SequenceAttribute(kw("RadiopharmaceuticalInformationSequence"));
        AttributeList rp = new AttributeList();
        put(rp, kw("Radiopharmaceutical"), "Fluorodeoxyglucose");
        put(rp, kw("RadionuclideTotalDose"), "370000000");
        put(rp, kw("RadionuclideHalfLife"), "6586.2");
        SequenceAttribute nuclideSeq = new SequenceAttribute(kw("RadionuclideCodeSequence"));
        AttributeList nuclide = new AttributeList();
        put(nuclide, TagFromName.CodeValue, "C-111A1");
        put(nuclide, TagFromName.CodingSchemeDesignator, "SRT");
        put(nuclide, TagFromName.CodeMeaning, "^18^Fluorine");
        nuclideSeq.addItem(nuclide);
        rp.put(nuclideSeq);
        rpSeq.addItem(rp);
        l.put(rpSeq);
        com.pixelmed.dicom.OtherByteAttribute small = new com.pixelmed.dicom.OtherByteAttribute(
                new AttributeTag(0x0029, 0x1010));
        small.setValues(new byte[] {1, 2, 3, 4});
        l.put(small);
        // private tags have no keyword: a private creator and one small private OB element
        com.pixelmed.dicom.LongStringAttribute creator = new com.pixelmed.dicom.LongStringAttribute(
                new AttributeTag(0x0029, 0x0010));
        creator.addValue("MEDLAKE TEST");
        l.put(creator);
        Path f = dir.resolve("pt.dcm");
        l.write(f.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);

        InstanceHeader h = DicomReader.read(f);
        assertThat(h.modality()).isEqualTo("PT");
        assertThat(h.radiopharmaceutical()).isEqualTo("Fluorodeoxyglucose");
        assertThat(h.radionuclide()).isEqualTo("^18^Fluorine");
        assertThat(h.radionuclideTotalDose()).isEqualTo(3.7e8);
        assertThat(h.radionuclideHalfLife()).isEqualTo(6586.2);
        assertThat(h.units()).isEqualTo("BQML");
        assertThat(h.decayCorrection()).isEqualTo("START");
        assertThat(h.headerJson())
                .contains("\"00540016\":{\"vr\":\"SQ\",\"Value\":[{\"00180031\":{\"vr\":\"LO\",\"Value\":[\"Fluorodeoxyglucose\"]}")
                .contains("\"00540300\":{\"vr\":\"SQ\",\"Value\":[{\"00080100\":{\"vr\":\"SH\",\"Value\":[\"C-111A1\"]}")
                .contains("\"00291010\":{\"vr\":\"OB\",\"InlineBinary\":\"AQIDBA==\"}");
    }

    @Test
    void enhancedMultiFrameGeometryComesFromFunctionalGroups() throws Exception {
        AttributeList l = new AttributeList();
        l.read(t1.files().get(0).toFile());
        for (AttributeTag t : List.of(TagFromName.PixelSpacing, TagFromName.SliceThickness,
                TagFromName.ImageOrientationPatient, TagFromName.ImagePositionPatient, TagFromName.RepetitionTime)) {
            l.remove(t);
        }
        SequenceAttribute shared = new SequenceAttribute(kw("SharedFunctionalGroupsSequence"));
        AttributeList sharedItem = new AttributeList();
        sharedItem.put(seqWith(kw("PixelMeasuresSequence"), TagFromName.PixelSpacing, "0.5", "0.6"));
        sharedItem.put(seqWith(kw("PlaneOrientationSequence"), TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "0", "-1"));
        sharedItem.put(seqWith(kw("MRTimingAndRelatedParametersSequence"), TagFromName.RepetitionTime, "7.5"));
        shared.addItem(sharedItem);
        l.put(shared);
        SequenceAttribute perFrame = new SequenceAttribute(kw("PerFrameFunctionalGroupsSequence"));
        AttributeList frame = new AttributeList();
        frame.put(seqWith(kw("PlanePositionSequence"), TagFromName.ImagePositionPatient, "1", "2", "3"));
        perFrame.addItem(frame);
        l.put(perFrame);
        put(l, TagFromName.NumberOfFrames, "1");
        Path f = dir.resolve("enhanced.dcm");
        l.write(f.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);

        InstanceHeader h = DicomReader.read(f);
        assertThat(h.pixelSpacing()).containsExactly(0.5, 0.6);
        assertThat(h.imageOrientationPatient()).containsExactly(1.0, 0.0, 0.0, 0.0, 0.0, -1.0);
        assertThat(h.imagePositionPatient()).containsExactly(1.0, 2.0, 3.0);
        assertThat(h.repetitionTime()).isEqualTo(7.5);
        assertThat(h.numberOfFrames()).isEqualTo(1);
    }

    @Test
    void jsonNumbersFollowJsonGrammar() {
        assertThat(DicomJson.isJsonNumber("-0.7")).isTrue();
        assertThat(DicomJson.isJsonNumber("1e-3")).isTrue();
        assertThat(DicomJson.isJsonNumber("+1")).isFalse();
        assertThat(DicomJson.isJsonNumber(".5")).isFalse();
        assertThat(DicomJson.isJsonNumber("01")).isFalse();
        assertThat(DicomJson.isJsonNumber("1.")).isFalse();
    }

    @Test
    void truncationIsFoundFromTheSizeWithoutReadingPixels() throws Exception {
        byte[] bytes = Files.readAllBytes(ct.files().get(0));
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 10);
        // The stream variant with a known size never reads past the header: give it only the header bytes.
        int headerEnd = bytes.length - 64 * 64 * 2;
        java.io.InputStream headerOnly = new java.io.ByteArrayInputStream(Arrays.copyOf(bytes, headerEnd));
        assertThat(DicomReader.read(headerOnly, bytes.length, "x").sopInstanceUid()).isEqualTo(ct.sopInstanceUids().get(0));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DicomReader.read(
                        new java.io.ByteArrayInputStream(Arrays.copyOf(cut, headerEnd)), cut.length, "x"))
                .isInstanceOfSatisfying(DicomReadException.class,
                        e -> assertThat(e.reason()).isEqualTo(DicomReadException.Reason.TRUNCATED));
    }

    private static SequenceAttribute seqWith(AttributeTag seq, AttributeTag tag, String... values) throws Exception {
        SequenceAttribute s = new SequenceAttribute(seq);
        AttributeList item = new AttributeList();
        put(item, tag, values);
        s.addItem(item);
        return s;
    }

    private static AttributeTag kw(String keyword) {
        return DicomDictionary.StandardDictionary.getTagFromName(keyword);
    }

    private static void put(AttributeList l, AttributeTag tag, String... values) throws Exception {
        Attribute a = l.putNewAttribute(tag);
        for (String v : values) {
            a.addValue(v);
        }
    }
}
