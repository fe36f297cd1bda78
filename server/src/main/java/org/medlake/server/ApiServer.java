package org.medlake.server;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.eclipse.jetty.io.EofException;
import org.medlake.access.AuthenticationException;
import org.medlake.access.Caller;
import org.medlake.access.TokenAuthenticator;
import org.medlake.cohort.CohortException;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.query.Criteria;
import org.medlake.cohort.query.CriteriaParser;
import org.medlake.cohort.search.SeriesSearch;
import org.medlake.lake.LakeLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The medlake REST API (docs/contracts.md, "REST API") on Javalin 6.
 *
 * <p>Security is enforced in exactly two places: one before-handler authenticates every request except
 * {@value #HEALTH} (401 + {@code WWW-Authenticate: Bearer} on failure), and every data route restricts results to
 * {@link Caller#projects()} — instances outside them are reported as not found (404), never as forbidden.
 * All errors leave through one exception mapper as {@code application/problem+json}
 * {@code {"type","title","status","detail","code"}}: bad request/criteria 400, authentication 401, not found 404,
 * Elasticsearch/Keycloak failures 502, anything unexpected 500 without internals (the log has the stack trace,
 * matched by the {@code error_id} member).
 *
 * <p>Lifecycle: construct, {@link #start()}, {@link #stop()}. Not restartable.
 */
public final class ApiServer implements AutoCloseable {
    public static final String HEALTH = "/api/v1/health";
    public static final String PROBLEM_JSON = "application/problem+json";
    public static final String DICOM = "application/dicom";
    public static final String SHA256_HEADER = "X-Medlake-SHA256";

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final String CALLER = "medlake.caller";
    private static final Set<String> SEARCH_KEYS = Set.of("query", "size", "search_after");

    private final ServerConfig config;
    private final LakeLayout lake;
    private final TokenAuthenticator authenticator;
    private final SeriesSearch search;
    private final InstanceCatalog catalog;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final CriteriaParser parser = new CriteriaParser();
    private final ObjectMapper json = new ObjectMapper();
    private final Javalin app;

    /** A server wired from {@code config}: Keycloak issuer, Elasticsearch client, Delta Kernel reader of the lake. */
    public ApiServer(ServerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.lake = LakeLayout.at(config.lake());
        this.authenticator = new TokenAuthenticator(config.keycloakIssuer());
        ElasticsearchClient es = SeriesIndex.connect(config.esUrl());
        resources.add(() -> SeriesIndex.close(es));
        this.search = new SeriesSearch(es, config.esUrl());
        this.catalog = new InstanceCatalog(lake, new DeltaTableReader());
        this.app = createApp();
    }

    /**
     * A server with explicit collaborators (e.g. a search on an isolated index in tests); {@code config} supplies
     * host, port and lake. The caller owns and closes the collaborators.
     */
    public ApiServer(ServerConfig config, TokenAuthenticator authenticator, SeriesSearch search, InstanceCatalog catalog) {
        this.config = Objects.requireNonNull(config, "config");
        this.lake = LakeLayout.at(config.lake());
        this.authenticator = Objects.requireNonNull(authenticator);
        this.search = Objects.requireNonNull(search);
        this.catalog = Objects.requireNonNull(catalog);
        this.app = createApp();
    }

    /** Binds {@code config.host():config.port()} and starts serving; returns the bound port (useful with port 0). */
    public int start() {
        app.start(config.host(), config.port());
        LOG.info("medlake API on {}:{} (lake {}, ES {}, issuer {})", config.host(), app.port(), lake.root(),
                config.esUrl(), config.keycloakIssuer());
        return app.port();
    }

    /** The bound port (after {@link #start()}). */
    public int port() {
        return app.port();
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8080} (after {@link #start()}). */
    public String baseUrl() {
        return "http://" + config.host() + ":" + app.port();
    }

    /** Stops serving and closes the resources this server created. Idempotent. */
    public void stop() {
        app.stop();
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", r, e.toString());
            }
        }
        resources.clear();
    }

    @Override
    public void close() {
        stop();
    }

    private Javalin createApp() {
        Javalin javalin = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.http.disableCompression();
            cfg.http.maxRequestSize = 1_000_000L;
            cfg.jsonMapper(new JavalinJackson(json, false));
        });
        javalin.before(this::authenticate);
        javalin.get(HEALTH, ctx -> ctx.json(Map.of("status", "ok")));
        javalin.post("/api/v1/series/search", this::searchSeries);
        javalin.get("/api/v1/series/{seriesUid}/instances", this::seriesInstances);
        javalin.get("/api/v1/instances/{sopUid}/file", this::instanceFile);
        javalin.exception(Exception.class, this::problem);
        // Javalin answers unknown routes (404) and wrong methods (405) itself; turn those into problems too.
        javalin.error(404, ctx -> {
            if (!isProblem(ctx)) {
                problem(ApiException.notFound("No API route " + ctx.method() + " " + ctx.path() + ". See docs/contracts.md "
                        + "for the routes under /api/v1."), ctx);
            }
        });
        javalin.error(405, ctx -> {
            if (!isProblem(ctx)) {
                problem(new ApiException(ApiException.ErrorCode.USER_ERROR, 405, "Method " + ctx.method()
                        + " is not allowed on " + ctx.path() + ". See docs/contracts.md for the routes under /api/v1."), ctx);
            }
        });
        return javalin;
    }

    private static boolean isProblem(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith(PROBLEM_JSON);
    }

    // ---- enforcement ----

    private void authenticate(Context ctx) {
        if (ctx.path().equals(HEALTH)) {
            return;
        }
        ctx.attribute(CALLER, authenticator.authenticateHeader(ctx.header("Authorization")));
    }

    private static Caller caller(Context ctx) {
        Caller c = ctx.attribute(CALLER);
        if (c == null) {
            throw new IllegalStateException("route reached without an authenticated caller");
        }
        return c;
    }

    // ---- routes ----

    private void searchSeries(Context ctx) {
        Caller caller = caller(ctx);
        JsonNode body = readBody(ctx);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!SEARCH_KEYS.contains(key)) {
                throw ApiException.badRequest("Unknown member '" + key + "' in the search request; allowed members: "
                        + "query, size, search_after.");
            }
        }
        Criteria criteria = parser.parse(body.get("query"));
        int size = SeriesSearch.DEFAULT_SIZE;
        JsonNode sizeNode = body.get("size");
        if (sizeNode != null && !sizeNode.isNull()) {
            if (!sizeNode.isIntegralNumber() || !sizeNode.canConvertToInt()) {
                throw ApiException.badRequest("'size' must be a whole number between 1 and " + SeriesSearch.MAX_SIZE
                        + " but was " + sizeNode + ".");
            }
            size = sizeNode.asInt();
        }
        List<Object> after = null;
        JsonNode afterNode = body.get("search_after");
        if (afterNode != null && !afterNode.isNull()) {
            if (!afterNode.isArray()) {
                throw ApiException.badRequest("'search_after' must be the array from 'next_search_after' of the previous "
                        + "page but was " + afterNode + ".");
            }
            after = new ArrayList<>();
            for (JsonNode v : afterNode) {
                after.add(v.isTextual() ? v.asText() : v.toString());
            }
        }
        SeriesSearch.Page page = search.search(criteria, caller.projects(), size, after);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", page.total());
        out.put("series", page.series());
        out.put("next_search_after", page.nextSearchAfter());
        ctx.json(out);
    }

    private void seriesInstances(Context ctx) {
        Caller caller = caller(ctx);
        String series = ctx.pathParam("seriesUid");
        List<Map<String, Object>> instances = new ArrayList<>();
        for (InstanceCatalog.Instance i : catalog.series(series)) {
            if (caller.projects().contains(i.project())) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("sop_instance_uid", i.sopInstanceUid());
                m.put("sha256", i.sha256());
                m.put("size_bytes", i.sizeBytes());
                m.put("instance_number", i.instanceNumber());
                instances.add(m);
            }
        }
        if (instances.isEmpty()) {
            throw ApiException.notFound("Series '" + series + "' is not in the lake or not in your projects "
                    + caller.projects() + ". Check the UID (search results list series_instance_uid) or ask a project "
                    + "admin for access.");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("series_instance_uid", series);
        out.put("instances", instances);
        ctx.json(out);
    }

    private void instanceFile(Context ctx) throws IOException {
        Caller caller = caller(ctx);
        String sop = ctx.pathParam("sopUid");
        InstanceCatalog.Instance instance = catalog.instance(sop)
                .filter(i -> caller.projects().contains(i.project()))
                .orElseThrow(() -> ApiException.notFound("Instance '" + sop + "' is not in the lake or not in your "
                        + "projects " + caller.projects() + ". Check the SOP Instance UID (see "
                        + "/api/v1/series/{seriesUid}/instances)."));
        Path file;
        try {
            file = lake.resolve(instance.location());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiException.ErrorCode.INTERNAL, 500, "Instance '" + sop + "' has an invalid "
                    + "location in the instances table (" + e.getMessage() + "); the table must be repaired by re-ingesting.", e);
        }
        if (!Files.isRegularFile(file)) {
            throw new ApiException(ApiException.ErrorCode.INTERNAL, 500, "The stored file of instance '" + sop
                    + "' (" + instance.location() + ") is missing from the lake; the lake object store was modified "
                    + "outside medlake. Re-ingest the source or restore the object.");
        }
        long size = Files.size(file);
        ctx.status(200);
        ctx.contentType(DICOM);
        ctx.header(SHA256_HEADER, instance.sha256());
        ctx.header("Content-Disposition", "attachment; filename=\"" + sop.replaceAll("[^0-9A-Za-z._-]", "_") + ".dcm\"");
        ctx.res().setContentLengthLong(size);
        try (InputStream in = Files.newInputStream(file)) {
            OutputStream out = ctx.res().getOutputStream();
            in.transferTo(out);
            out.flush();
        } catch (EofException e) {
            LOG.debug("client went away while downloading {}", sop);
        }
    }

    private JsonNode readBody(Context ctx) {
        String body = ctx.body();
        if (body.isBlank()) {
            return json.createObjectNode();
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("The request body is not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + "). Send a JSON object "
                    + "such as {\"query\":{\"eq\":{\"modality\":\"CT\"}},\"size\":50}.");
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("The request body must be a JSON object such as {\"query\":{...},\"size\":50} "
                    + "but was a JSON " + node.getNodeType().name().toLowerCase() + ".");
        }
        return node;
    }

    // ---- the one exception mapper ----

    private void problem(Exception e, Context ctx) {
        int status;
        String code;
        String detail;
        if (e instanceof AuthenticationException a) {
            status = 401;
            code = a.code().name();
            detail = a.getMessage();
            ctx.header("WWW-Authenticate", "Bearer realm=\"medlake\"");
        } else if (e instanceof ApiException a) {
            status = a.status();
            code = a.code().name();
            detail = a.getMessage();
            if (status >= 500) {
                LOG.error("{} {} failed: {}", ctx.method(), ctx.path(), a.getMessage(), a);
            }
        } else if (e instanceof CohortException c) {
            code = c.code().name();
            detail = c.getMessage();
            status = switch (c.code()) {
                case USER_ERROR -> 400;
                case EXTERNAL -> 502;
                case INTERNAL -> 500;
            };
            if (status >= 500) {
                LOG.error("{} {} failed: {}", ctx.method(), ctx.path(), c.getMessage(), c);
            }
        } else if (e instanceof HttpResponseException h) {
            status = h.getStatus();
            code = status < 500 ? "USER_ERROR" : "INTERNAL";
            detail = h.getMessage();
        } else {
            String id = UUID.randomUUID().toString();
            LOG.error("{} {} failed unexpectedly (error_id {})", ctx.method(), ctx.path(), id, e);
            status = 500;
            code = "INTERNAL";
            detail = "Unexpected server error (error_id " + id + "). This is a medlake bug; report it with the error_id, "
                    + "which identifies the stack trace in the server log.";
        }
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "urn:medlake:problem:" + slug(status));
        problem.put("title", title(status));
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("code", code);
        ctx.status(status);
        try {
            ctx.result(json.writeValueAsString(problem));
        } catch (JsonProcessingException impossible) {
            ctx.result("{\"status\":" + status + "}");
        }
        ctx.contentType(PROBLEM_JSON);
    }

    private static String title(int status) {
        HttpStatus s = HttpStatus.forStatus(status);
        return s == HttpStatus.UNKNOWN ? "Error " + status : s.getMessage();
    }

    private static String slug(int status) {
        return switch (status) {
            case 400 -> "bad-request";
            case 401 -> "unauthorized";
            case 404 -> "not-found";
            case 502 -> "upstream-failure";
            default -> status >= 500 ? "internal-error" : "http-" + status;
        };
    }
}
