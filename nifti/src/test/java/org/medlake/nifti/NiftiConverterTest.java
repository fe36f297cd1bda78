package org.medlake.nifti;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conversion of synthetic classic series. Expectations come from the DICOM definitions, not from the converter:
 * each stored value encodes the slice (its physical position index), row and column it was written at, so for every
 * output voxel the test decodes where it came from, computes that pixel's patient position from
 * ImagePositionPatient + column × ΔX × row direction + row × ΔY × column direction (PS3.3 C.7.6.2.1.1), turns it into
 * RAS (x and y negated) and checks that the NIfTI sform maps the voxel index to the same point.
 */
class NiftiConverterTest {
    @TempDir
    Path dir;

    private String acquisitionType;

    /** Writes {@code n} slices along the normal of {@code iop}, spacing 3 mm, files in reverse physical order. */
    private List<Path> series(double[] iop, double[] origin, int n, boolean reverseOnDisk) throws Exception {
        String uid = TestDicom.uid();
        double[] normal = Vec.cross(Vec.row(iop), Vec.col(iop));
        List<Path> files = new ArrayList<>();
        for (int z = 0; z < n; z++) {
            TestDicom.Slice s = new TestDicom.Slice();
            s.seriesUid = uid;
            s.iop = iop;
            s.ipp = Vec.add(origin, Vec.scale(normal, 3.0 * z));
            // The scanner numbered them from the far end when reversed: InstanceNumber must not matter.
            s.instanceNumber = reverseOnDisk ? n - z : z + 1;
            s.acquisitionType = acquisitionType;
            final int zz = z;
            s.pixel = (r, c) -> 1000 * zz + 10 * r + c;
            files.add(s.write(dir.resolve(String.format("IM%03d.dcm", s.instanceNumber))));
        }
        if (reverseOnDisk) {
            Collections.reverse(files);
        }
        return files;
    }

    /** Checks every voxel's sform position against the DICOM position of the pixel its value says it came from. */
    private static void assertGeometry(NiftiResult r, double[] iop, double[] origin) {
        int[] d = r.dims();
        double[][] s = r.header().srow();
        double[] normal = Vec.cross(Vec.row(iop), Vec.col(iop));
        double dxCol = 0.8, dyRow = 0.5; // TestDicom's PixelSpacing {0.5 between rows, 0.8 between columns}
        for (int k = 0; k < d[2]; k++) {
            for (int j = 0; j < d[1]; j++) {
                for (int i = 0; i < d[0]; i++) {
                    int v = (int) r.value(i + d[0] * (j + d[1] * k));
                    int z = v / 1000, row = (v % 1000) / 10, col = v % 10;
                    double[] lps = Vec.add(Vec.add(Vec.add(origin, Vec.scale(normal, 3.0 * z)),
                            Vec.scale(Vec.row(iop), col * dxCol)), Vec.scale(Vec.col(iop), row * dyRow));
                    double[] ras = {-lps[0], -lps[1], lps[2]};
                    for (int a = 0; a < 3; a++) {
                        double w = s[a][0] * i + s[a][1] * j + s[a][2] * k + s[a][3];
                        assertThat(w).as("axis %d of voxel (%d,%d,%d)", a, i, j, k).isCloseTo(ras[a], within(1e-3));
                    }
                }
            }
        }
    }

    @Test
    void axialSeriesGeometryAndRowFlip() throws Exception {
        double[] iop = {1, 0, 0, 0, 1, 0};
        double[] origin = {-10, -20, 30};
        List<NiftiResult> out = NiftiConverter.convertSeries(series(iop, origin, 4, false));
        assertThat(out).hasSize(1);
        NiftiResult r = out.get(0);
        assertThat(r.dims()).containsExactly(5, 4, 4);
        assertGeometry(r, iop, origin);
        // dcm2niix writes the last DICOM row first: voxel (0,0,0) is row 3, column 0 of the lowest slice.
        assertThat(r.value(0)).isEqualTo(30);
        // slices ascend along the normal (+z LPS = superior): the third column points up
        assertThat(r.header().srow()[2][2]).isCloseTo(3.0, within(1e-6));
        assertThat(r.header().pixdim()).containsExactly(0.8, 0.5, 3.0);
        assertThat(r.header().qformCode()).isEqualTo(1);
        assertThat(r.header().sformCode()).isEqualTo(1);
    }

