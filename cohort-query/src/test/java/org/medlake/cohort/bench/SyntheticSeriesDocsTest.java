package org.medlake.cohort.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.search.SearchRequestParser;

class SyntheticSeriesDocsTest {
    @Test
    void documentsAreReproducibleAndFitTheIndex() {
        SyntheticSeriesDocs docs = new SyntheticSeriesDocs(3);
        assertThat(docs.range(100, 110)).isEqualTo(new SyntheticSeriesDocs(3).range(100, 110));
        List<Map<String, Object>> many = docs.range(0, 20_000);
        many.forEach(d -> assertThat(SeriesIndex.DOCUMENT_FIELDS).containsAll(d.keySet()));
        assertThat(many.stream().map(d -> d.get("series_instance_uid")).distinct().count()).isEqualTo(20_000);
        long mr = many.stream().filter(d -> "MR".equals(d.get("modality"))).count();
        assertThat(mr).isBetween(7_000L, 9_000L);
        assertThat(many.stream().filter(d -> d.containsKey("magnetic_field_strength")).count()).isEqualTo(mr);
        assertThat(many.stream().filter(d -> "proj-00".equals(d.get("project"))).count())
                .isGreaterThan(many.stream().filter(d -> "proj-29".equals(d.get("project"))).count() * 10);
        assertThat(many.stream().filter(d -> Boolean.FALSE.equals(d.get("released"))).count()).isBetween(50L, 400L);
    }

    @Test
    void randomQueriesAreValidRequests() throws Exception {
        SplittableRandom r = new SplittableRandom(1);
        SearchRequestParser parser = new SearchRequestParser();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (int i = 0; i < 500; i++) {
            assertThat(parser.parse(json.readTree(RandomQueries.request(r))).facets()).hasSize(12);
        }
    }
}
