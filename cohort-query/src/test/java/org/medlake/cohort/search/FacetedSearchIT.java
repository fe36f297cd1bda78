package org.medlake.cohort.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medlake.cohort.bench.SyntheticSeriesDocs;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.query.QueryException;
import org.medlake.cohort.testing.SearchTestIndex;
import org.medlake.testkit.MedlakeServices;

/**
 * The search (criteria, facets, sort, search_after) on the real Elasticsearch over 3000 synthetic series with
 * realistic distributions; every count is checked against an independent count over the same documents in Java.
 */
class FacetedSearchIT {
    private static final SeriesIndex.Names NAMES = SeriesIndex.isolated("facets-it-" + UUID.randomUUID().toString().substring(0, 8));
    private static final List<String> CALLER = List.of("proj-00", "proj-03");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ElasticsearchClient es;
    private static SeriesSearch search;
    private static List<Map<String, Object>> docs;

    @BeforeAll
    static void load() throws Exception {
        String url = MedlakeServices.elasticsearchUrl();
        es = SeriesIndex.connect(url);
        docs = new SyntheticSeriesDocs(7).range(0, 3000);
        SearchTestIndex.load(es, url, NAMES, docs);
        search = new SeriesSearch(es, url, NAMES);
    }

    @AfterAll
    static void drop() {
        SeriesIndex.drop(es, NAMES);
        SeriesIndex.close(es);
    }

    /** Series the caller may see: released and in the caller's projects (the server's filter). */
    private static boolean visible(Map<String, Object> d) {
        return Boolean.TRUE.equals(d.get("released")) && CALLER.contains((String) d.get("project"));
    }

    private static SeriesSearch.Result run(String body) throws Exception {
        return search.search(new SearchRequestParser().parse(JSON.readTree(body)), CALLER);
    }

    private static void check(String query, Predicate<Map<String, Object>> expected) throws Exception {
        long want = docs.stream().filter(FacetedSearchIT::visible).filter(expected).count();
        assertThat(run("{\"query\":" + query + ",\"size\":0}").total()).as(query).isEqualTo(want);
        assertThat(want).as("the fixture exercises " + query).isPositive();
    }

    private static Object v(Map<String, Object> d, String f) {
        return d.get(f);
    }

