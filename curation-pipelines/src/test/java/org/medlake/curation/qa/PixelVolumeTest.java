package org.medlake.curation.qa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TagFromName;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;

class PixelVolumeTest {
    static void put(AttributeList l, AttributeTag tag, String... values) throws Exception {
        Attribute a = l.putNewAttribute(tag);
        for (String v : values) {
            a.addValue(v);
        }
    }

    static AttributeList image(int rows, int cols, int frames, int bitsAllocated, int bitsStored, boolean signed)
            throws Exception {
        AttributeList l = new AttributeList();
        put(l, TagFromName.Rows, Integer.toString(rows));
        put(l, TagFromName.Columns, Integer.toString(cols));
        put(l, TagFromName.BitsAllocated, Integer.toString(bitsAllocated));
        put(l, TagFromName.BitsStored, Integer.toString(bitsStored));
        put(l, TagFromName.PixelRepresentation, signed ? "1" : "0");
        put(l, TagFromName.SamplesPerPixel, "1");
        if (frames > 1) {
            put(l, TagFromName.NumberOfFrames, Integer.toString(frames));
        }
        return l;
    }

    @Test
    void signedMultiFrameWithRescale() throws Exception {
        AttributeList l = image(2, 2, 3, 16, 12, true);
        put(l, TagFromName.RescaleSlope, "2");
        put(l, TagFromName.RescaleIntercept, "-10");
        OtherWordAttribute px = new OtherWordAttribute(TagFromName.PixelData);
        px.setValues(new short[] {-5, 0, 5, 2047, 1, 1, 1, 1, -2048, -3000, 3000, 0});
        l.put(px);
        PixelVolume v = PixelVolume.from(l);
        assertThat(v.frameCount()).isEqualTo(3);
        assertThat(v.frame(0)).containsExactly(-20f, -10f, 0f, 4084f);
        assertThat(v.frame(1)).containsExactly(-8f, -8f, -8f, -8f);
        assertThat(v.outOfRange(2)).isEqualTo(2); // -3000 and 3000 overflow 12-bit signed
        assertThat(v.atMax(0)).isEqualTo(1); // 2047
        assertThat(v.storedMin()).isEqualTo(-3000);
        assertThat(v.signed()).isTrue();
        assertThat(QaMetrics.blankFrameFraction(v.frames())).isCloseTo(1 / 3.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void unsignedSixteenBitAboveShortRange() throws Exception {
        AttributeList l = image(1, 2, 1, 16, 16, false);
        OtherWordAttribute px = new OtherWordAttribute(TagFromName.PixelData);
        px.setValues(new short[] {(short) 65535, (short) 40000});
        l.put(px);
        PixelVolume v = PixelVolume.from(l);
        assertThat(v.frame(0)).containsExactly(65535f, 40000f);
        assertThat(v.outOfRange(0)).isZero();
        assertThat(v.atMax(0)).isEqualTo(1);
    }

    @Test
    void eightBitRgbIsReducedToMean() throws Exception {
        AttributeList l = image(1, 2, 1, 8, 8, false);
        put(l, TagFromName.SamplesPerPixel, "3");
        put(l, TagFromName.PlanarConfiguration, "0");
        OtherByteAttribute px = new OtherByteAttribute(TagFromName.PixelData);
        px.setValues(new byte[] {30, 60, 90, (byte) 255, (byte) 255, (byte) 255});
        l.put(px);
        PixelVolume v = PixelVolume.from(l);
        assertThat(v.frame(0)).containsExactly(60f, 255f);
    }

    @Test
    void noPixelDataIsABadArgument() throws Exception {
        AttributeList l = image(2, 2, 1, 16, 12, false);
        assertThatThrownBy(() -> PixelVolume.from(l)).isInstanceOf(CurationException.class)
                .hasMessageContaining("no PixelData")
                .extracting(e -> ((CurationException) e).code()).isEqualTo(ErrorCode.CURATION_BAD_ARGUMENT);
    }

    @Test
    void concatKeepsPerFrameCounts() {
        PixelVolume a = PixelVolume.fromStored(1, 2, List.of(new int[] {0, 4095}), 12, false, 1, 0);
        PixelVolume b = PixelVolume.fromStored(1, 2, List.of(new int[] {5000, 1}), 12, false, 1, 0);
        PixelVolume c = PixelVolume.concat(List.of(a, b));
        assertThat(c.frameCount()).isEqualTo(2);
        assertThat(c.atMax(0)).isEqualTo(1);
        assertThat(c.outOfRange(1)).isEqualTo(1);
        assertThat(c.frameAt(1).outOfRange(0)).isEqualTo(1);
        PixelVolume d = PixelVolume.fromStored(2, 1, List.of(new int[] {0, 1}), 12, false, 1, 0);
        assertThatThrownBy(() -> PixelVolume.concat(List.of(a, d))).hasMessageContaining("mixed matrix");
    }
}
