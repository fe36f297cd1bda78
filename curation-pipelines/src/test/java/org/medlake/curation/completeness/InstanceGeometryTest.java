package org.medlake.curation.completeness;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstanceGeometryTest {
    static void put(AttributeList l, AttributeTag tag, String... values) throws Exception {
        Attribute a = l.putNewAttribute(tag);
        for (String v : values) {
            a.addValue(v);
        }
    }

    static AttributeList item(AttributeTag tag, String... values) throws Exception {
        AttributeList l = new AttributeList();
        put(l, tag, values);
        return l;
    }

    static SequenceAttribute sequence(AttributeTag tag, AttributeList... items) {
        SequenceAttribute sq = new SequenceAttribute(tag);
        for (AttributeList i : items) {
            sq.addItem(i);
        }
        return sq;
    }

    @Test
    void classicHeader() throws Exception {
        AttributeList l = new AttributeList();
        put(l, TagFromName.SOPInstanceUID, "1.2.3");
        put(l, TagFromName.InstanceNumber, "7");
        put(l, TagFromName.Modality, "MR");
        put(l, TagFromName.ImagePositionPatient, "-10", "20.5", "30");
        put(l, TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "1", "0");
        put(l, TagFromName.PixelSpacing, "0.9", "0.8");
        put(l, TagFromName.Rows, "4");
        put(l, TagFromName.Columns, "2");
        put(l, TagFromName.EchoNumbers, "2");
        put(l, TagFromName.AcquisitionNumber, "3");
        put(l, DicomAttrs.TEMPORAL_POSITION_IDENTIFIER, "5");
        put(l, DicomAttrs.NUMBER_OF_TEMPORAL_POSITIONS, "9");
        put(l, DicomAttrs.IMAGES_IN_ACQUISITION, "44");
        OtherWordAttribute px = new OtherWordAttribute(TagFromName.PixelData);
        px.setValues(new short[] {1, 2, 3, 4, 5, 6, 7, 8});
        l.put(px);
        InstanceGeometry g = InstanceGeometry.from(l);
        assertThat(g.sopInstanceUid()).isEqualTo("1.2.3");
        assertThat(g.instanceNumber()).isEqualTo(7);
        assertThat(g.position()).containsExactly(-10, 20.5, 30);
        assertThat(g.orientation()).containsExactly(1, 0, 0, 0, 1, 0);
        assertThat(g.pixelSpacing()).containsExactly(0.9, 0.8);
        assertThat(g.rows()).isEqualTo(4);
        assertThat(g.columns()).isEqualTo(2);
        assertThat(g.frames()).isEqualTo(1);
        assertThat(g.echoNumber()).isEqualTo(2);
        assertThat(g.temporalPosition()).isEqualTo(5);
        assertThat(g.acquisitionNumber()).isEqualTo(3);
        assertThat(g.numberOfTemporalPositions()).isEqualTo(9);
        assertThat(g.imagesInAcquisition()).isEqualTo(44);
        assertThat(g.contentHash()).hasSize(64);
        assertThat(g.contentKey()).contains(g.contentHash());
        assertThat(g.perFrame()).isEmpty();
    }

    @Test
    void enhancedMultiFrameReadsPerFrameAndSharedGroups() throws Exception {
        AttributeList l = new AttributeList();
        put(l, TagFromName.SOPInstanceUID, "1.2.4");
        put(l, TagFromName.Modality, "MR");
        put(l, TagFromName.NumberOfFrames, "3");
        put(l, TagFromName.Rows, "8");
        put(l, TagFromName.Columns, "8");
        AttributeList shared = new AttributeList();
        shared.put(sequence(TagFromName.PlaneOrientationSequence,
                item(TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "1", "0")));
        shared.put(sequence(TagFromName.PixelMeasuresSequence, item(TagFromName.PixelSpacing, "2", "2")));
        l.put(sequence(TagFromName.SharedFunctionalGroupsSequence, shared));
        AttributeList[] frames = new AttributeList[3];
        for (int i = 0; i < 3; i++) {
            frames[i] = new AttributeList();
            frames[i].put(sequence(TagFromName.PlanePositionSequence,
                    item(TagFromName.ImagePositionPatient, "0", "0", Double.toString(4.0 * i))));
            AttributeList content = item(TagFromName.TemporalPositionIndex, "1");
            put(content, TagFromName.StackID, "1");
            frames[i].put(sequence(TagFromName.FrameContentSequence, content));
            frames[i].put(sequence(TagFromName.MREchoSequence, item(DicomAttrs.EFFECTIVE_ECHO_TIME, "30")));
        }
        l.put(sequence(TagFromName.PerFrameFunctionalGroupsSequence, frames));
        InstanceGeometry g = InstanceGeometry.from(l);
        assertThat(g.frames()).isEqualTo(3);
        assertThat(g.perFrame()).hasSize(3);
        assertThat(g.perFrame().get(2).position()).containsExactly(0, 0, 8);
        assertThat(g.perFrame().get(1).orientation()).containsExactly(1, 0, 0, 0, 1, 0);
        assertThat(g.perFrame().get(0).effectiveEchoTime()).isEqualTo(30.0);
        assertThat(g.perFrame().get(0).stackId()).isEqualTo("1");
        assertThat(g.position()).containsExactly(0, 0, 0);
        assertThat(g.pixelSpacing()).containsExactly(2, 2);
        assertThat(g.contentHash()).isNull();
        CompletenessReport r = CompletenessChecker.check(List.of(g), null);
        assertThat(r.status()).isEqualTo(CompletenessStatus.COMPLETE);
        assertThat(r.slicePositions()).isEqualTo(3);
        assertThat(r.sliceSpacing()).isEqualTo(4.0);
    }
}
