package org.medlake.server;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.access.TokenAuthenticator;
import org.medlake.cohort.bench.SyntheticSeriesDocs;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.query.CriteriaParser;
import org.medlake.cohort.search.SeriesSearch;
import org.medlake.cohort.testing.SearchTestIndex;
import org.medlake.lake.LakeLayout;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;

/**
 * {@code POST /api/v1/search} (and its alias {@code /api/v1/series/search}) through the real server, Keycloak and
 * Elasticsearch, over 900 synthetic series in projects {@code demo} (alice) and {@code other} (bob).
 */
class SearchApiIT {
    @TempDir
    static Path lake;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SeriesIndex.Names NAMES = SeriesIndex.isolated("search-api-it-" + UUID.randomUUID().toString().substring(0, 8));
    private static ElasticsearchClient es;
    private static ApiServer server;
    private static String alice;
    private static String bob;
    private static List<Map<String, Object>> docs;

    @BeforeAll
    static void start() throws Exception {
        String esUrl = MedlakeServices.elasticsearchUrl();
        String issuer = KeycloakTestRealm.issuer();
        alice = KeycloakTestRealm.passwordToken("alice", "alice").raw();
        bob = KeycloakTestRealm.passwordToken("bob", "bob").raw();
        es = SeriesIndex.connect(esUrl);
        docs = new ArrayList<>();
        List<Map<String, Object>> generated = new SyntheticSeriesDocs(11).range(0, 900);
        for (int i = 0; i < generated.size(); i++) {
            Map<String, Object> d = new java.util.LinkedHashMap<>(generated.get(i));
            d.put("project", i % 3 == 0 ? "other" : "demo");
            docs.add(d);
        }
        SearchTestIndex.load(es, esUrl, NAMES, docs);
        server = new ApiServer(new ServerConfig(lake, "127.0.0.1", 0, esUrl, issuer), new TokenAuthenticator(issuer),
                new SeriesSearch(es, esUrl, NAMES), new InstanceCatalog(LakeLayout.at(lake), new DeltaTableReader()));
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
        if (es != null) {
            SeriesIndex.drop(es, NAMES);
            SeriesIndex.close(es);
        }
    }

