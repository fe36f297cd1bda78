package org.medlake.cohort.query;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.json.JsonpUtils;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class EsQueryTranslatorTest {
    private final EsQueryTranslator translator = new EsQueryTranslator();
    private final CriteriaParser parser = new CriteriaParser();
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode es(Query q) throws Exception {
        return json.readTree(JsonpUtils.toJsonString(q, new JacksonJsonpMapper()));
    }

    private JsonNode translate(String criteria) throws Exception {
        return es(translator.translate(parser.parse(criteria)));
    }

    @Test
    void leaves() throws Exception {
        assertThat(translate("{}")).isEqualTo(json.readTree("{\"match_all\":{}}"));
        assertThat(translate("{\"eq\":{\"modality\":\"CT\"}}").at("/term/modality/value").asText()).isEqualTo("CT");
        assertThat(translate("{\"eq\":{\"series_number\":3}}").at("/term/series_number/value").asLong()).isEqualTo(3);
        assertThat(translate("{\"in\":{\"site\":[\"a\",\"b\"]}}").at("/terms/site"))
                .isEqualTo(json.readTree("[\"a\",\"b\"]"));
        JsonNode range = translate("{\"range\":{\"patient_age_years\":{\"gte\":40,\"lt\":60}}}").at("/range/patient_age_years");
        assertThat(range.get("gte").asDouble()).isEqualTo(40.0);
        assertThat(range.get("lt").asDouble()).isEqualTo(60.0);
        assertThat(translate("{\"range\":{\"study_date\":{\"lte\":\"2024-12-31\"}}}").at("/range/study_date/lte").asText())
                .isEqualTo("2024-12-31");
        assertThat(translate("{\"prefix\":{\"patient_id\":\"P-\"}}").at("/prefix/patient_id/value").asText()).isEqualTo("P-");
        assertThat(translate("{\"exists\":\"site\"}").at("/exists/field").asText()).isEqualTo("site");
        assertThat(translate("{\"match\":{\"series_description\":\"chest\"}}").at("/match/series_description/query").asText())
                .isEqualTo("chest");
    }

    @Test
    void exactComparisonsOnTextUseTheKeywordSubField() throws Exception {
        assertThat(translate("{\"eq\":{\"series_description\":\"AX CHEST\"}}").at("/term/series_description.keyword/value").asText())
                .isEqualTo("AX CHEST");
    }

    @Test
    void booleans() throws Exception {
        JsonNode and = translate("{\"and\":[{\"eq\":{\"modality\":\"CT\"}},{\"not\":{\"exists\":\"site\"}}]}");
        assertThat(and.at("/bool/filter")).hasSize(2);
        assertThat(and.at("/bool/filter/1/bool/must_not/0/exists/field").asText()).isEqualTo("site");
        JsonNode or = translate("{\"or\":[{\"eq\":{\"modality\":\"CT\"}},{\"eq\":{\"modality\":\"MR\"}}]}");
        assertThat(or.at("/bool/should")).hasSize(2);
        assertThat(or.at("/bool/minimum_should_match").asText()).isEqualTo("1");
        assertThat(translate("{\"or\":[]}")).isEqualTo(json.readTree("{\"match_none\":{}}"));
    }

    @Test
    void projectFilterIsAlwaysAdded() throws Exception {
        JsonNode q = es(translator.translateForProjects(Criteria.eq("modality", "CT"), List.of("other", "demo")));
        assertThat(q.at("/bool/filter/0/term/modality/value").asText()).isEqualTo("CT");
        assertThat(q.at("/bool/filter/1/terms/project")).isEqualTo(json.readTree("[\"demo\",\"other\"]"));
        assertThat(q.at("/bool/filter/2/term/released/value").asBoolean()).isTrue();
        assertThat(es(translator.translateForProjects(Criteria.all(), List.of()))).isEqualTo(json.readTree("{\"match_none\":{}}"));
    }
}
