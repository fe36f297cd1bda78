package org.medlake.cohort.search;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.medlake.cohort.query.CriteriaParser;
import org.medlake.cohort.query.QueryException;

/**
 * Parses the body of {@code POST /api/v1/search} (docs/search.md):
 *
 * <pre>
 * {"query": &lt;criteria&gt;, "size": 50, "facets": ["modality", "age"],
 *  "sort": [{"field": "study_date", "order": "desc"}, "modality"], "search_after": [...]}
 * </pre>
 *
 * Every member is optional: no query means every series the caller may see, size defaults to
 * {@value SeriesSearch#DEFAULT_SIZE}, no sort means series UID order. Unknown members and bad values throw
 * {@link QueryException} naming the member. Thread-safe.
 */
public final class SearchRequestParser {
    private static final Set<String> KEYS = Set.of("query", "size", "facets", "sort", "search_after");
    private final CriteriaParser criteria = new CriteriaParser();

    /** Parses a request body (a JSON object; null or missing = all defaults). */
    public SearchRequest parse(JsonNode body) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            return SearchRequest.of(criteria.parse((JsonNode) null), SeriesSearch.DEFAULT_SIZE);
        }
        if (!body.isObject()) {
            throw new QueryException("The search request must be a JSON object such as {\"query\":{...},\"size\":50}.");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new QueryException("Unknown member '" + key + "' in the search request; allowed members: query, size, "
                        + "facets, sort, search_after.");
            }
        }
        var query = criteria.parse(body.get("query"));
        int size = SeriesSearch.DEFAULT_SIZE;
        JsonNode sizeNode = body.get("size");
        if (sizeNode != null && !sizeNode.isNull()) {
            if (!sizeNode.isIntegralNumber() || !sizeNode.canConvertToInt()) {
                throw new QueryException("'size' must be a whole number between 0 and " + SeriesSearch.MAX_SIZE
                        + " but was " + sizeNode + ".");
            }
            size = sizeNode.asInt();
        }
        List<String> facets = new ArrayList<>();
        JsonNode facetNode = body.get("facets");
        if (facetNode != null && !facetNode.isNull()) {
            if (!facetNode.isArray()) {
                throw new QueryException("'facets' must be an array of facet names such as [\"modality\",\"age\"] but was "
                        + facetNode + ".");
            }
            for (JsonNode f : facetNode) {
                if (!f.isTextual()) {
                    throw new QueryException("'facets' must contain facet names (strings) but contains " + f + ".");
                }
                facets.add(f.asText());
            }
        }
        List<SearchRequest.Sort> sort = new ArrayList<>();
        JsonNode sortNode = body.get("sort");
        if (sortNode != null && !sortNode.isNull()) {
            if (!sortNode.isArray()) {
                throw new QueryException("'sort' must be an array such as [{\"field\":\"study_date\",\"order\":\"desc\"}] "
                        + "but was " + sortNode + ".");
            }
            for (JsonNode s : sortNode) {
                sort.add(sortKey(s));
            }
        }
        List<Object> after = null;
        JsonNode afterNode = body.get("search_after");
        if (afterNode != null && !afterNode.isNull()) {
            if (!afterNode.isArray()) {
                throw new QueryException("'search_after' must be the array from 'next_search_after' of the previous page "
                        + "but was " + afterNode + ".");
            }
            after = new ArrayList<>();
            for (JsonNode v : afterNode) {
                if (v.isTextual()) {
                    after.add(v.asText());
                } else if (v.isIntegralNumber() && v.canConvertToLong()) {
                    after.add(v.asLong());
                } else if (v.isNumber()) {
                    after.add(v.asDouble());
                } else if (v.isNull()) {
                    after.add(null);
                } else {
                    throw new QueryException("'search_after' values must be strings, numbers or null, as returned in "
                            + "'next_search_after', but found " + v + ".");
                }
            }
        }
        return new SearchRequest(query, size, facets, sort, after);
    }

    private static SearchRequest.Sort sortKey(JsonNode s) {
        if (s.isTextual()) {
            return new SearchRequest.Sort(s.asText(), false);
        }
        if (s.isObject() && s.has("field") && s.get("field").isTextual()) {
            for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!k.equals("field") && !k.equals("order")) {
                    throw new QueryException("Unknown member '" + k + "' in sort key " + s + "; allowed: field, order.");
                }
            }
            JsonNode order = s.get("order");
            if (order == null || order.isNull() || order.asText().equals("asc")) {
                return new SearchRequest.Sort(s.get("field").asText(), false);
            }
            if (order.asText().equals("desc")) {
                return new SearchRequest.Sort(s.get("field").asText(), true);
            }
            throw new QueryException("Sort order " + order + " in " + s + " is invalid; use \"asc\" or \"desc\".");
        }
        throw new QueryException("Sort key " + s + " is invalid; give a field name or {\"field\":\"study_date\","
                + "\"order\":\"desc\"}.");
    }
}
