package org.medlake.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.TagFromName;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ToolkitKeywords} gives PixelMed's own answers. */
class ToolkitKeywordsTest {
    @Test
    void everyKeywordReadFromTheFileHasTheTagPixelMedsDictionaryGives() {
        Map<String, AttributeTag> all = ToolkitKeywords.all();
        assertThat(all).hasSizeGreaterThan(3000);
        all.forEach((keyword, tag) ->
                assertThat(tag).as(keyword).isEqualTo(DicomDictionary.StandardDictionary.getTagFromName(keyword)));
    }

    @Test
    void keywordsMissingFromTagFromNameResolve() {
        assertThat(ToolkitKeywords.tag("KVP")).isEqualTo(DicomDictionary.StandardDictionary.getTagFromName("KVP"));
        assertThat(ToolkitKeywords.tag("CTDIvol").getGroup()).isEqualTo(TagFromName.SliceThickness.getGroup());
        assertThat(ToolkitKeywords.tag("PatientID")).isEqualTo(TagFromName.PatientID);
        assertThatThrownBy(() -> ToolkitKeywords.tag("NoSuchKeyword")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("NoSuchKeyword");
    }
}
