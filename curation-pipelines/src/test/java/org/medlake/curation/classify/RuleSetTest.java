package org.medlake.curation.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;

/** Loading and validation of classification rules files. */
class RuleSetTest {
    private static final String GOOD_RULE = """
            {"id": "r1", "modality": "MR", "series_type": "DWI", "strength": "strong", "weight": 0.9,
             "when": {"feature": "max_b_value", "gt": 50}, "evidence": "b {max_b_value}"}""";

    private static String file(String rules) {
        return "{\"version\": \"test-1\", \"rules\": [" + rules + "]}";
    }

    private static CurationException bad(String json) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> RuleSet.parse(json, "test.json"));
        assertThat(t).isInstanceOf(CurationException.class);
        CurationException e = (CurationException) t;
        assertThat(e.code()).isEqualTo(ErrorCode.CURATION_BAD_CONFIG);
        assertThat(e.getMessage()).startsWith("Classification rules test.json: ").contains("Fix: ");
        return e;
    }

    @Test
    void defaultsAreVersionedAndValid() {
        RuleSet rules = RuleSet.defaults();
        assertThat(rules.version()).isEqualTo("1.0.0");
        assertThat(rules.rules()).hasSizeGreaterThan(40);
        assertThat(rules.attributeAxes("CT")).containsExactly("dose", "contrast", "body_region");
        assertThat(rules.attributeAxes("MR")).isEmpty();
        assertThat(rules.rules()).filteredOn(r -> r.strength() == Rule.Strength.WEAK)
                .allMatch(r -> r.weight() <= RuleSet.MAX_WEAK_WEIGHT);
    }

    @Test
    void loadsAFileAndReportsAMissingOne(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("rules.json");
        Files.writeString(f, file(GOOD_RULE));
        RuleSet rules = RuleSet.load(f);
        assertThat(rules.version()).isEqualTo("test-1");
        assertThat(rules.rules()).singleElement().satisfies(r -> {
            assertThat(r.label()).isEqualTo("DWI");
            assertThat(r.axis()).isEqualTo(Rule.SERIES_TYPE);
            assertThat(r.appliesTo("mr")).isTrue();
            assertThat(r.appliesTo("CT")).isFalse();
        });
        assertThatThrownBy(() -> RuleSet.load(dir.resolve("nope.json"))).isInstanceOf(CurationException.class)
                .satisfies(e -> assertThat(((CurationException) e).code()).isEqualTo(ErrorCode.CURATION_INPUT_NOT_FOUND))
                .hasMessageContaining("nope.json");
    }

    @Test
    void malformedJsonAndMissingVersion() {
        assertThat(bad("{\"version\": ").getMessage()).contains("not valid JSON");
        assertThat(bad("{\"rules\": [" + GOOD_RULE + "]}").getMessage()).contains("field 'version'");
        assertThat(bad("{\"version\": \"1\", \"rules\": []}").getMessage()).contains("'rules'");
    }

    @Test
    void unknownFeatureIsNamedWithItsRuleAndField() {
        String rule = GOOD_RULE.replace("max_b_value\", \"gt\"", "max_bvalue\", \"gt\"");
        assertThat(bad(file(rule)).getMessage()).contains("rule 'r1' (#1)").contains("when.feature")
                .contains("unknown feature 'max_bvalue'").contains("max_b_value");
    }

    @Test
    void wrongOperandAndUnknownOperator() {
        assertThat(bad(file(GOOD_RULE.replace("\"gt\": 50", "\"gt\": \"fifty\""))).getMessage())
                .contains("rule 'r1'").contains("'when.gt'").contains("wrong operand");
        assertThat(bad(file(GOOD_RULE.replace("\"gt\": 50", "\"greater\": 50"))).getMessage())
                .contains("unknown operator 'greater'");
        assertThat(bad(file(GOOD_RULE.replace("{\"feature\": \"max_b_value\", \"gt\": 50}",
                "{\"all\": [{\"feature\": \"description\", \"matches\": \"([\"}]}"))).getMessage())
                .contains("'when.all[0].matches'");
    }

    @Test
    void weightAndLabelAndDuplicates() {
        assertThat(bad(file(GOOD_RULE.replace("0.9", "1.5"))).getMessage()).contains("field 'weight'");
        assertThat(bad(file(GOOD_RULE.replace("\"DWI\"", "\"dwi\""))).getMessage()).contains("not upper case");
        assertThat(bad(file(GOOD_RULE + "," + GOOD_RULE)).getMessage()).contains("two rules with id 'r1'");
        assertThat(bad(file(GOOD_RULE.replace("\"modality\": \"MR\",", ""))).getMessage()).contains("field 'modality'");
        assertThat(bad(file(GOOD_RULE.replace("\"strength\": \"strong\"", "\"strength\": \"medium\""))).getMessage())
                .contains("field 'strength'");
    }

    @Test
    void descriptionsMustStayWeak() {
        String strongDescription = GOOD_RULE.replace("{\"feature\": \"max_b_value\", \"gt\": 50}",
                "{\"feature\": \"series_description\", \"matches\": \"DWI\"}");
        assertThat(bad(file(strongDescription)).getMessage()).contains("strong but reads free-text feature 'series_description'");
        String heavyWeak = strongDescription.replace("\"strong\"", "\"weak\"");
        assertThat(bad(file(heavyWeak)).getMessage()).contains("weak but has weight 0.9");
        assertThat(RuleSet.parse(file(heavyWeak.replace("0.9", "0.4")), "ok.json").rules()).hasSize(1);
    }

    @Test
    void evidencePlaceholdersMustBeFeatures() {
        assertThat(bad(file(GOOD_RULE.replace("b {max_b_value}", "b {bvalue}"))).getMessage())
                .contains("field 'evidence' refers to unknown feature {bvalue}");
    }

    @Test
    void attributeRulesNeedAValue() {
        String attr = GOOD_RULE.replace("\"series_type\": \"DWI\"", "\"attribute\": \"contrast\"");
        assertThat(bad(file(attr)).getMessage()).contains("field 'value'");
        RuleSet ok = RuleSet.parse(file(attr.replace("\"attribute\": \"contrast\"",
                "\"attribute\": \"contrast\", \"value\": \"CONTRAST\"")), "ok.json");
        assertThat(ok.attributeAxes("MR")).containsExactly("contrast");
    }

    @Test
    void namedConditionsAreReusedAndUnknownNamesRejected() {
        String json = "{\"version\": \"v\", \"conditions\": {\"dwi\": {\"feature\": \"max_b_value\", \"gt\": 50},"
                + " \"not_dwi\": {\"not\": {\"use\": \"dwi\"}}}, \"rules\": ["
                + GOOD_RULE.replace("{\"feature\": \"max_b_value\", \"gt\": 50}", "{\"use\": \"dwi\"}") + "]}";
        RuleSet rules = RuleSet.parse(json, "named.json");
        assertThat(rules.rules().get(0).condition().test(SeriesFeatures.fromMap(java.util.Map.of("b_values", java.util.List.of(1000)))))
                .isTrue();
        assertThat(bad(json.replace("\"when\": {\"use\": \"dwi\"}", "\"when\": {\"use\": \"dwii\"}")).getMessage())
                .contains("rule 'r1'").contains("unknown condition \"dwii\"").contains("[dwi, not_dwi]");
        String strongViaName = json.replace("\"feature\": \"max_b_value\", \"gt\": 50}", "\"feature\": \"description\", \"matches\": \"X\"}");
        assertThat(bad(strongViaName).getMessage()).contains("strong but reads free-text feature 'description'");
    }
}
