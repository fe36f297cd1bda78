package org.medlake.deid;

import com.pixelmed.dicom.TagFromName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medlake.deid.DeidException;
import org.medlake.deid.DeidException.ErrorCode;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeidProfileTest {

    @Test
    void builtInProfileCoversTheCommonIdentifiers() {
        DeidProfile p = DeidProfile.builtIn();
        assertThat(p.name()).isEqualTo("medlake-deid");
        assertThat(p.version()).isEqualTo("1");
        assertThat(p.rules()).hasSizeGreaterThanOrEqualTo(80);
        for (var tag : new com.pixelmed.dicom.AttributeTag[] {TagFromName.PatientName, TagFromName.PatientID,
                TagFromName.PatientBirthDate, TagFromName.OtherPatientIDs, TagFromName.OtherPatientIDsSequence,
                TagFromName.AccessionNumber, TagFromName.InstitutionName, TagFromName.InstitutionAddress,
                TagFromName.ReferringPhysicianName, TagFromName.OperatorsName, TagFromName.PatientAddress,
                TagFromName.PatientTelephoneNumbers, TagFromName.DeviceSerialNumber, TagFromName.StudyInstanceUID,
                TagFromName.ImageComments, TagFromName.AdditionalPatientHistory, TagFromName.ReferencedPatientSequence,
                TagFromName.RequestAttributesSequence, TagFromName.StudyDate}) {
            assertThat(p.rule(tag)).as(tag.toString()).isPresent();
        }
        assertThat(p.safePrivateCount()).isPositive();
        assertThat(p.isSafePrivate("gems_acqu_01", 0x9C)).isTrue();
    }

    @Test
    void basisCitesAnnexEWithOptionColumns() {
        DeidProfile p = DeidProfile.builtIn();
        assertThat(p.rule(TagFromName.PatientName).orElseThrow().basis())
                .isEqualTo("PS3.15 E.1-1 PatientName (0010,0010): Z");
        assertThat(p.rule(TagFromName.StudyDate).orElseThrow().basis()).isEqualTo("PS3.15 E.1-1 StudyDate (0008,0020): Z; "
                + "113106 Retain Longitudinal Temporal Information Full Dates Option: K; "
                + "113107 Retain Longitudinal Temporal Information Modified Dates Option: C");
        assertThat(p.rule(TagFromName.InstitutionName).orElseThrow().basis()).startsWith(
                "PS3.15 E.1-1 InstitutionName (0008,0080): X/Z/D; 113112");
    }

    @Test
    void overlayRepeatingGroupsMapToTheBaseRule() {
        assertThat(DeidProfile.builtIn().rule(new com.pixelmed.dicom.AttributeTag(0x6002, 0x3000)))
                .hasValueSatisfying(r -> assertThat(r.keyword()).isEqualTo("OverlayData"));
    }

    @Test
    void customProfileLoadsFromAFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.json");
        Files.writeString(f, "{\"profile\":\"site\",\"version\":\"7\",\"rules\":[{\"keyword\":\"PatientName\",\"kind\":\"name\","
                + "\"action\":\"X\"}],\"safePrivate\":{\"elements\":[{\"creator\":\"ACME\",\"element\":\"0x10\"}]}}");
        DeidProfile p = DeidProfile.load(f);
        assertThat(p.version()).isEqualTo("7");
        assertThat(p.rules()).hasSize(1);
        assertThat(p.isSafePrivate("ACME", 0x10)).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{not json|not valid JSON",
            "[]|not a JSON object",
            "{\"profile\":\"p\",\"version\":\"1\",\"rules\":[]}|no non-empty \"rules\"",
            "{\"version\":\"1\",\"rules\":[{}]}|\"profile\"",
            "{\"profile\":\"p\",\"version\":\"1\",\"rules\":[{\"keyword\":\"PatientNom\",\"kind\":\"name\",\"action\":\"Z\"}]}|rules[0] names keyword 'PatientNom'",
            "{\"profile\":\"p\",\"version\":\"1\",\"rules\":[{\"keyword\":\"PatientName\",\"kind\":\"name\",\"action\":\"Q\"}]}|rules[0].action is 'Q'",
            "{\"profile\":\"p\",\"version\":\"1\",\"rules\":[{\"keyword\":\"PatientName\",\"kind\":\"alien\",\"action\":\"Z\"}]}|rules[0].kind is 'alien'",
            "{\"profile\":\"p\",\"version\":\"1\",\"rules\":[{\"keyword\":\"PatientName\",\"kind\":\"name\",\"action\":\"Z\",\"options\":{\"999\":\"K\"}}]}|code '999'",
            "{\"profile\":\"p\",\"version\":\"1\",\"rules\":[{\"keyword\":\"PatientName\",\"kind\":\"name\",\"action\":\"Z\",\"options\":{\"113108\":\"X\"}}]}|only keep (K) or clean (C)",
            "{\"profile\":\"p\",\"version\":\"1\",\"rules\":[{\"keyword\":\"PatientName\",\"kind\":\"name\",\"action\":\"Z\"},{\"keyword\":\"PatientName\",\"kind\":\"name\",\"action\":\"Z\"}]}|a second time",
            "{\"profile\":\"p\",\"version\":\"1\",\"rules\":[{\"keyword\":\"PatientName\",\"kind\":\"name\",\"action\":\"Z\"}],\"safePrivate\":{\"elements\":[{\"creator\":\"A\",\"element\":\"0x1FF\"}]}}|is not a byte"})
    void malformedProfilesGiveClearConfigErrors(String json, String expected) {
        assertThatThrownBy(() -> DeidProfile.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "t.json"))
                .isInstanceOfSatisfying(DeidException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DEID_BAD_CONFIG);
                    assertThat(e.getMessage()).contains("t.json").contains(expected).contains("Fix:");
                });
    }

    @Test
    void missingProfileFileIsInputNotFound(@TempDir Path dir) {
        assertThatThrownBy(() -> DeidProfile.load(dir.resolve("nope.json")))
                .isInstanceOfSatisfying(DeidException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DEID_INPUT_NOT_FOUND));
    }
}