    @Test
    void sliceOrderReversedOnDiskGivesTheSameVolume() throws Exception {
        double[] iop = {1, 0, 0, 0, 1, 0};
        double[] origin = {0, 0, 0};
        NiftiResult ordered = NiftiConverter.convertSeries(series(iop, origin, 5, false)).get(0);
        Files.list(dir).forEach(p -> p.toFile().delete());
        NiftiResult reversed = NiftiConverter.convertSeries(series(iop, origin, 5, true)).get(0);
        assertGeometry(reversed, iop, origin);
        for (int i = 0; i < 5 * 4 * 5; i++) {
            assertThat(reversed.value(i)).isEqualTo(ordered.value(i));
        }
        assertThat(reversed.header().srow()).isDeepEqualTo(ordered.header().srow());
    }

    @Test
    void sagittalSeries() throws Exception {
        double[] iop = {0, 1, 0, 0, 0, -1};
        double[] origin = {-30, -100, 80};
        NiftiResult r = NiftiConverter.convertSeries(series(iop, origin, 3, true)).get(0);
        assertGeometry(r, iop, origin);
        // normal = row × column = -x LPS = +x RAS: slices step towards patient right→left in RAS +x
        assertThat(r.header().srow()[0][2]).isCloseTo(3.0, within(1e-6));
    }

    /** dcm2niix stores 3D acquisitions rotated so that voxel axes run along +x, +y, +z; positions must not change. */
    @Test
    void threeDimensionalAcquisitionIsStoredInRasOrder() throws Exception {
        acquisitionType = "3D";
        double[] iop = {0, 1, 0, 0, 0, -1};
        double[] origin = {-30, -100, 80};
        NiftiResult r = NiftiConverter.convertSeries(series(iop, origin, 3, false)).get(0);
        // sagittal 5 columns (A-P) x 4 rows (S-I) x 3 slices (R-L) becomes x: 3 slices, y: 5 columns, z: 4 rows
        assertThat(r.dims()).containsExactly(3, 5, 4);
        double[][] s = r.header().srow();
        assertThat(new double[] {s[0][0], s[1][1], s[2][2]}).containsExactly(new double[] {3.0, 0.8, 0.5}, within(1e-6));
        assertThat(new double[] {s[0][1], s[0][2], s[1][0], s[1][2], s[2][0], s[2][1]}).containsOnly(0.0);
        assertThat(r.header().pixdim()).containsExactly(3.0, 0.8, 0.5);
        assertGeometry(r, iop, origin);
    }

    @Test
    void obliqueSeries() throws Exception {
        double a = Math.toRadians(17), b = Math.toRadians(-9);
        double[] row = {Math.cos(a), Math.sin(a), 0};
        double[] col = Vec.normalize(new double[] {-Math.sin(a) * Math.cos(b), Math.cos(a) * Math.cos(b), Math.sin(b)});
        double[] iop = {row[0], row[1], row[2], col[0], col[1], col[2]};
        double[] origin = {12.5, -40.25, 7};
        NiftiResult r = NiftiConverter.convertSeries(series(iop, origin, 4, false)).get(0);
        assertGeometry(r, iop, origin);
    }

