package org.medlake.cohort.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class CriteriaParserTest {
    private final CriteriaParser parser = new CriteriaParser();

    @Test
    void emptyMeansAll() {
        assertThat(parser.parse("{}")).isEqualTo(Criteria.all());
        assertThat(parser.parse("")).isEqualTo(Criteria.all());
        assertThat(parser.parse("null")).isEqualTo(Criteria.all());
    }

    @Test
    void parsesEveryOperator() {
        Criteria c = parser.parse("""
                {"and":[
                  {"eq":{"modality":"CT"}},
                  {"in":{"site":["a","b"]}},
                  {"range":{"patient_age_years":{"gte":40,"lt":60}}},
                  {"range":{"study_date":{"gte":"2024-01-01"}}},
                  {"prefix":{"patient_id":"P-"}},
                  {"exists":"body_part_examined"},
                  {"match":{"series_description":"axial chest"}},
                  {"or":[{"eq":{"series_number":3}},{"not":{"eq":{"patient_sex":"F"}}}]}
                ]}""");
        assertThat(c).isEqualTo(Criteria.and(
                Criteria.eq("modality", "CT"),
                Criteria.in("site", "a", "b"),
                new Criteria.Range("patient_age_years", 40L, null, null, 60L),
                Criteria.range("study_date", LocalDate.of(2024, 1, 1), null),
                Criteria.prefix("patient_id", "P-"),
                Criteria.exists("body_part_examined"),
                Criteria.match("series_description", "axial chest"),
                Criteria.or(Criteria.eq("series_number", 3), Criteria.not(Criteria.eq("patient_sex", "F")))));
    }

    @Test
    void unknownFieldIsNamedWithTheAllowedOnes() {
        assertThatThrownBy(() -> parser.parse("{\"and\":[{\"eq\":{\"modality\":\"CT\"}},{\"eq\":{\"colour\":\"red\"}}]}"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("$.and[1].eq")
                .hasMessageContaining("Unknown field 'colour'")
                .hasMessageContaining("modality, project");
    }

    @Test
    void unknownOperatorIsNamed() {
        assertThatThrownBy(() -> parser.parse("{\"like\":{\"modality\":\"C%\"}}"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("unknown operator 'like'")
                .hasMessageContaining("eq, in, range");
    }

    @Test
    void operatorMustFitTheFieldType() {
        assertThatThrownBy(() -> parser.parse("{\"range\":{\"modality\":{\"gte\":\"A\"}}}"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("'range' is not allowed on keyword field 'modality'");
        assertThatThrownBy(() -> parser.parse("{\"match\":{\"modality\":\"CT\"}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("'match' is not allowed");
    }

    @Test
    void valuesMustFitTheFieldType() {
        assertThatThrownBy(() -> parser.parse("{\"eq\":{\"patient_age_years\":\"forty\"}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("whole number");
        assertThatThrownBy(() -> parser.parse("{\"eq\":{\"study_date\":\"31.01.2024\"}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("YYYY-MM-DD");
        assertThatThrownBy(() -> parser.parse("{\"eq\":{\"modality\":true}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("$.eq.modality").hasMessageContaining("boolean");
        assertThatThrownBy(() -> parser.parse("{\"eq\":{\"patient_age_years\":4.5}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("4.5");
    }

    @Test
    void structuralErrors() {
        assertThatThrownBy(() -> parser.parse("{\"eq\":{\"modality\":\"CT\"},\"in\":{}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("exactly one operator");
        assertThatThrownBy(() -> parser.parse("{\"eq\":{\"modality\":\"CT\",\"site\":\"a\"}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("exactly one field");
        assertThatThrownBy(() -> parser.parse("{\"and\":{\"eq\":{}}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("needs an array");
        assertThatThrownBy(() -> parser.parse("{\"range\":{\"series_number\":{\"from\":1}}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("unknown range bound 'from'");
        assertThatThrownBy(() -> parser.parse("{\"range\":{\"series_number\":{}}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("no bound");
        assertThatThrownBy(() -> parser.parse("{\"in\":{\"modality\":[]}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("empty value list");
        assertThatThrownBy(() -> parser.parse("[1]"))
                .isInstanceOf(QueryException.class).hasMessageContaining("expected a criteria object");
        assertThatThrownBy(() -> parser.parse("{\"eq\":"))
                .isInstanceOf(QueryException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> parser.parse("{\"not\":".repeat(40) + "{}" + "}".repeat(40)))
                .isInstanceOf(QueryException.class).hasMessageContaining("nested deeper");
    }

    @Test
    void treeIsImmutable() {
        Criteria.And and = (Criteria.And) parser.parse("{\"and\":[{\"exists\":\"site\"}]}");
        assertThatThrownBy(() -> and.children().add(Criteria.all())).isInstanceOf(UnsupportedOperationException.class);
        Criteria.In in = (Criteria.In) Criteria.in("modality", List.of("CT"));
        assertThatThrownBy(() -> in.values().add("MR")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void decimalFieldsTakeAnyNumberAndIntegerFieldsOnlyWholeOnes() {
        assertThat(parser.parse("{\"range\":{\"magnetic_field_strength\":{\"gte\":1.5,\"lt\":3}}}"))
                .isEqualTo(new Criteria.Range("magnetic_field_strength", 1.5, null, null, 3.0));
        assertThat(parser.parse("{\"in\":{\"magnetic_field_strength\":[1.5,3]}}"))
                .isEqualTo(Criteria.in("magnetic_field_strength", 1.5, 3.0));
        assertThatThrownBy(() -> parser.parse("{\"eq\":{\"patient_age_years\":40.5}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("patient_age_years").hasMessageContaining("whole number");
        assertThatThrownBy(() -> parser.parse("{\"eq\":{\"magnetic_field_strength\":\"3T\"}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("magnetic_field_strength").hasMessageContaining("number");
        assertThatThrownBy(() -> parser.parse("{\"prefix\":{\"magnetic_field_strength\":\"3\"}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("'prefix' is not allowed");
    }

    @Test
    void limitsAreEnforcedWithClearMessages() {
        String ok = "{\"not\":".repeat(CriteriaParser.MAX_DEPTH) + "{\"exists\":\"site\"}" + "}".repeat(CriteriaParser.MAX_DEPTH);
        assertThat(parser.parse(ok)).isInstanceOf(Criteria.Not.class);
        String deep = "{\"not\":" + ok + "}";
        assertThatThrownBy(() -> parser.parse(deep)).isInstanceOf(QueryException.class)
                .hasMessageContaining("nested deeper than " + CriteriaParser.MAX_DEPTH);

        String values = String.join(",", java.util.Collections.nCopies(CriteriaParser.MAX_IN_VALUES + 1, "\"x\""));
        assertThatThrownBy(() -> parser.parse("{\"in\":{\"site\":[" + values + "]}}")).isInstanceOf(QueryException.class)
                .hasMessageContaining("$.in.site").hasMessageContaining("at most " + CriteriaParser.MAX_IN_VALUES);

        String clauses = String.join(",", java.util.Collections.nCopies(CriteriaParser.MAX_CLAUSES, "{\"exists\":\"site\"}"));
        assertThatThrownBy(() -> parser.parse("{\"and\":[" + clauses + "]}")).isInstanceOf(QueryException.class)
                .hasMessageContaining("clauses").hasMessageContaining("at most " + CriteriaParser.MAX_CLAUSES);
        String fewer = String.join(",", java.util.Collections.nCopies(CriteriaParser.MAX_CLAUSES - 1, "{\"exists\":\"site\"}"));
        assertThat(parser.parse("{\"and\":[" + fewer + "]}")).isInstanceOf(Criteria.And.class);

        String longText = "a".repeat(CriteriaParser.MAX_TEXT_LENGTH + 1);
        assertThatThrownBy(() -> parser.parse("{\"match\":{\"series_description\":\"" + longText + "\"}}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("at most " + CriteriaParser.MAX_TEXT_LENGTH);
    }
}
