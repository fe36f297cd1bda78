package org.medlake.curation.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;
import org.medlake.curation.classify.SeriesFeatures.Feature;

/** Feature extraction from classic and enhanced headers, and from maps. */
class SeriesFeaturesTest {

    @Test
    void classicHeadersGiveMediansCountsAndUpperCasedCodes() {
        Headers h = Headers.series("mr").slices(10).repeats(3, true)
                .set(Tags.SCANNING_SEQUENCE, "gr").set(TagFromName.SeriesDescription, "  my series ")
                .each((s, r, l) -> Headers.put(l, Tags.REPETITION_TIME, s == 0 ? "9000" : "2000"));
        SeriesFeatures f = SeriesFeatures.from(h.build());
        assertThat(f.modality()).isEqualTo("MR");
        assertThat(f.seriesInstanceUid()).isEqualTo(h.seriesUid());
        assertThat(f.texts(Feature.SCANNING_SEQUENCE)).containsExactly("GR");
        assertThat(f.number(Feature.REPETITION_TIME)).isEqualTo(2000.0);
        assertThat(f.instanceCount()).isEqualTo(30);
        assertThat(f.number(Feature.DISTINCT_POSITIONS)).isEqualTo(10.0);
        assertThat(f.number(Feature.REPEATS_PER_POSITION)).isEqualTo(3.0);
        assertThat(f.number(Feature.TEMPORAL_POSITIONS)).isEqualTo(3.0);
        assertThat(f.text(Feature.DESCRIPTION)).isEqualTo("MY SERIES");
        assertThat(f.get(Feature.ECHO_TIME)).as("absent, not defaulted").isNull();
    }

    @Test
    void vendorBValuesAreFoundThroughTheirPrivateCreators() {
        Headers ge = Headers.series("MR").slices(2).each((s, r, l) ->
                Headers.putPrivate(l, Tags.GE_B_VALUE, "IS".getBytes(), s == 0 ? "0" : "1000001000"));
        assertThat(SeriesFeatures.from(ge.build()).numbers(Feature.B_VALUES)).containsExactly(0.0, 1000.0);

        Headers philips = Headers.series("MR").each((s, r, l) ->
                Headers.putPrivate(l, Tags.PHILIPS_B_VALUE, "FL".getBytes(), "700"));
        assertThat(SeriesFeatures.from(philips.build()).number(Feature.MAX_B_VALUE)).isEqualTo(700.0);

        Headers siemensName = Headers.series("MR").set(Tags.SEQUENCE_NAME, "*ep_b1500t");
        assertThat(SeriesFeatures.from(siemensName.build()).number(Feature.MAX_B_VALUE)).isEqualTo(1500.0);
    }

    @Test
    void privateValueUnderAnotherCreatorIsIgnored() {
        Headers h = Headers.series("MR").each((s, r, l) -> {
            Headers.putPrivate(l, new Tags.PrivateTag(Tags.SIEMENS_B_VALUE.group(), "SOMEONE ELSE", 0x0C, "other"),
                    "IS".getBytes(), "1000");
        });
        assertThat(SeriesFeatures.from(h.build()).get(Feature.B_VALUES)).isNull();
    }

