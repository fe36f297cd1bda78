package org.medlake.nifti;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast header reader must agree with PixelMed on every attribute conversion reads, and give way to PixelMed for
 * what it does not handle. Checked on synthetic explicit and implicit VR files and, when present, on every file of the
 * shared corpus' reference series.
 */
class FastHeaderTest {
    @TempDir
    Path dir;

    static final List<AttributeTag> TAGS = List.of(TagFromName.SeriesInstanceUID, TagFromName.SOPInstanceUID,
            TagFromName.SeriesNumber, TagFromName.InstanceNumber, TagFromName.Rows, TagFromName.Columns,
            TagFromName.BitsAllocated, TagFromName.BitsStored, TagFromName.PixelRepresentation,
            TagFromName.ImageOrientationPatient, TagFromName.ImagePositionPatient, TagFromName.PixelSpacing,
            TagFromName.RescaleSlope, TagFromName.RescaleIntercept, TagFromName.SeriesDescription, TagFromName.ImageType,
            TagFromName.AcquisitionTime, TagFromName.EchoTime, TagFromName.RepetitionTime, TagFromName.Manufacturer,
            TagFromName.TransferSyntaxUID, TagFromName.NumberOfFrames, TagFromName.SpacingBetweenSlices,
            Tags.ACQUISITION_MATRIX, Tags.IN_PLANE_PHASE_ENCODING_DIRECTION, Tags.FLIP_ANGLE, Tags.DIFFUSION_B_VALUE);

    private static AttributeList pixelmed(Path p) throws Exception {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(p))) {
            AttributeList l = new AttributeList();
            l.read(new DicomInputStream(in), TagFromName.PixelData);
            return l;
        }
    }

    private static void assertSame(Path p) throws Exception {
        byte[] bytes = Files.readAllBytes(p);
        FastHeader.Parsed fast = FastHeader.parse(bytes, bytes.length);
        if (fast == null) {
            return; // left to PixelMed: nothing to compare
        }
        AttributeList ref = pixelmed(p);
        for (AttributeTag t : TAGS) {
            String[] a = Attrs.strings(fast.list(), t), e = Attrs.strings(ref, t);
            assertThat(a == null ? null : String.join("\\", a).trim()).as("%s of %s", t, p)
                    .isEqualTo(e == null ? null : String.join("\\", e).trim());
        }
        assertThat(CsaHeader.imageHeader(fast.list()).get("NumberOfImagesInMosaic"))
                .isEqualTo(CsaHeader.imageHeader(ref).get("NumberOfImagesInMosaic"));
    }

    @Test
    void agreesWithPixelMedOnExplicitAndImplicitVr() throws Exception {
        TestDicom.Slice s = new TestDicom.Slice();
        s.slope = 1.5;
        s.intercept = -3.0;
        s.bValue = 800.0;
        AttributeList l = s.list();
        for (String ts : List.of(TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian)) {
            Path f = dir.resolve(ts + ".dcm");
            FileMetaInformation.addFileMetaInformation(l, ts, "MEDLAKE");
            l.write(f.toFile(), ts, true, true);
            byte[] bytes = Files.readAllBytes(f);
            assertThat(FastHeader.parse(bytes, bytes.length)).as(ts).isNotNull();
            assertSame(f);
        }
    }

    @Test
    void leavesBigEndianAndNonPart10ToPixelMed() throws Exception {
        AttributeList l = new TestDicom.Slice().list();
        Path f = dir.resolve("be.dcm");
        FileMetaInformation.addFileMetaInformation(l, TransferSyntax.ExplicitVRBigEndian, "MEDLAKE");
        l.write(f.toFile(), TransferSyntax.ExplicitVRBigEndian, true, true);
        byte[] bytes = Files.readAllBytes(f);
        assertThat(FastHeader.parse(bytes, bytes.length)).isNull();
        assertThat(FastHeader.parse(new byte[200], 200)).isNull();
        // the converter still reads it, through PixelMed
        assertThat(NiftiConverter.convertSeries(List.of(f)).get(0).dims()).containsExactly(5, 4, 1);
    }

    @Test
    void agreesWithPixelMedOnTheCorpusSeries() throws Exception {
        Path corpus = NiftiCorpusParityTest.corpus();
        org.junit.jupiter.api.Assumptions.assumeTrue(corpus != null, "shared corpus absent");
        List<Path> files = new ArrayList<>();
        for (String d : List.of("neurolabusc__dcm_qa_nih/In", "neurolabusc__dcm_qa/In", "neurolabusc__dcm_qa_ts/In",
                "neurolabusc__dcm_qa_12bit/In", "neurolabusc__dcm_qa_enh/In")) {
            try (Stream<Path> s = Files.walk(corpus.resolve(d))) {
                s.filter(p -> Files.isRegularFile(p) && !p.toString().endsWith(".txt") && !p.toString().endsWith(".nii"))
                        .forEach(files::add);
            }
        }
        assertThat(files).hasSizeGreaterThan(600);
        for (Path p : files) {
            assertSame(p);
        }
    }
}
