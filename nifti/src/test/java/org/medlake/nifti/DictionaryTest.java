package org.medlake.nifti;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

/** The fast keyword/VR lookup must agree with PixelMed's DicomDictionary on every standard element. */
class DictionaryTest {
    @Test
    void agreesWithPixelMedsDictionary() {
        DicomDictionary d = DicomDictionary.StandardDictionary;
        int checked = 0;
        for (Iterator<?> it = d.getTagIterator(); it.hasNext(); ) {
            AttributeTag tag = (AttributeTag) it.next();
            String keyword = d.getNameFromTag(tag);
            if (keyword == null || tag.getGroup() % 2 == 1) {
                continue;
            }
            assertThat(Dictionary.tag(keyword)).as(keyword).isEqualTo(d.getTagFromName(keyword));
            byte[] vr = d.getValueRepresentationFromTag(tag);
            if (vr != null && vr.length == 2) {
                assertThat(Dictionary.vr(tag)).as("VR of " + keyword).isEqualTo(new String(vr, StandardCharsets.US_ASCII));
            }
            checked++;
        }
        assertThat(checked).isGreaterThan(4000);
        assertThat(Tags.EFFECTIVE_ECHO_TIME).isEqualTo(d.getTagFromName("EffectiveEchoTime"));
    }
}
