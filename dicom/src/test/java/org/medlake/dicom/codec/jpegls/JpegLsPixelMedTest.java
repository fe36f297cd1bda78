package org.medlake.dicom.codec.jpegls;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.display.SourceImage;
import java.awt.image.Raster;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PixelMed decodes JPEG-LS Pixel Data built by the test encoder, without the corpus: signed 16-bit data (the reader
 * returns the raw bit pattern, PixelMed applies Pixel Representation), 8-bit grey and RGB, single and multi-frame.
 */
class JpegLsPixelMedTest {

    private static AttributeList list(int rows, int cols, int spp, int bits, boolean signed, byte[][] frames)
            throws Exception {
        AttributeList l = new AttributeList();
        put(l, TagFromName.TransferSyntaxUID, TransferSyntax.JPEGLS);
        put(l, TagFromName.SOPClassUID, SOPClass.SecondaryCaptureImageStorage);
        put(l, TagFromName.SOPInstanceUID, "1.2.3.4");
        put(l, TagFromName.Rows, Integer.toString(rows));
        put(l, TagFromName.Columns, Integer.toString(cols));
        put(l, TagFromName.SamplesPerPixel, Integer.toString(spp));
        put(l, TagFromName.PhotometricInterpretation, spp == 3 ? "RGB" : "MONOCHROME2");
        if (spp == 3) {
            put(l, TagFromName.PlanarConfiguration, "0");
        }
        int allocated = bits > 8 ? 16 : 8;
        put(l, TagFromName.BitsAllocated, Integer.toString(allocated));
        put(l, TagFromName.BitsStored, Integer.toString(bits));
        put(l, TagFromName.HighBit, Integer.toString(bits - 1));
        put(l, TagFromName.PixelRepresentation, signed ? "1" : "0");
        put(l, TagFromName.NumberOfFrames, Integer.toString(frames.length));
        l.put(new OtherByteAttributeMultipleCompressedFrames(TagFromName.PixelData, frames));
        return l;
    }

    private static void put(AttributeList l, AttributeTag tag, String value) throws Exception {
        l.putNewAttribute(tag).addValue(value);
    }

    @Test
    void signedSixteenBitFramesKeepTheirStoredValues() throws Exception {
        int rows = 48, cols = 40;
        short[][] stored = new short[2][rows * cols];
        byte[][] frames = new byte[2][];
        for (int f = 0; f < 2; f++) {
            int[] raw = new int[rows * cols];
            for (int i = 0; i < raw.length; i++) {
                int v = (int) (1800 * Math.sin(i * 0.01 + f)) - (i % 97 == 0 ? 1024 : 0); // CT-like, negative too
                stored[f][i] = (short) v;
                raw[i] = v & 0xFFFF; // JPEG-LS codes the bit pattern as unsigned
            }
            frames[f] = new JpegLsTestEncoder().encode(raw, cols, rows, 1, 16);
        }
        SourceImage img = new SourceImage(list(rows, cols, 1, 16, true, frames));
        assertThat(img.isSigned()).isTrue();
        assertThat(img.getNumberOfFrames()).isEqualTo(2);
        for (int f = 0; f < 2; f++) {
            Raster r = img.getBufferedImage(f).getRaster();
            int[] px = r.getPixels(0, 0, cols, rows, (int[]) null);
            for (int i = 0; i < px.length; i++) {
                // whatever the raster's data type, its 16 bits are the stored value
                assertThat((short) px[i]).as("frame %d sample %d", f, i).isEqualTo(stored[f][i]);
            }
        }
    }

    @Test
    void attributeListDecompressesWhileReading(@TempDir Path dir) throws Exception {
        int rows = 30, cols = 20;
        int[] raw = JpegLsRoundTripTest.image("smooth", cols, rows, 1, 12, 9);
        AttributeList l = list(rows, cols, 1, 12, false,
                new byte[][] {new JpegLsTestEncoder().near(0).encode(raw, cols, rows, 1, 12)});
        put(l, TagFromName.MediaStorageSOPClassUID, SOPClass.SecondaryCaptureImageStorage);
        put(l, TagFromName.MediaStorageSOPInstanceUID, "1.2.3.4");
        Path f = dir.resolve("jls.dcm");
        l.write(f.toFile(), TransferSyntax.JPEGLS, true, true);

        AttributeList back = new AttributeList();
        back.read(f.toFile()); // decompresses Pixel Data by default
        short[] values = back.getPixelData().getShortValues();
        assertThat(values).hasSize(raw.length);
        for (int i = 0; i < raw.length; i++) {
            assertThat(values[i] & 0xFFFF).isEqualTo(raw[i]);
        }
    }

    @Test
    void eightBitGreyAndRgb() throws Exception {
        int rows = 25, cols = 31;
        int[] grey = JpegLsRoundTripTest.image("edges", cols, rows, 1, 8, 4);
        SourceImage g = new SourceImage(list(rows, cols, 1, 8, false,
                new byte[][] {new JpegLsTestEncoder().encode(grey, cols, rows, 1, 8)}));
        assertThat(JpegLsRoundTripTest.pixels(g.getBufferedImage(0).getRaster())).isEqualTo(grey);

        for (int ilv = 0; ilv <= 2; ilv++) {
            int[] rgb = JpegLsRoundTripTest.image("smooth", cols, rows, 3, 8, ilv);
            SourceImage c = new SourceImage(list(rows, cols, 3, 8, false,
                    new byte[][] {new JpegLsTestEncoder().interleave(ilv).encode(rgb, cols, rows, 3, 8)}));
            assertThat(JpegLsRoundTripTest.pixels(c.getBufferedImage(0).getRaster())).as("ILV %d", ilv).isEqualTo(rgb);
        }
    }
}