    private static HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(String token, String body) throws Exception {
        HttpResponse<String> r = post("/api/v1/search", token, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static long visible(String project, java.util.function.Predicate<Map<String, Object>> p) {
        return docs.stream().filter(d -> Boolean.TRUE.equals(d.get("released")) && project.equals(d.get("project")))
                .filter(p).count();
    }

    @Test
    void noQueryMeansEverySeriesTheCallerMaySee() throws Exception {
        JsonNode a = ok(alice, "{\"size\":5}");
        assertThat(a.get("total").asLong()).isEqualTo(visible("demo", d -> true)).isPositive();
        assertThat(a.get("items")).hasSize(5).allSatisfy(item -> {
            assertThat(item.get("project").asText()).isEqualTo("demo");
            assertThat(item.get("series_instance_uid").asText()).isNotBlank();
            assertThat(item.has("modality")).isTrue();
            assertThat(item.has("patient_age_bucket") || item.has("magnetic_field_strength_bucket")).as("internal fields").isFalse();
        });
        assertThat(a.get("next_search_after").isArray()).isTrue();
        assertThat(a.get("facets").isObject()).isTrue();
        assertThat(ok(bob, "{}").get("total").asLong()).isEqualTo(visible("other", d -> true));
        assertThat(ok(alice, "").get("total").asLong()).isEqualTo(visible("demo", d -> true));
    }

    @Test
    void theProjectFilterCannotBeWidened() throws Exception {
        assertThat(ok(alice, "{\"query\":{\"eq\":{\"project\":\"other\"}}}").get("total").asLong()).isZero();
        assertThat(ok(alice, "{\"query\":{\"in\":{\"project\":[\"other\",\"demo\"]}}}").get("total").asLong())
                .isEqualTo(visible("demo", d -> true));
        assertThat(ok(alice, "{\"query\":{\"or\":[{\"eq\":{\"project\":\"other\"}},{\"not\":{\"eq\":{\"project\":\"demo\"}}}]}}")
                .get("total").asLong()).isZero();
    }

    @Test
    void facetsAreCountedOverAllMatches() throws Exception {
        JsonNode r = ok(alice, "{\"query\":{\"eq\":{\"modality\":\"MR\"}},\"size\":0,\"facets\":[\"series_type\",\"field_strength\",\"age\"]}");
        assertThat(r.get("items")).isEmpty();
        assertThat(r.get("next_search_after").isNull()).isTrue();
        Map<String, Long> want = new TreeMap<>();
        docs.stream().filter(d -> Boolean.TRUE.equals(d.get("released")) && "demo".equals(d.get("project")) && "MR".equals(d.get("modality")))
                .forEach(d -> want.merge((String) d.get("series_type"), 1L, Long::sum));
        Map<String, Long> got = new TreeMap<>();
        r.get("facets").get("series_type").get("buckets").forEach(b -> got.put(b.get("key").asText(), b.get("count").asLong()));
        assertThat(got).isEqualTo(want);
        long strength3 = visible("demo", d -> "MR".equals(d.get("modality")) && Double.valueOf(3.0).equals(d.get("magnetic_field_strength")));
        JsonNode three = null;
        for (JsonNode b : r.get("facets").get("field_strength").get("buckets")) {
            if (b.get("key").asDouble() == 3.0) {
                three = b;
            }
        }
        assertThat(three).isNotNull();
        assertThat(three.get("count").asLong()).isEqualTo(strength3);
        assertThat(three.get("to").asDouble()).isEqualTo(3.5);
        assertThat(r.get("facets").get("age").get("buckets").get(0).has("key")).isTrue();
    }

    @Test
    void pagingThroughEverythingYieldsEachSeriesOnce() throws Exception {
        Set<String> uids = new HashSet<>();
        int items = 0;
        JsonNode after = null;
        do {
            String body = "{\"size\":64,\"sort\":[{\"field\":\"patient_age_years\",\"order\":\"desc\"},\"manufacturer\"]"
                    + (after == null ? "" : ",\"search_after\":" + after) + "}";
            JsonNode page = ok(alice, body);
            for (JsonNode item : page.get("items")) {
                uids.add(item.get("series_instance_uid").asText());
                items++;
            }
            after = page.get("next_search_after").isNull() ? null : page.get("next_search_after");
        } while (after != null);
        assertThat(items).isEqualTo(uids.size()).isEqualTo((int) visible("demo", d -> true));
    }

    @Test
    void theOldRouteIsAnAliasOfTheSameSearch() throws Exception {
        HttpResponse<String> r = post("/api/v1/series/search", alice, "{\"query\":{\"eq\":{\"modality\":\"CT\"}},\"size\":10,\"facets\":[\"modality\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode old = JSON.readTree(r.body());
        JsonNode now = ok(alice, "{\"query\":{\"eq\":{\"modality\":\"CT\"}},\"size\":10,\"facets\":[\"modality\"]}");
        assertThat(old.get("items")).isEqualTo(now.get("items"));
        assertThat(old.get("series")).isEqualTo(now.get("items"));
        assertThat(old.get("facets")).isEqualTo(now.get("facets"));
        assertThat(old.get("total")).isEqualTo(now.get("total"));
    }

    @Test
    void invalidRequestsAre400ProblemsNaming() throws Exception {
        String deep = "{\"not\":".repeat(CriteriaParser.MAX_DEPTH + 2) + "{\"exists\":\"site\"}" + "}".repeat(CriteriaParser.MAX_DEPTH + 2);
        StringBuilder huge = new StringBuilder("{\"in\":{\"site\":[");
        for (int i = 0; i <= CriteriaParser.MAX_IN_VALUES; i++) {
            huge.append(i == 0 ? "" : ",").append("\"s").append(i).append('"');
        }
        huge.append("]}}");
        StringBuilder many = new StringBuilder("{\"or\":[");
        for (int i = 0; i <= CriteriaParser.MAX_CLAUSES; i++) {
            many.append(i == 0 ? "" : ",").append("{\"eq\":{\"site\":\"s").append(i).append("\"}}");
        }
        many.append("]}");
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"query\":{\"eq\":{\"colour\":\"red\"}}}", "Unknown field 'colour'");
        cases.put("{\"query\":{\"eq\":{\"patient_age_years\":\"old\"}}}", "patient_age_years");
        cases.put("{\"query\":{\"range\":{\"study_date\":{\"gte\":\"yesterday\"}}}}", "study_date");
        cases.put("{\"query\":{\"range\":{\"study_date\":{\"gte\":\"2024-02-30\"}}}}", "study_date");
        cases.put("{\"query\":{\"eq\":{\"series_number\":99999999999}}}", "out of range");
        cases.put("{\"query\":{\"in\":{\"patient_age_years\":[40.5]}}}", "whole number");
        cases.put("{\"query\":{\"eq\":{\"modality\":[\"MR\"]}}}", "strings or numbers");
        cases.put("{\"query\":{\"eq\":{\"modality\":\"MR\",\"site\":\"a\"}}}", "exactly one field");
        cases.put("{\"query\":{\"exists\":\"released\"}}", "Unknown field 'released'");
        cases.put("{\"query\":{\"match\":{\"modality\":\"MR\"}}}", "'match' is not allowed");
        cases.put("{\"query\":{\"like\":{\"modality\":\"MR\"}}}", "unknown operator 'like'");
        cases.put("{\"query\":" + deep + "}", "nested deeper than " + CriteriaParser.MAX_DEPTH);
        cases.put("{\"query\":" + huge + "}", "at most " + CriteriaParser.MAX_IN_VALUES);
        cases.put("{\"query\":" + many + "}", "at most " + CriteriaParser.MAX_CLAUSES);
        cases.put("{\"facets\":[\"colour\"]}", "Unknown facet 'colour'");
        cases.put("{\"facets\":\"modality\"}", "'facets'");
        cases.put("{\"sort\":[\"series_description\"]}", "Cannot sort on 'series_description'");
        cases.put("{\"sort\":[\"study_date\"],\"search_after\":[\"x\"]}", "search_after");
        cases.put("{\"sort\":[\"study_date\"],\"search_after\":[\"not a date\",\"x\"]}", "search_after");
        cases.put("{\"size\":-1}", "size");
        cases.put("{\"limit\":3}", "'limit'");
        cases.put("[1,2]", "JSON object");
        cases.put("{\"query\":", "not valid JSON");
        for (var c : cases.entrySet()) {
            HttpResponse<String> r = post("/api/v1/search", alice, c.getKey());
            assertThat(r.statusCode()).as(c.getKey() + " -> " + r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            JsonNode p = JSON.readTree(r.body());
            assertThat(p.get("status").asInt()).isEqualTo(400);
            assertThat(p.get("code").asText()).isEqualTo("USER_ERROR");
            assertThat(p.get("detail").asText()).as(c.getKey()).contains(c.getValue());
        }
        assertThat(post("/api/v1/search", null, "{}").statusCode()).isEqualTo(401);
    }
}
