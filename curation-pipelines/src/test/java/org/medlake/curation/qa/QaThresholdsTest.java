package org.medlake.curation.qa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;

class QaThresholdsTest {
    @Test
    void bundledDefaultsJudgeByModality() {
        QaThresholds t = QaThresholds.defaults();
        assertThat(t.version()).isEqualTo(1);
        assertThat(t.judge("MR", "mr_snr", 25.0)).isEqualTo(QaStatus.PASS);
        assertThat(t.judge("mr", "mr_snr", 10.0)).isEqualTo(QaStatus.WARN);
        assertThat(t.judge("MR", "mr_snr", 5.0)).isEqualTo(QaStatus.FAIL);
        assertThat(t.judge("CT", "ct_air_hu", -1010.0)).isEqualTo(QaStatus.PASS);
        assertThat(t.judge("CT", "ct_air_hu", -950.0)).isEqualTo(QaStatus.WARN);
        assertThat(t.judge("CT", "ct_air_hu", -900.0)).isEqualTo(QaStatus.FAIL);
        assertThat(t.judge("US", "blank_frame_fraction", 0.0)).isEqualTo(QaStatus.PASS); // default section
        assertThat(t.judge("CT", "something_new", 1.0)).isEqualTo(QaStatus.INFO);
        assertThat(t.judge("CT", "ct_noise_hu", null)).isEqualTo(QaStatus.NOT_EVALUATED);
        assertThat(t.parameter("saturation_pixel_fraction", 0)).isEqualTo(0.05);
    }

    @Test
    void modalityRuleWinsOverDefault() {
        QaThresholds t = QaThresholds.parse("""
                {"version": 1, "modalities": {
                  "default": {"blank_frame_fraction": {"better": "lower", "pass": 0, "warn": 0.1}},
                  "US": {"blank_frame_fraction": {"better": "lower", "pass": 0.5, "warn": 0.9}}}}""", "test");
        assertThat(t.judge("US", "blank_frame_fraction", 0.3)).isEqualTo(QaStatus.PASS);
        assertThat(t.judge("CT", "blank_frame_fraction", 0.3)).isEqualTo(QaStatus.FAIL);
    }

    @Test
    void malformedConfigsAreRejectedWithTheKey() {
        assertBad("{not json", "not valid JSON");
        assertBad("{\"version\": 2, \"modalities\": {}}", "\"version\" must be 1");
        assertBad("{\"version\": 1}", "\"modalities\" must be an object");
        assertBad("{\"version\": 1, \"modalities\": {}, \"extra\": 1}", "unknown top-level key \"extra\"");
        assertBad("{\"version\": 1, \"modalities\": {\"MR\": {\"mr_snr\": {\"better\": \"higher\", \"pass\": 5, \"warn\": 10}}}}",
                "modalities.MR.mr_snr: pass 5.0 and warn 10.0 are in the wrong order");
        assertBad("{\"version\": 1, \"modalities\": {\"MR\": {\"mr_snr\": {\"better\": \"up\", \"pass\": 5, \"warn\": 1}}}}",
                "modalities.MR.mr_snr.better must be");
        assertBad("{\"version\": 1, \"modalities\": {\"MR\": {\"mr_snr\": {\"better\": \"higher\", \"warn\": 1}}}}",
                "modalities.MR.mr_snr.pass must be a finite number");
        assertBad("{\"version\": 1, \"modalities\": {\"CT\": {\"x\": {\"target\": 0, \"pass\": 1, \"warn\": 2, \"wran\": 3}}}}",
                "unknown key \"wran\"");
    }

    private static void assertBad(String json, String fragment) {
        assertThatThrownBy(() -> QaThresholds.parse(json, "t.json")).isInstanceOf(CurationException.class)
                .hasMessageContaining("QA thresholds t.json are malformed").hasMessageContaining(fragment)
                .extracting(e -> ((CurationException) e).code()).isEqualTo(ErrorCode.CURATION_BAD_CONFIG);
    }

    @Test
    void loadFromFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.json");
        Files.writeString(f, "{\"version\": 1, \"modalities\": {\"CT\": {\"ct_noise_hu\": {\"better\": \"lower\", \"pass\": 5, \"warn\": 6}}}}");
        assertThat(QaThresholds.load(f).judge("CT", "ct_noise_hu", 10.0)).isEqualTo(QaStatus.FAIL);
        assertThatThrownBy(() -> QaThresholds.load(dir.resolve("missing.json")))
                .extracting(e -> ((CurationException) e).code()).isEqualTo(ErrorCode.CURATION_INPUT_NOT_FOUND);
    }
}
