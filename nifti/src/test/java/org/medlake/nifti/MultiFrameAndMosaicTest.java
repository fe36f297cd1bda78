package org.medlake.nifti;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.AttributeTagAttribute;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Enhanced multi-frame MR ordered by dimension index, and Siemens mosaics unpacked, on synthetic files. */
class MultiFrameAndMosaicTest {
    @TempDir
    Path dir;

    private static final TestDicom.Slice BASE = new TestDicom.Slice();

    private static AttributeList item(AttributeTag tag, String... values) throws Exception {
        AttributeList l = new AttributeList();
        TestDicom.put(l, tag, values);
        return l;
    }

    /**
     * An enhanced MR with 3 slices × 2 temporal positions whose frames are stored shuffled: only
     * DimensionIndexValues (stack, in-stack position, temporal index) say where each belongs.
     */
    @Test
    void enhancedFramesAreOrderedByDimensionIndex() throws Exception {
        int rows = 4, cols = 5;
        List<int[]> frames = new ArrayList<>(); // {z, t}
        for (int t = 0; t < 2; t++) {
            for (int z = 0; z < 3; z++) {
                frames.add(new int[] {z, t});
            }
        }
        Collections.shuffle(frames, new java.util.Random(3));
        AttributeList l = new AttributeList();
        TestDicom.put(l, TagFromName.SOPClassUID, SOPClass.EnhancedMRImageStorage);
        TestDicom.put(l, TagFromName.SOPInstanceUID, TestDicom.uid());
        TestDicom.put(l, TagFromName.SeriesInstanceUID, TestDicom.uid());
        TestDicom.put(l, TagFromName.Modality, "MR");
        TestDicom.put(l, TagFromName.Manufacturer, "ACME");
        TestDicom.put(l, TagFromName.SeriesNumber, "7");
        TestDicom.put(l, TagFromName.SeriesDescription, "enh");
        TestDicom.put(l, TagFromName.InstanceNumber, "1");
        TestDicom.put(l, TagFromName.ImageType, "ORIGINAL", "PRIMARY", "M", "NONE");
        TestDicom.put(l, TagFromName.NumberOfFrames, Integer.toString(frames.size()));
        TestDicom.put(l, TagFromName.Rows, Integer.toString(rows));
        TestDicom.put(l, TagFromName.Columns, Integer.toString(cols));
        TestDicom.put(l, TagFromName.SamplesPerPixel, "1");
        TestDicom.put(l, TagFromName.PhotometricInterpretation, "MONOCHROME2");
        TestDicom.put(l, TagFromName.BitsAllocated, "16");
        TestDicom.put(l, TagFromName.BitsStored, "12");
        TestDicom.put(l, TagFromName.HighBit, "11");
        TestDicom.put(l, TagFromName.PixelRepresentation, "0");
        List<AttributeList> dims = new ArrayList<>();
        for (AttributeTag p : List.of(TagFromName.StackID, TagFromName.InStackPositionNumber, TagFromName.TemporalPositionIndex)) {
            AttributeList d = new AttributeList();
            AttributeTagAttribute at = new AttributeTagAttribute(TagFromName.DimensionIndexPointer);
            at.addValue(p);
            d.put(at);
            dims.add(d);
        }
        l.put(TestDicom.seq(TagFromName.DimensionIndexSequence, dims.toArray(new AttributeList[0])));
        AttributeList shared = new AttributeList();
        AttributeList measures = item(TagFromName.PixelSpacing, "0.5", "0.8");
        TestDicom.put(measures, TagFromName.SliceThickness, "2");
        shared.put(TestDicom.seq(TagFromName.PixelMeasuresSequence, measures));
        shared.put(TestDicom.seq(TagFromName.PlaneOrientationSequence, item(TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "1", "0")));
        AttributeList pvt = item(TagFromName.RescaleSlope, "1");
        TestDicom.put(pvt, TagFromName.RescaleIntercept, "0");
        shared.put(TestDicom.seq(TagFromName.PixelValueTransformationSequence, pvt));
        l.put(TestDicom.seq(TagFromName.SharedFunctionalGroupsSequence, shared));
        List<AttributeList> perFrame = new ArrayList<>();
        short[] px = new short[frames.size() * rows * cols];
        for (int f = 0; f < frames.size(); f++) {
            int z = frames.get(f)[0], t = frames.get(f)[1];
            AttributeList pf = new AttributeList();
            AttributeList content = item(TagFromName.DimensionIndexValues, "1", Integer.toString(z + 1), Integer.toString(t + 1));
            TestDicom.put(content, TagFromName.InStackPositionNumber, Integer.toString(z + 1));
            TestDicom.put(content, TagFromName.TemporalPositionIndex, Integer.toString(t + 1));
            TestDicom.put(content, TagFromName.StackID, "1");
            pf.put(TestDicom.seq(TagFromName.FrameContentSequence, content));
            pf.put(TestDicom.seq(TagFromName.PlanePositionSequence, item(TagFromName.ImagePositionPatient, "0", "0", Double.toString(2.5 * z))));
            perFrame.add(pf);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    px[f * rows * cols + r * cols + c] = (short) (100 * t + 10 * z + r);
                }
            }
        }
        l.put(TestDicom.seq(TagFromName.PerFrameFunctionalGroupsSequence, perFrame.toArray(new AttributeList[0])));
        OtherWordAttribute pd = new OtherWordAttribute(TagFromName.PixelData);
        pd.setValues(px);
        l.put(pd);
        Path file = dir.resolve("enh.dcm");
        FileMetaInformation.addFileMetaInformation(l, TransferSyntax.ExplicitVRLittleEndian, "MEDLAKE");
        l.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);

        NiftiResult r = NiftiConverter.convertSeries(List.of(file)).get(0);
        assertThat(r.dims()).containsExactly(5, 4, 3, 2);
        for (int t = 0; t < 2; t++) {
            for (int z = 0; z < 3; z++) {
                assertThat(r.value(t * 60 + z * 20)).as("t=%d z=%d", t, z).isEqualTo(100 * t + 10 * z + 3);
            }
        }
        double[][] s = r.header().srow();
        assertThat(s[2][2]).isCloseTo(2.5, within(1e-6));
        // voxel (0,0,0) is DICOM row 3 of slice z=0: LPS (0, 3*0.5, 0) -> RAS (0, -1.5, 0)
        assertThat(s[1][3]).isCloseTo(-1.5, within(1e-6));
        assertThat(s[0][0]).isCloseTo(-0.8, within(1e-6));
    }

    /** SV10 CSA header bytes holding the given fields (each one string value). */
    static byte[] csa(Map<String, String[]> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put("SV10".getBytes(StandardCharsets.US_ASCII)).put(new byte[] {4, 3, 2, 1}).putInt(fields.size()).putInt(77);
        for (Map.Entry<String, String[]> e : fields.entrySet()) {
            byte[] name = new byte[64];
            byte[] n = e.getKey().getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(n, 0, name, 0, n.length);
            b.put(name).putInt(e.getValue().length).put(new byte[] {'D', 'S', 0, 0}).putInt(3).putInt(e.getValue().length).putInt(77);
            for (String v : e.getValue()) {
                byte[] d = (v + "\0").getBytes(StandardCharsets.US_ASCII);
                b.putInt(d.length).putInt(d.length).putInt(77).putInt(d.length).put(d);
                b.put(new byte[(4 - d.length % 4) % 4]);
            }
        }
        out.write(b.array(), 0, b.position());
        return out.toByteArray();
    }

    /**
     * A Siemens mosaic of 3 tiles (3×4 each) in a 2×2 grid. The expected first-tile position follows the Siemens
     * convention: the mosaic's ImagePositionPatient is where the first tile's corner would be if the tile had the
     * mosaic's size and the same centre, i.e. first tile = IPP + ((6−3)/2 rows)·ΔY·col + ((8−4)/2 columns)·ΔX·row.
     */
    @Test
    void mosaicTilesBecomeSlicesAlongTheCsaNormal() throws Exception {
        for (int sign : new int[] {1, -1}) {
            TestDicom.Slice s = new TestDicom.Slice();
            s.rows = 6;
            s.columns = 8;
            double[] tile0 = {10, 20, 30};
            double dx = 0.8, dy = 0.5;
            s.ipp = new double[] {tile0[0] - 2 * dx, tile0[1] - 1.5 * dy, tile0[2]};
            s.pixel = (r, c) -> {
                int k = (r / 3) * 2 + c / 4;
                return k < 3 ? 100 * k + 10 * (r % 3) + c % 4 : 0;
            };
            AttributeList l = s.list();
            l.remove(TagFromName.Manufacturer);
            TestDicom.put(l, TagFromName.Manufacturer, "SIEMENS");
            TestDicom.put(l, TagFromName.ImageType, "ORIGINAL", "PRIMARY", "M", "ND", "MOSAIC");
            TestDicom.put(l, TagFromName.SpacingBetweenSlices, "3");
            com.pixelmed.dicom.LongStringAttribute creator = new com.pixelmed.dicom.LongStringAttribute(new AttributeTag(0x0029, 0x0010));
            creator.addValue("SIEMENS CSA HEADER");
            l.put(creator);
            OtherByteAttribute csaAttr = new OtherByteAttribute(new AttributeTag(0x0029, 0x1010));
            csaAttr.setValues(csa(Map.of("NumberOfImagesInMosaic", new String[] {"3"},
                    "SliceNormalVector", new String[] {"0", "0", Integer.toString(sign)},
                    "MosaicRefAcqTimes", new String[] {"0", "100", "50"})));
            l.put(csaAttr);
            Path file = dir.resolve("mosaic" + sign + ".dcm");
            FileMetaInformation.addFileMetaInformation(l, TransferSyntax.ExplicitVRLittleEndian, "MEDLAKE");
            l.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);

            NiftiResult r = NiftiConverter.convertSeries(List.of(file)).get(0);
            assertThat(r.dims()).containsExactly(4, 3, 3);
            for (int k = 0; k < 3; k++) {
                // tile order is kept; voxel (0,0,k) is the tile's last row (2)
                assertThat(r.value(k * 12)).isEqualTo(100 * k + 20);
            }
            double[][] m = r.header().srow();
            assertThat(m[2][2]).as("slice axis follows the CSA normal").isCloseTo(3.0 * sign, within(1e-6));
            // voxel (0,0,0): tile 0, row 2 -> LPS tile0 + 2*dy*col -> RAS
            assertThat(m[0][3]).isCloseTo(-tile0[0], within(1e-4));
            assertThat(m[1][3]).isCloseTo(-(tile0[1] + 2 * dy), within(1e-4));
            assertThat(m[2][3]).isCloseTo(tile0[2], within(1e-4));
            com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.sidecarJson());
            assertThat(j.get("SliceTiming").toString()).isEqualTo("[0,0.1,0.05]");
        }
    }
}