    private static double num(Map<String, Object> d, String f) {
        return d.get(f) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    @Test
    void everyOperatorMatchesAnIndependentCount() throws Exception {
        check("{\"eq\":{\"modality\":\"MR\"}}", d -> "MR".equals(v(d, "modality")));
        check("{\"in\":{\"modality\":[\"CT\",\"US\"]}}", d -> List.of("CT", "US").contains(v(d, "modality")));
        check("{\"range\":{\"patient_age_years\":{\"gte\":40,\"lt\":60}}}", d -> num(d, "patient_age_years") >= 40 && num(d, "patient_age_years") < 60);
        check("{\"range\":{\"patient_age_years\":{\"gt\":70}}}", d -> num(d, "patient_age_years") > 70);
        check("{\"range\":{\"magnetic_field_strength\":{\"gt\":1.5}}}", d -> num(d, "magnetic_field_strength") > 1.5);
        check("{\"eq\":{\"magnetic_field_strength\":3}}", d -> num(d, "magnetic_field_strength") == 3.0);
        check("{\"range\":{\"study_date\":{\"gte\":\"2015-01-01\",\"lte\":\"2016-12-31\"}}}",
                d -> ((String) v(d, "study_date")).compareTo("2015-01-01") >= 0 && ((String) v(d, "study_date")).compareTo("2016-12-31") <= 0);
        check("{\"prefix\":{\"site\":\"site-1\"}}", d -> ((String) v(d, "site")).startsWith("site-1"));
        check("{\"exists\":\"body_part_examined\"}", d -> d.containsKey("body_part_examined"));
        check("{\"not\":{\"exists\":\"patient_age_years\"}}", d -> !d.containsKey("patient_age_years"));
        check("{\"match\":{\"series_description\":\"brain\"}}",
                d -> Arrays.asList(((String) v(d, "series_description")).toLowerCase().split(" ")).contains("brain"));
        check("{\"eq\":{\"series_description\":\"AX T1W BRAIN\"}}", d -> "AX T1W BRAIN".equals(v(d, "series_description")));
        check("{\"not\":{\"eq\":{\"qa_status\":\"FAIL\"}}}", d -> !"FAIL".equals(v(d, "qa_status")));
        check("{\"or\":[{\"eq\":{\"patient_sex\":\"F\"}},{\"range\":{\"patient_age_years\":{\"lt\":20}}}]}",
                d -> "F".equals(v(d, "patient_sex")) || num(d, "patient_age_years") < 20);
        check("{\"and\":[{\"eq\":{\"modality\":\"MR\"}},{\"in\":{\"series_type\":[\"T1W\",\"FLAIR\"]}},{\"eq\":{\"patient_sex\":\"M\"}}]}",
                d -> "MR".equals(v(d, "modality")) && List.of("T1W", "FLAIR").contains(v(d, "series_type")) && "M".equals(v(d, "patient_sex")));
        check("{}", d -> true);
    }

    @Test
    void theProjectFilterCannotBeWidened() throws Exception {
        assertThat(run("{\"query\":{\"eq\":{\"project\":\"proj-05\"}}}").total()).isZero();
        check("{\"or\":[{\"eq\":{\"project\":\"proj-05\"}},{\"eq\":{\"project\":\"proj-00\"}}]}", d -> "proj-00".equals(v(d, "project")));
        check("{\"not\":{\"eq\":{\"project\":\"proj-00\"}}}", d -> "proj-03".equals(v(d, "project")));
        // unreleased series stay hidden whatever the criteria
        assertThat(run("{\"query\":{\"eq\":{\"deid_status\":\"FAIL\"}},\"size\":1000}").items())
                .allSatisfy(d -> assertThat(d).containsEntry("released", true).containsEntry("deid_override", true));
    }

    @Test
    void facetCountsMatchAnIndependentCount() throws Exception {
        String query = "{\"range\":{\"patient_age_years\":{\"gte\":30}}}";
        Predicate<Map<String, Object>> match = d -> num(d, "patient_age_years") >= 30;
        String facets = "[\"" + String.join("\",\"", Facets.all().keySet()) + "\"]";
        SeriesSearch.Result r = run("{\"query\":" + query + ",\"size\":3,\"facets\":" + facets + "}");
        List<Map<String, Object>> matching = docs.stream().filter(FacetedSearchIT::visible).filter(match).toList();
        assertThat(r.total()).isEqualTo(matching.size());
        assertThat(r.items()).hasSize(3);
        assertThat(r.facets()).containsOnlyKeys(Facets.all().keySet());
        for (Facets.Facet f : Facets.all().values()) {
            Map<Object, Long> want = new TreeMap<>();
            for (Map<String, Object> d : matching) {
                Object value = d.get(f.field());
                if (value == null) {
                    continue;
                }
                Object key = f.kind() == Facets.Kind.TERMS ? value
                        : Math.floor(((Number) value).doubleValue() / f.interval()) * f.interval();
                want.merge(key, 1L, Long::sum);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> facet = (Map<String, Object>) r.facets().get(f.name());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> buckets = (List<Map<String, Object>>) facet.get("buckets");
            Map<Object, Long> got = new TreeMap<>();
            for (Map<String, Object> b : buckets) {
                Object key = f.kind() == Facets.Kind.TERMS ? b.get("key") : ((Number) b.get("key")).doubleValue();
                got.put(key, ((Number) b.get("count")).longValue());
                if (f.kind() == Facets.Kind.HISTOGRAM) {
                    assertThat(((Number) b.get("to")).doubleValue()).isEqualTo(((Number) b.get("key")).doubleValue() + f.interval());
                }
            }
            assertThat(got).as("facet " + f.name()).isEqualTo(want).isNotEmpty();
            if (f.kind() == Facets.Kind.TERMS) {
                assertThat(facet.get("other_count")).isEqualTo(0L);
                // largest first
                assertThat(buckets).isSortedAccordingTo(Comparator.comparingLong(b -> -((Number) b.get("count")).longValue()));
            }
        }
    }

    @Test
    void pagingWithSearchAfterYieldsEverySeriesOnceInSortOrder() throws Exception {
        for (String sort : List.of("[]", "[{\"field\":\"study_date\",\"order\":\"desc\"},\"modality\"]",
                "[\"patient_age_years\"]", "[{\"field\":\"body_part_examined\",\"order\":\"desc\"}]",
                "[{\"field\":\"magnetic_field_strength\",\"order\":\"desc\"},{\"field\":\"series_instance_uid\",\"order\":\"desc\"}]")) {
            List<Map<String, Object>> seen = new ArrayList<>();
            List<Object> after = null;
            int pages = 0;
            do {
                String body = "{\"size\":97,\"sort\":" + sort + (after == null ? "" : ",\"search_after\":" + JSON.writeValueAsString(after)) + "}";
                SeriesSearch.Result page = run(body);
                seen.addAll(page.items());
                after = page.nextSearchAfter();
                assertThat(++pages).as("pages for " + sort).isLessThan(100);
            } while (after != null);
            Set<Object> uids = new HashSet<>();
            seen.forEach(d -> uids.add(d.get("series_instance_uid")));
            long visible = docs.stream().filter(FacetedSearchIT::visible).count();
            assertThat(seen).as(sort).hasSize((int) visible);
            assertThat(uids).as(sort).hasSize((int) visible);
            if (sort.contains("study_date")) {
                assertThat(seen).isSortedAccordingTo(Comparator.<Map<String, Object>, String>comparing(d -> (String) d.get("study_date")).reversed());
            }
            if (sort.contains("patient_age_years")) {
                // ascending, series without an age last
                assertThat(seen).isSortedAccordingTo(Comparator.comparingDouble(d -> d.containsKey("patient_age_years")
                        ? num(d, "patient_age_years") : Double.MAX_VALUE));
            }
            if (sort.equals("[]")) {
                assertThat(seen).isSortedAccordingTo(Comparator.comparing(d -> (String) d.get("series_instance_uid")));
            }
        }
    }

    @Test
    void invalidRequestsNameTheProblem() throws Exception {
        assertThatThrownBy(() -> run("{\"facets\":[\"colour\"]}")).isInstanceOf(QueryException.class)
                .hasMessageContaining("Unknown facet 'colour'").hasMessageContaining("modality");
        assertThatThrownBy(() -> run("{\"sort\":[\"series_description\"]}")).isInstanceOf(QueryException.class)
                .hasMessageContaining("Cannot sort on 'series_description'");
        assertThatThrownBy(() -> run("{\"sort\":[{\"field\":\"modality\",\"order\":\"up\"}]}")).isInstanceOf(QueryException.class)
                .hasMessageContaining("asc");
        assertThatThrownBy(() -> run("{\"search_after\":[\"a\",\"b\"]}")).isInstanceOf(QueryException.class)
                .hasMessageContaining("search_after");
        assertThatThrownBy(() -> run("{\"sort\":[\"study_date\"],\"search_after\":[\"not a date\",\"x\"]}"))
                .isInstanceOf(QueryException.class).hasMessageContaining("search_after");
        assertThatThrownBy(() -> run("{\"size\":1001}")).isInstanceOf(QueryException.class).hasMessageContaining("size");
    }
}
