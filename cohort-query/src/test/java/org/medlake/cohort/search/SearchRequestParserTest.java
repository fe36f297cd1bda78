package org.medlake.cohort.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medlake.cohort.query.Criteria;
import org.medlake.cohort.query.QueryException;

class SearchRequestParserTest {
    private final SearchRequestParser parser = new SearchRequestParser();
    private final ObjectMapper json = new ObjectMapper();

    private SearchRequest parse(String body) throws Exception {
        return parser.parse(json.readTree(body));
    }

    @Test
    void defaults() throws Exception {
        SearchRequest r = parse("{}");
        assertThat(r.criteria()).isEqualTo(Criteria.all());
        assertThat(r.size()).isEqualTo(SeriesSearch.DEFAULT_SIZE);
        assertThat(r.facets()).isEmpty();
        assertThat(r.searchAfter()).isNull();
        assertThat(r.effectiveSort()).containsExactly(new SearchRequest.Sort("series_instance_uid", false));
        assertThat(parser.parse(null)).isEqualTo(r);
    }

    @Test
    void parsesEveryMember() throws Exception {
        SearchRequest r = parse("{\"query\":{\"eq\":{\"modality\":\"MR\"}},\"size\":0,\"facets\":[\"modality\",\"age\"],"
                + "\"sort\":[{\"field\":\"study_date\",\"order\":\"desc\"},\"modality\"],"
                + "\"search_after\":[1700000000000,\"MR\",null,\"1.2\"]}".replace(",null,\"1.2\"", ",\"1.2\""));
        assertThat(r.criteria()).isEqualTo(Criteria.eq("modality", "MR"));
        assertThat(r.size()).isZero();
        assertThat(r.facets()).containsExactly("modality", "age");
        assertThat(r.effectiveSort()).containsExactly(new SearchRequest.Sort("study_date", true),
                new SearchRequest.Sort("modality", false), new SearchRequest.Sort("series_instance_uid", false));
        assertThat(r.searchAfter()).containsExactly(1700000000000L, "MR", "1.2");
        assertThat(parse("{\"sort\":[\"body_part_examined\"],\"search_after\":[null,\"1.2\"]}").searchAfter())
                .isEqualTo(Arrays.asList(null, "1.2"));
    }

    @Test
    void anExplicitUidKeyEndsTheSort() throws Exception {
        assertThat(parse("{\"sort\":[{\"field\":\"series_instance_uid\",\"order\":\"desc\"},\"modality\"]}").effectiveSort())
                .containsExactly(new SearchRequest.Sort("series_instance_uid", true));
    }

    @Test
    void rejectsWhatItDoesNotKnow() {
        assertThatThrownBy(() -> parse("{\"facets\":[\"colour\"]}")).isInstanceOf(QueryException.class)
                .hasMessageContaining("Unknown facet 'colour'").hasMessageContaining("field_strength");
        assertThatThrownBy(() -> parse("{\"facets\":[\"age\",\"age\"]}")).isInstanceOf(QueryException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> parse("{\"facets\":[1]}")).isInstanceOf(QueryException.class).hasMessageContaining("'facets'");
        assertThatThrownBy(() -> parse("{\"sort\":[\"study_description\"]}")).isInstanceOf(QueryException.class)
                .hasMessageContaining("Cannot sort on 'study_description'");
        assertThatThrownBy(() -> parse("{\"sort\":[{\"field\":\"modality\",\"dir\":\"desc\"}]}")).isInstanceOf(QueryException.class)
                .hasMessageContaining("'dir'");
        assertThatThrownBy(() -> parse("{\"sort\":" + List.of("\"modality\"", "\"site\"", "\"project\"", "\"study_date\"",
                "\"series_number\"", "\"size_bytes\"") + "}")).isInstanceOf(QueryException.class).hasMessageContaining("sort keys");
        assertThatThrownBy(() -> parse("{\"search_after\":[\"a\",\"b\"]}")).isInstanceOf(QueryException.class)
                .hasMessageContaining("needs 1");
        assertThatThrownBy(() -> parse("{\"search_after\":[{\"a\":1}]}")).isInstanceOf(QueryException.class)
                .hasMessageContaining("search_after");
        assertThatThrownBy(() -> parse("{\"size\":1001}")).isInstanceOf(QueryException.class).hasMessageContaining("between 0 (only total and facets) and 1000");
        assertThatThrownBy(() -> parse("{\"size\":\"ten\"}")).isInstanceOf(QueryException.class).hasMessageContaining("'size'");
        assertThatThrownBy(() -> parse("{\"from\":10}")).isInstanceOf(QueryException.class).hasMessageContaining("'from'");
        assertThatThrownBy(() -> parse("{\"query\":{\"eq\":{\"colour\":\"red\"}}}")).isInstanceOf(QueryException.class)
                .hasMessageContaining("colour");
    }
}