    /** The qform, rebuilt with nifti1.h's quaternion formula, must describe the same affine as the sform. */
    @Test
    void qformMatchesSform() throws Exception {
        for (double[] iop : List.of(new double[] {1, 0, 0, 0, 1, 0}, new double[] {0, 1, 0, 0, 0, -1},
                new double[] {0.9659258, 0.2588190, 0, -0.2529, 0.9437, -0.2132})) {
            Files.list(dir).forEach(p -> p.toFile().delete());
            double[] col = Vec.normalize(Vec.col(iop));
            double[] ortho = {iop[0], iop[1], iop[2], col[0], col[1], col[2]};
            NiftiHeader h = NiftiConverter.convertSeries(series(ortho, new double[] {5, -7, 9}, 3, false)).get(0).header();
            double[] q = h.quatern();
            double b = q[0], c = q[1], d = q[2];
            double a = Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d));
            double[][] r = {
                {a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)},
                {2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)},
                {2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b}};
            double[] pix = h.pixdim();
            double[] scale = {pix[0], pix[1], h.qfac() * pix[2]};
            double[][] s = h.srow();
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    assertThat(r[i][j] * scale[j]).as("qform[%d][%d]", i, j).isCloseTo(s[i][j], within(1e-4));
                }
                assertThat(q[3 + i]).isCloseTo(s[i][3], within(1e-4));
            }
        }
    }

    @Test
    void fourDimensionalSeriesOrderedByTemporalPosition() throws Exception {
        String uid = TestDicom.uid();
        List<Path> files = new ArrayList<>();
        int n = 0;
        for (int t = 0; t < 4; t++) {
            for (int z = 0; z < 3; z++) {
                TestDicom.Slice s = new TestDicom.Slice();
                s.seriesUid = uid;
                s.ipp = new double[] {0, 0, 5.0 * z};
                s.temporalPosition = t + 1;
                // instance numbers run slice-major, so only TemporalPositionIdentifier orders the volumes
                s.instanceNumber = z * 4 + t + 1;
                final int tt = t, zz = z;
                s.pixel = (r, c) -> 100 * tt + 10 * zz + r;
                files.add(s.write(dir.resolve("f" + (++n) + ".dcm")));
            }
        }
        Collections.shuffle(files, new java.util.Random(7));
        NiftiResult r = NiftiConverter.convertSeries(files).get(0);
        assertThat(r.dims()).containsExactly(5, 4, 3, 4);
        int vol = 5 * 4 * 3;
        for (int t = 0; t < 4; t++) {
            for (int z = 0; z < 3; z++) {
                // first voxel of slice z of volume t: last DICOM row (3)
                assertThat(r.value(t * vol + z * 20)).isEqualTo(100 * t + 10 * z + 3);
            }
        }
        assertThat(r.header().pixdim()[3]).isEqualTo(2.0); // RepetitionTime 2000 ms
        assertThat(r.sopInstanceUids()).hasSize(12);
    }

    @Test
    void signedDataAndRescaleGoToSclFields() throws Exception {
        TestDicom.Slice s = new TestDicom.Slice();
        s.signed = true;
        s.slope = 2.0;
        s.intercept = -100.0;
        s.pixel = (r, c) -> -300 + 37 * (r * 5 + c);
        NiftiResult res = NiftiConverter.convertSeries(List.of(s.write(dir.resolve("a.dcm")))).get(0);
        assertThat(res.header().datatype()).isEqualTo(Voxels.DT_INT16);
        assertThat(res.header().sclSlope()).isEqualTo(2.0);
        assertThat(res.header().sclInter()).isEqualTo(-100.0);
        // voxel (i, j) = DICOM (row 3 - j, column i)
        for (int j = 0; j < 4; j++) {
            for (int i = 0; i < 5; i++) {
                int stored = -300 + 37 * ((3 - j) * 5 + i);
                assertThat(res.value(i + 5 * j)).isEqualTo(stored * 2.0 - 100);
            }
        }
    }

    @Test
    void twelveBitSignedIsSignExtendedAndUnsignedMasked() throws Exception {
        TestDicom.Slice signed = new TestDicom.Slice();
        signed.signed = true;
        signed.bitsStored = 12;
        // -5 in 12-bit two's complement is 0xFFB; 0xA000 is garbage above HighBit
        signed.pixel = (r, c) -> 0xA000 | 0xFFB;
        NiftiResult s = NiftiConverter.convertSeries(List.of(signed.write(dir.resolve("s.dcm")))).get(0);
        assertThat(s.value(0)).isEqualTo(-5);
        TestDicom.Slice unsigned = new TestDicom.Slice();
        unsigned.bitsStored = 12;
        unsigned.pixel = (r, c) -> 0xF000 | 0x123;
        NiftiResult u = NiftiConverter.convertSeries(List.of(unsigned.write(dir.resolve("u.dcm")))).get(0);
        assertThat(u.value(0)).isEqualTo(0x123);
        assertThat(u.header().datatype()).isEqualTo(Voxels.DT_INT16);
    }

    @Test
    void sixteenBitUnsignedStaysUnsigned() throws Exception {
        TestDicom.Slice s = new TestDicom.Slice();
        s.pixel = (r, c) -> 60000;
        NiftiResult r = NiftiConverter.convertSeries(List.of(s.write(dir.resolve("u.dcm")))).get(0);
        assertThat(r.header().datatype()).isEqualTo(Voxels.DT_UINT16);
        assertThat(r.value(7)).isEqualTo(60000);
    }

    @Test
    void differingRescalePerSliceBecomesFloat() throws Exception {
        String uid = TestDicom.uid();
        List<Path> files = new ArrayList<>();
        for (int z = 0; z < 2; z++) {
            TestDicom.Slice s = new TestDicom.Slice();
            s.seriesUid = uid;
            s.ipp = new double[] {0, 0, z};
            s.instanceNumber = z + 1;
            s.slope = z == 0 ? 1.0 : 0.5;
            s.intercept = 0.0;
            s.pixel = (r, c) -> 8;
            files.add(s.write(dir.resolve("f" + z + ".dcm")));
        }
        NiftiResult r = NiftiConverter.convertSeries(files).get(0);
        assertThat(r.header().datatype()).isEqualTo(Voxels.DT_FLOAT32);
        assertThat(r.value(0)).isEqualTo(8.0);
        assertThat(r.value(20)).isEqualTo(4.0);
    }

    @Test
    void multiEchoSplitsIntoOneOutputPerEcho() throws Exception {
        String uid = TestDicom.uid();
        List<Path> files = new ArrayList<>();
        for (int e = 1; e <= 2; e++) {
            for (int z = 0; z < 2; z++) {
                TestDicom.Slice s = new TestDicom.Slice();
                s.seriesUid = uid;
                s.echo = e;
                s.ipp = new double[] {0, 0, z};
                s.instanceNumber = e * 10 + z;
                final int ee = e;
                s.pixel = (r, c) -> ee;
                files.add(s.write(dir.resolve("e" + e + "z" + z + ".dcm")));
            }
        }
        List<NiftiResult> out = NiftiConverter.convertSeries(files);
        assertThat(out).extracting(NiftiResult::baseName).containsExactly("3_synthetic_e1", "3_synthetic_e2");
        assertThat(out.get(1).value(0)).isEqualTo(2);
        assertThat(out.get(0).dims()).containsExactly(5, 4, 2);
    }

    @Test
    void oneUidWithTwoSeriesNumbersGivesTwoOutputs() throws Exception {
        String uid = TestDicom.uid();
        List<Path> files = new ArrayList<>();
        for (int number : new int[] {5, 6}) {
            TestDicom.Slice s = new TestDicom.Slice();
            s.seriesUid = uid;
            s.seriesNumber = number;
            s.pixel = (r, c) -> number;
            files.add(s.write(dir.resolve("n" + number + ".dcm")));
        }
        List<NiftiResult> out = NiftiConverter.convertSeries(files);
        assertThat(out).extracting(NiftiResult::baseName).containsExactly("5_synthetic", "6_synthetic");
        assertThat(out.get(1).value(0)).isEqualTo(6);
    }

    @Test
    void missingSliceIsReportedWithAReason() throws Exception {
        String uid = TestDicom.uid();
        List<Path> files = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            for (int z = 0; z < 3; z++) {
                if (t == 1 && z == 2) {
                    continue;
                }
                TestDicom.Slice s = new TestDicom.Slice();
                s.seriesUid = uid;
                s.ipp = new double[] {0, 0, z};
                s.instanceNumber = t * 3 + z + 1;
                files.add(s.write(dir.resolve("f" + t + z + ".dcm")));
            }
        }
        assertThatThrownBy(() -> NiftiConverter.convertSeries(files)).isInstanceOf(NiftiException.class)
                .satisfies(e -> assertThat(((NiftiException) e).code()).isEqualTo(NiftiException.ErrorCode.NIFTI_INCONSISTENT_SERIES))
                .hasMessageContaining("Cause:").hasMessageContaining("Fix:");
    }

    @Test
    void writesGzipAndPlainNiftiThatReadBack() throws Exception {
        double[] iop = {1, 0, 0, 0, 1, 0};
        NiftiResult r = NiftiConverter.convertSeries(series(iop, new double[] {1, 2, 3}, 3, false)).get(0);
        Path out = dir.resolve("out");
        List<Path> gz = r.writeTo(out, "x", true);
        List<Path> plain = r.writeTo(out, "y", false);
        assertThat(gz.get(0).getFileName().toString()).isEqualTo("x.nii.gz");
        byte[] head = Files.readAllBytes(gz.get(0));
        assertThat(head[0] & 0xFF).isEqualTo(0x1f);
        assertThat(head[1] & 0xFF).isEqualTo(0x8b);
        assertThat(Files.size(plain.get(0))).isEqualTo(352 + 5 * 4 * 3 * 2);
        for (Path p : List.of(gz.get(0), plain.get(0))) {
            NiftiReader.Image img = NiftiReader.read(p);
            assertThat(img.header().dim()).containsExactly(5, 4, 3);
            assertThat(img.header().srow()[2][3]).isCloseTo(r.header().srow()[2][3], within(1e-4));
            for (int i = 0; i < img.values().length; i++) {
                assertThat(img.values()[i]).isEqualTo(r.value(i));
            }
        }
        assertThat(gz).extracting(p -> p.getFileName().toString()).contains("x.json");
    }

    @Test
    void diffusionBvecsAreInImageSpaceAsDcm2niixWritesThem() throws Exception {
        // Expected image-space vectors for the identity orientation: i = +x, j = -y (rows written bottom-up),
        // k = +z; the affine's determinant is negative so x keeps its sign. Confirmed against dcm2niix v1.0.20220720.
        double[][] g = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0.6, 0.8, 0}};
        double[] b = {0, 1000, 1000, 1000, 1000};
        String uid = TestDicom.uid();
        List<Path> files = new ArrayList<>();
        int n = 0;
        for (int t = 0; t < 5; t++) {
            for (int z = 0; z < 2; z++) {
                TestDicom.Slice s = new TestDicom.Slice();
                s.seriesUid = uid;
                s.instanceNumber = ++n;
                s.ipp = new double[] {0, 0, 3.0 * z};
                s.bValue = b[t];
                s.gradient = g[t];
                files.add(s.write(dir.resolve("d" + n + ".dcm")));
            }
        }
        NiftiResult r = NiftiConverter.convertSeries(files).get(0);
        assertThat(r.bval()).isEqualTo("0 1000 1000 1000 1000\n");
        assertThat(r.bvec()).isEqualTo("0 1 0 0 0.6\n0 0 -1 0 -0.8\n0 0 0 1 0\n");
    }

    @Test
    void classicImagesWithAnMrDiffusionSequenceGiveTheSameBvecsAsTopLevelAttributes() throws Exception {
        // the standard MRDiffusionSequence in classic (not enhanced) images; cross-checked against dcm2niix by
        // Dcm2niixCrossCheckIT (dwi_*_mrdiffusionseq)
        double[][] g = {null, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0.6, 0.8, 0}};
        double[] b = {0, 1000, 1000, 1000, 1000};
        String uid = TestDicom.uid();
        List<Path> files = new ArrayList<>();
        int n = 0;
        for (int t = 0; t < 5; t++) {
            for (int z = 0; z < 2; z++) {
                TestDicom.Slice s = new TestDicom.Slice();
                s.seriesUid = uid;
                s.instanceNumber = ++n;
                s.ipp = new double[] {0, 0, 3.0 * z};
                com.pixelmed.dicom.AttributeList l = s.list();
                com.pixelmed.dicom.AttributeList item = new com.pixelmed.dicom.AttributeList();
                TestDicom.put(item, TestDicom.kw("DiffusionBValue"), TestDicom.ds(b[t]));
                if (g[t] != null) {
                    com.pixelmed.dicom.AttributeList gi = new com.pixelmed.dicom.AttributeList();
                    TestDicom.put(gi, TestDicom.kw("DiffusionGradientOrientation"), TestDicom.ds(g[t][0]),
                            TestDicom.ds(g[t][1]), TestDicom.ds(g[t][2]));
                    item.put(TestDicom.seq(TestDicom.kw("DiffusionGradientDirectionSequence"), gi));
                }
                l.put(TestDicom.seq(TestDicom.kw("MRDiffusionSequence"), item));
                com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(l,
                        com.pixelmed.dicom.TransferSyntax.ExplicitVRLittleEndian, "MEDLAKE");
                Path f = dir.resolve("q" + n + ".dcm");
                l.write(f.toFile(), com.pixelmed.dicom.TransferSyntax.ExplicitVRLittleEndian, true, true);
                files.add(f);
            }
        }
        NiftiResult r = NiftiConverter.convertSeries(files).get(0);
        assertThat(r.bval()).isEqualTo("0 1000 1000 1000 1000\n");
        assertThat(r.bvec()).isEqualTo("0 1 0 0 0.6\n0 0 -1 0 -0.8\n0 0 0 1 0\n");
    }

    @Test
    void sidecarCarriesAcquisitionFieldsInBidsUnits() throws Exception {
        TestDicom.Slice s = new TestDicom.Slice();
        NiftiResult r = NiftiConverter.convertSeries(List.of(s.write(dir.resolve("a.dcm")))).get(0);
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.sidecarJson());
        assertThat(j.get("EchoTime").asDouble()).isEqualTo(0.03);
        assertThat(j.get("RepetitionTime").asDouble()).isEqualTo(2.0);
        assertThat(j.get("AcquisitionTime").asText()).isEqualTo("10:15:00.250000");
        assertThat(j.get("SeriesNumber").asInt()).isEqualTo(3);
        assertThat(j.get("Modality").asText()).isEqualTo("MR");
        assertThat(j.get("ImageType").get(2).asText()).isEqualTo("M");
        assertThat(j.get("ConversionSoftware").asText()).isEqualTo("medlake-nifti");
        assertThat(r.bval()).isNull();
    }
}
