package org.medlake.sdk.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.dicom.SyntheticSeries;
import org.medlake.nifti.NiftiConverter;
import org.medlake.nifti.NiftiHeader;
import org.medlake.nifti.NiftiResult;
import org.medlake.sdk.MedlakeException;
import org.medlake.sdk.Volume;

/** NIfTI files written by medlake's own converter from synthetic DICOM, read back as SDK volumes. */
class NiftiVolumesTest {
    @TempDir
    Path dir;

    private NiftiResult convert(SyntheticSeries.Builder series) {
        SyntheticSeries.Written w = series.writeTo(dir);
        List<NiftiResult> results = NiftiConverter.convertSeries(w.files());
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    private static byte[] bytes(NiftiResult r, boolean gzip) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.writeTo(out, gzip);
        return out.toByteArray();
    }

    private static void assertSameAs(Volume v, NiftiResult r) {
        NiftiHeader h = r.header();
        int nd = h.dim().length;
        assertThat(v.shape()).hasSize(nd);
        for (int i = 0; i < nd; i++) {
            assertThat(v.shape()[i]).isEqualTo(h.dim()[i]);
            assertThat(v.spacing()[i]).isCloseTo(h.pixdim()[i], within(1e-5));
        }
        assertThat(v.dataType().niftiCode()).isEqualTo(h.datatype());
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 4; col++) {
                assertThat(v.affine(row, col)).isCloseTo(h.srow()[row][col], within(1e-4));
            }
        }
        assertThat(v.affine()).endsWith(0, 0, 0, 1);
        assertThat(v.data().isDirect()).isTrue();
        assertThat(v.data().order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < v.voxelCount(); i += 97) {
            assertThat(v.value(i)).as("voxel %d", i).isEqualTo(r.value((int) i));
        }
    }

    @Test
    void aCtSeriesWithRescaleReadsBackWithItsGeometryAndValues() throws Exception {
        NiftiResult r = convert(SyntheticSeries.ct(SyntheticSeries.patient("P1", "F", 50)).slices(6).size(32, 40));
        Volume v = NiftiVolumes.read("1.2.3", new ByteArrayInputStream(bytes(r, true)));
        assertThat(v.shape()).containsExactly(40, 32, 6);
        assertThat(v.scaleIntercept()).isEqualTo(r.header().sclInter());
        assertSameAs(v, r);
        assertThat(v.seriesInstanceUid()).isEqualTo("1.2.3");
    }

    @Test
    void a4dDiffusionSeriesUncompressedReadsBack() throws Exception {
        NiftiResult r = convert(SyntheticSeries.mrDwi(SyntheticSeries.patient("P2", "M", 40)).slices(4).size(24, 24));
        Volume v = NiftiVolumes.read("1.2.4", new ByteArrayInputStream(bytes(r, false)));
        assertThat(v.shape()).containsExactly(24, 24, 4, 2);
        assertSameAs(v, r);
    }

    @Test
    void withoutAnSformTheQformGivesTheSameAffine() throws Exception {
        NiftiResult r = convert(SyntheticSeries.mrT1(SyntheticSeries.patient("P3", "F", 30)).slices(5).size(16, 20));
        byte[] raw = bytes(r, false);
        Volume withSform = NiftiVolumes.read("s", new ByteArrayInputStream(raw));
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putShort(254, (short) 0); // sform_code = 0
        Volume fromQform = NiftiVolumes.read("q", new ByteArrayInputStream(raw));
        for (int i = 0; i < 16; i++) {
            assertThat(fromQform.affine()[i]).as("affine[%d]", i).isCloseTo(withSform.affine()[i], within(1e-3));
        }
    }

    @Test
    void truncatedOrForeignBytesAreRejectedWithTheReason() throws Exception {
        NiftiResult r = convert(SyntheticSeries.ct(SyntheticSeries.patient("P4", "M", 60)).slices(3).size(16, 16));
        byte[] raw = bytes(r, false);
        byte[] cut = java.util.Arrays.copyOf(raw, raw.length - 10);
        assertThatThrownBy(() -> NiftiVolumes.read("1.9", new ByteArrayInputStream(cut)))
                .isInstanceOf(MedlakeException.class).hasMessageContaining("series 1.9")
                .hasMessageContaining("10 bytes before its last voxel");
        assertThatThrownBy(() -> NiftiVolumes.read("1.9", new ByteArrayInputStream("DICM".repeat(100).getBytes())))
                .isInstanceOf(MedlakeException.class).hasMessageContaining("not NIfTI-1");
    }
}
