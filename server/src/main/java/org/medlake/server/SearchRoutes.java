package org.medlake.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.medlake.access.Caller;
import org.medlake.cohort.search.SearchRequest;
import org.medlake.cohort.search.SearchRequestParser;
import org.medlake.cohort.search.SeriesSearch;

/**
 * The search routes (docs/search.md):
 *
 * <ul>
 *   <li>{@value #SEARCH} with {@code {"query","size","facets","sort","search_after"}} answers
 *       {@code {"total":N,"items":[...],"facets":{...},"next_search_after":[...]|null}};</li>
 *   <li>{@value #SERIES_SEARCH}, the earlier name of the same search, answers the same plus {@code "series"} (the
 *       items again) for clients written against it.</li>
 * </ul>
 *
 * The caller's projects come from the verified token, never from the request, and are added to every query by
 * {@link SeriesSearch}; only released series are found. Invalid requests raise
 * {@link org.medlake.cohort.query.QueryException}, which the server's one exception mapper turns into a 400
 * problem naming the member, field, operator or facet.
 */
final class SearchRoutes {
    static final String SEARCH = "/api/v1/search";
    static final String SERIES_SEARCH = "/api/v1/series/search";

    private final SeriesSearch search;
    private final Function<Context, JsonNode> body;
    private final Function<Context, Caller> caller;
    private final SearchRequestParser parser = new SearchRequestParser();

    /**
     * @param search the searcher (its alias decides the index)
     * @param body   reads the request body as a JSON object (400 on malformed JSON)
     * @param caller the authenticated caller of a request
     */
    SearchRoutes(SeriesSearch search, Function<Context, JsonNode> body, Function<Context, Caller> caller) {
        this.search = Objects.requireNonNull(search);
        this.body = Objects.requireNonNull(body);
        this.caller = Objects.requireNonNull(caller);
    }

    void register(Javalin app) {
        app.post(SEARCH, ctx -> ctx.json(answer(ctx, false)));
        app.post(SERIES_SEARCH, ctx -> ctx.json(answer(ctx, true)));
    }

    private Map<String, Object> answer(Context ctx, boolean legacy) {
        Caller who = caller.apply(ctx);
        SearchRequest request = parser.parse(body.apply(ctx));
        SeriesSearch.Result result = search.search(request, who.projects());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", result.total());
        out.put("items", result.items());
        if (legacy) {
            out.put("series", result.items());
        }
        out.put("facets", result.facets());
        out.put("next_search_after", result.nextSearchAfter());
        return out;
    }
}