    @Test
    void enhancedMultiFrameFunctionalGroupsAreRead() throws Exception {
        AttributeList l = new AttributeList();
        Headers.put(l, TagFromName.Modality, "MR");
        Headers.put(l, TagFromName.SeriesInstanceUID, "1.2.3");
        Headers.put(l, TagFromName.NumberOfFrames, "4");
        Headers.put(l, Tags.ECHO_PULSE_SEQUENCE, "GRADIENT");
        Headers.put(l, Tags.ECHO_PLANAR_PULSE_SEQUENCE, "YES");
        SequenceAttribute shared = new SequenceAttribute(Tags.SHARED_FUNCTIONAL_GROUPS);
        AttributeList sharedItem = new AttributeList();
        sharedItem.put(Headers.sequenceOf(Tags.MR_TIMING_SEQUENCE,
                Headers.item(Tags.REPETITION_TIME, "3000", Tags.FLIP_ANGLE, "90")));
        sharedItem.put(Headers.sequenceOf(Tags.MR_ECHO_SEQUENCE, Headers.item(Tags.EFFECTIVE_ECHO_TIME, "80")));
        sharedItem.put(Headers.sequenceOf(Tags.PLANE_ORIENTATION_SEQUENCE,
                Headers.item(TagFromName.ImageOrientationPatient, "1\\0\\0\\0\\1\\0")));
        shared.addItem(sharedItem);
        l.put(shared);
        SequenceAttribute perFrame = new SequenceAttribute(Tags.PER_FRAME_FUNCTIONAL_GROUPS);
        for (int i = 0; i < 4; i++) {
            AttributeList frame = new AttributeList();
            frame.put(Headers.sequenceOf(Tags.MR_DIFFUSION_SEQUENCE, Headers.item(Tags.DIFFUSION_B_VALUE,
                    i < 2 ? "0" : "1000", Tags.DIFFUSION_DIRECTIONALITY, i < 2 ? "NONE" : "DIRECTIONAL")));
            frame.put(Headers.sequenceOf(Tags.PLANE_POSITION_SEQUENCE,
                    Headers.item(TagFromName.ImagePositionPatient, "0\\0\\" + (i % 2) * 5)));
            frame.put(Headers.sequenceOf(Tags.MR_IMAGE_FRAME_TYPE_SEQUENCE,
                    Headers.item(Tags.FRAME_TYPE, "ORIGINAL\\PRIMARY\\DIFFUSION\\NONE", Tags.ACQUISITION_CONTRAST, "DIFFUSION")));
            perFrame.addItem(frame);
        }
        l.put(perFrame);

        SeriesFeatures f = SeriesFeatures.from(List.of(l));
        assertThat(f.get(Feature.ENHANCED)).isEqualTo(true);
        assertThat(f.number(Feature.REPETITION_TIME)).isEqualTo(3000.0);
        assertThat(f.number(Feature.ECHO_TIME)).isEqualTo(80.0);
        assertThat(f.numbers(Feature.B_VALUES)).containsExactly(0.0, 1000.0);
        assertThat(f.texts(Feature.DIFFUSION_DIRECTIONALITY)).contains("DIRECTIONAL");
        assertThat(f.texts(Feature.IMAGE_TYPE)).contains("DIFFUSION");
        assertThat(f.texts(Feature.ACQUISITION_CONTRAST)).containsExactly("DIFFUSION");
        assertThat(f.texts(Feature.SCANNING_SEQUENCE)).containsExactly("GR", "EP");
        assertThat(f.number(Feature.FRAME_COUNT)).isEqualTo(4.0);
        assertThat(f.number(Feature.DISTINCT_POSITIONS)).isEqualTo(2.0);
        assertThat(SeriesClassifier.withDefaults().classify(f).seriesType()).isEqualTo("DWI");
    }

    @Test
    void fromMapCoercesAndDerives() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("series_instance_uid", "1.2.3");
        m.put("modality", "MR");
        m.put("b_values", List.of(0, "1000"));
        m.put("image_type", "original");
        m.put("echo_time", "90");
        m.put("series_description", "dwi");
        m.put("asl_attributes", "false");
        m.put("kvp", null);
        SeriesFeatures f = SeriesFeatures.fromMap(m);
        assertThat(f.number(Feature.MAX_B_VALUE)).isEqualTo(1000.0);
        assertThat(f.texts(Feature.IMAGE_TYPE)).containsExactly("ORIGINAL");
        assertThat(f.text(Feature.DESCRIPTION)).isEqualTo("DWI");
        assertThat(f.get(Feature.KVP)).isNull();
        assertThat(SeriesFeatures.fromMap(f.asMap())).isEqualTo(f);
        assertThat(SeriesClassifier.withDefaults().classify(f).seriesType()).isEqualTo("DWI");
    }

    @Test
    void fromMapRejectsUnknownNamesAndWrongTypes() {
        assertThatThrownBy(() -> SeriesFeatures.fromMap(Map.of("bvalue", 1))).isInstanceOf(CurationException.class)
                .hasMessageContaining("Unknown series feature 'bvalue'")
                .satisfies(e -> assertThat(((CurationException) e).code()).isEqualTo(ErrorCode.CURATION_BAD_ARGUMENT));
        assertThatThrownBy(() -> SeriesFeatures.fromMap(Map.of("echo_time", "long"))).isInstanceOf(CurationException.class)
                .hasMessageContaining("'echo_time'").hasMessageContaining("NUMBER");
    }

    @Test
    void emptyHeaderListIsRejected() {
        assertThatThrownBy(() -> SeriesFeatures.from(List.of())).isInstanceOf(CurationException.class)
                .hasMessageContaining("empty");
    }
}
