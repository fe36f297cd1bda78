package org.medlake.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class QueryTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void buildsTheJsonCriteriaTreeOfTheQueryLanguage() throws Exception {
        Query q = Query.and(Query.eq("modality", "MR"), Query.range("patient_age_years", 50, 80),
                Query.not(Query.in("series_description", "LOCALIZER", "SCOUT")));
        assertThat(json.writeValueAsString(q.toTree())).isEqualTo(
                "{\"and\":[{\"eq\":{\"modality\":\"MR\"}},{\"range\":{\"patient_age_years\":{\"gte\":50,\"lte\":80}}},"
                        + "{\"not\":{\"in\":{\"series_description\":[\"LOCALIZER\",\"SCOUT\"]}}}]}");
        assertThat(json.writeValueAsString(Query.all().toTree())).isEqualTo("{}");
        assertThat(json.writeValueAsString(Query.range("patient_age_years", null, 30).toTree()))
                .isEqualTo("{\"range\":{\"patient_age_years\":{\"lte\":30}}}");
    }

    @Test
    void configWithoutCredentialsIsRefusedWithAFix() {
        assertThatThrownBy(() -> MedlakeClient.create(cfg -> cfg.url("http://127.0.0.1:1")))
                .isInstanceOf(MedlakeException.class)
                .hasMessageContaining("clientCredentials(id, secret)");
        assertThatThrownBy(() -> MedlakeClient.create(cfg -> cfg.url("http://127.0.0.1:1").password("alice", "x")))
                .hasMessageContaining("issuer(");
    }
}
