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
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.time.Instant;
import org.medlake.access.AccessException;
import org.medlake.access.AuthenticationException;
import org.medlake.access.KeycloakProjectAdmin;
import org.medlake.access.Caller;
import org.medlake.access.ProjectRole;
import org.medlake.access.TokenAuthenticator;
import org.medlake.cohort.CohortException;
import org.medlake.cohort.delta.DeltaTableAppender;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.index.ReleaseFlags;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.query.Criteria;
import org.medlake.cohort.query.CriteriaParser;
import org.medlake.cohort.release.CurationState;
import org.medlake.cohort.release.CurationTables.SeriesCuration;
import org.medlake.cohort.release.DeidOverrideLog;
import org.medlake.cohort.release.ReleaseCatalog;
import org.medlake.cohort.release.ReleasePolicy;
import org.medlake.cohort.search.SeriesSearch;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.LakeObjects;
import org.medlake.server.audit.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The medlake REST API (docs/contracts.md, "REST API") on Javalin 6.
 *
 * <p>Security is enforced in exactly two places: one before-handler authenticates every request except the public
 * ones ({@link #isPublic}: {@value #HEALTH}, the OpenAPI document, {@code /api/v1/config} and the web app) (401 + {@code WWW-Authenticate: Bearer} on failure), and every data route restricts results to
 * {@link Caller#projects()} — instances outside them are reported as not found (404), never as forbidden.
 * Inside the caller's projects, only <em>released</em> series ({@link ReleasePolicy}) are searchable, listed and
 * downloadable; listing or downloading an unreleased one is 403 {@code NOT_RELEASED} with the reason and the fix.
 * A project admin may release a series that failed the de-identification check (or withdraw that) with
 * {@code POST /api/v1/series/{uid}/deid-override}; the override is appended to the {@code deid_overrides} Delta
 * table and logged on the {@value #AUDIT_LOGGER} logger.
 * All errors leave through one exception mapper as {@code application/problem+json}
 * {@code {"type","title","status","detail","code"}}: bad request/criteria 400, authentication 401, forbidden or not
 * released 403, not found 404, conflict with the lake's state 409, Elasticsearch/Keycloak failures 502, anything
 * unexpected 500 without internals (the log has the stack trace, matched by the {@code error_id} member).
 *
 * <p>Every request but the public ones is recorded in the lake's hash-chained {@code audit_log}
 * table by one after-handler ({@link AuditRoutes}, which also serves {@code GET /api/v1/audit}); project membership
 * is managed in Keycloak by {@link MembershipRoutes}. One server process writes the audit log of a lake.
 *
 * <p>The cohort routes are registered by {@link CohortRoutes}, the NIfTI download and the OpenAPI document
 * ({@value DownloadRoutes#OPENAPI}, served without a token) by {@link DownloadRoutes}; file downloads honour HTTP
 * range requests ({@link FileResponses}). Every route must be described in {@code openapi.json}.
 *
 * <p>The web app (module {@code web/}) is served at {@code /} by {@link WebApp}; {@link AccountRoutes} gives it its
 * sign-in configuration and the caller's roles, {@link DataManagerRoutes} the ingest, quarantine and curation views.
 *
 * <p>Lifecycle: construct, {@link #start()}, {@link #stop()}. Not restartable.
 */
public final class ApiServer implements AutoCloseable {
    public static final String HEALTH = "/api/v1/health";
    public static final String PROBLEM_JSON = "application/problem+json";
    public static final String DICOM = "application/dicom";
    public static final String SHA256_HEADER = "X-Medlake-SHA256";

    /** Logger name of the audit trail (one line per state-changing action). */
    public static final String AUDIT_LOGGER = "medlake.audit";
    /** Shortest accepted override reason, so that the audit trail says something. */
    static final int MIN_REASON = 10;
    static final int MAX_REASON = 2000;

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final Logger AUDIT = LoggerFactory.getLogger(AUDIT_LOGGER);
    private static final Set<String> OVERRIDE_KEYS = Set.of("reason", "action");
    static final String CALLER = "medlake.caller";

    private final ServerConfig config;
    private final LakeLayout lake;
    private final LakeObjects objects;
    private final TokenAuthenticator authenticator;
    private final SeriesSearch search;
    private final InstanceCatalog catalog;
    private final ReleaseCatalog releases;
    private final DeidOverrideLog overrideLog;
    private final ReleaseFlags releaseFlags;
    private final AuditLog auditLog;
    private final WebApp webApp;
    private final TableCache tables = new TableCache(new DeltaTableReader());
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final CriteriaParser parser = new CriteriaParser();
    private final ObjectMapper json = new ObjectMapper();
    private final List<String> routes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Javalin app;

    /** A server wired from {@code config}: Keycloak issuer, Elasticsearch client, Delta Kernel reader of the lake. */
    public ApiServer(ServerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.lake = LakeLayout.at(config.lake());
        this.objects = new LakeObjects(lake);
        this.authenticator = new TokenAuthenticator(config.keycloakIssuer());
        ElasticsearchClient es = SeriesIndex.connect(config.esUrl());
        resources.add(() -> SeriesIndex.close(es));
        this.search = new SeriesSearch(es, config.esUrl());
        DeltaTableReader reader = new DeltaTableReader();
        this.catalog = new InstanceCatalog(lake, reader);
        this.releases = new ReleaseCatalog(lake, reader);
        this.overrideLog = new DeidOverrideLog(lake, new DeltaTableAppender("medlake-server"));
        this.releaseFlags = search.releaseFlags();
        this.auditLog = openAuditLog();
        this.webApp = WebApp.of(config);
        this.app = createApp();
    }

    /**
     * A server with explicit collaborators (e.g. a search on an isolated index in tests); {@code config} supplies
     * host, port and lake. The caller owns and closes the collaborators. The curation tables are read from (and
     * overrides written to) {@code config.lake()}; release changes are written to the index behind {@code search}.
     */
    public ApiServer(ServerConfig config, TokenAuthenticator authenticator, SeriesSearch search, InstanceCatalog catalog) {
        this.config = Objects.requireNonNull(config, "config");
        this.lake = LakeLayout.at(config.lake());
        this.objects = new LakeObjects(lake);
        this.authenticator = Objects.requireNonNull(authenticator);
        this.search = Objects.requireNonNull(search);
        this.catalog = Objects.requireNonNull(catalog);
        this.releases = new ReleaseCatalog(lake, new DeltaTableReader());
        this.overrideLog = new DeidOverrideLog(lake, new DeltaTableAppender("medlake-server"));
        this.releaseFlags = search.releaseFlags();
        this.auditLog = openAuditLog();
        this.webApp = WebApp.of(config);
        this.app = createApp();
    }

    private AuditLog openAuditLog() {
        AuditLog log = new AuditLog(lake, new DeltaTableAppender("medlake-server-audit"), new DeltaTableReader(),
                java.time.Duration.ofSeconds(1));
        resources.add(log);
        return log;
    }

    /** The audit trail of this server (flush it to see recent requests in the Delta table). */
    public AuditLog auditLog() {
        return auditLog;
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

    /**
     * Every handler registered on the Javalin app as {@code "METHOD /path"} (including before/after handlers as
     * {@code BEFORE ...}); the OpenAPI document must describe every HTTP route among them.
     */
    List<String> routes() {
        return List.copyOf(routes);
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
            cfg.events.handlerAdded(h -> routes.add(h.getHttpMethod().name() + " " + h.getPath()));
            webApp.configure(cfg);
        });
        javalin.before(this::authenticate);
        javalin.get(HEALTH, ctx -> ctx.json(Map.of("status", "ok")));
        new SearchRoutes(search, this::readBody, ApiServer::caller).register(javalin);
        javalin.get("/api/v1/series/{seriesUid}/instances", this::seriesInstances);
        javalin.get("/api/v1/instances/{sopUid}/file", this::instanceFile);
        javalin.post("/api/v1/series/{seriesUid}/deid-override", this::deidOverride);
        new CohortRoutes(this, lake, search, json).register(javalin);
        new DownloadRoutes(this, lake, catalog).register(javalin);
        new MembershipRoutes(this, KeycloakProjectAdmin.fromEnv(config.keycloakIssuer(), System.getenv())).register(javalin);
        new AuditRoutes(auditLog).register(javalin);
        new AccountRoutes(authenticator.issuer()).register(javalin);
        new DataManagerRoutes(lake, tables, releases).register(javalin);
        for (String route : routes) {
            // Paths outside /api/ are the web app's and skip authentication: no endpoint may live there.
            String path = route.substring(route.indexOf(' ') + 1);
            String method = route.substring(0, route.indexOf(' '));
            if (Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS").contains(method) && !WebApp.isApi(path)) {
                throw new IllegalStateException("route " + route + " is outside /api/, where requests are not authenticated");
            }
        }
        javalin.exception(Exception.class, this::problem);
        // Javalin answers unknown routes (404) and wrong methods (405) itself; turn those into problems too.
        javalin.error(404, ctx -> {
            if (!isProblem(ctx) && !WebApp.isApi(ctx.path()) && webApp.fallback(ctx)) {
                return;
            }
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
        if (isPublic(ctx.path())) {
            return;
        }
        ctx.attribute(CALLER, authenticator.authenticateHeader(ctx.header("Authorization")));
    }

    /** Paths served without a token: health, the OpenAPI document, the web app's config, and the web app itself. */
    static boolean isPublic(String path) {
        return path.equals(HEALTH) || path.equals(DownloadRoutes.OPENAPI) || path.equals(AccountRoutes.CONFIG)
                || !WebApp.isApi(path);
    }

    static Caller caller(Context ctx) {
        Caller c = ctx.attribute(CALLER);
        if (c == null) {
            throw new IllegalStateException("route reached without an authenticated caller");
        }
        return c;
    }

    // ---- routes ----

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
        AuditRoutes.details(ctx).project(catalog.series(series).stream().map(InstanceCatalog.Instance::project)
                .filter(caller.projects()::contains).findFirst().orElse(null));
        requireReleased(series);
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
        AuditRoutes.details(ctx).project(instance.project()).series(instance.seriesInstanceUid());
        requireReleased(instance.seriesInstanceUid());
        LakeObjects.ObjectRef object;
        try {
            object = objects.locate(instance.location());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiException.ErrorCode.INTERNAL, 500, "Instance '" + sop + "' has an invalid "
                    + "location in the instances table (" + e.getMessage() + "); the table must be repaired by re-ingesting.", e);
        } catch (NoSuchFileException e) {
            throw new ApiException(ApiException.ErrorCode.INTERNAL, 500, "The stored file of instance '" + sop
                    + "' (" + instance.location() + ") is missing from the lake; the lake object store was modified "
                    + "outside medlake. Re-ingest the source or restore the object.", e);
        } catch (IOException e) {
            // e.g. a region beyond its pack's end. The cause names server paths, so it goes to the log only.
            throw new ApiException(ApiException.ErrorCode.INTERNAL, 500, "The stored bytes of instance '" + sop
                    + "' (" + instance.location() + ") cannot be read from the lake; the server log names the cause "
                    + "(e.g. a pack damaged outside medlake). Restore the object store from a backup or re-ingest the "
                    + "source.", e);
        }
        ctx.header(SHA256_HEADER, instance.sha256());
        ctx.header("Content-Disposition", "attachment; filename=\"" + sop.replaceAll("[^0-9A-Za-z._-]", "_") + ".dcm\"");
        FileResponses.send(ctx, object, DICOM, instance.sha256());
    }

    /**
     * Throws 403 {@code NOT_RELEASED} unless the series is released. Call only after the project check, so that
     * callers outside the project still get 404 and learn nothing about the series.
     */
    void requireReleased(String series) {
        CurationState state = releases.current();
        ReleasePolicy.Outcome outcome = state.outcome(series);
        if (outcome.released()) {
            return;
        }
        if (outcome == ReleasePolicy.Outcome.NOT_CURATED) {
            throw ApiException.notReleased("Series '" + series + "' is not released: it has not been curated yet (no "
                    + "series_curation row), and only curated series are served. Run the curation (medlake curate) on "
                    + "the lake, then retry.");
        }
        Map<String, Object> row = state.curation(series).orElseThrow();
        Object rules = row.get("deid_rules");
        String project = (String) row.get(SeriesCuration.PROJECT);
        throw ApiException.notReleased("Series '" + series + "' is not released: its de-identification check FAILed"
                + (rules instanceof List<?> l && !l.isEmpty() ? " (rules " + l + ")" : "") + ", so it may contain "
                + "identifying data. Fix the data and re-curate it, or have an admin of project '" + project + "' review "
                + "it and release it with POST /api/v1/series/" + series + "/deid-override {\"reason\": \"...\"}.");
    }

    /**
     * {@code POST /api/v1/series/{uid}/deid-override} {@code {"reason": "...", "action": "OVERRIDE"|"REVOKE"}}:
     * a project admin releases a series that failed the de-identification check (OVERRIDE, the default) or
     * withdraws such a release (REVOKE). See docs/contracts.md for the status codes.
     */
    private void deidOverride(Context ctx) {
        Caller caller = caller(ctx);
        String series = ctx.pathParam("seriesUid");
        CurationState state = releases.current();
        Optional<Map<String, Object>> curation = state.curation(series);
        // The series' project: the curation row's, else its instances' (an uncurated series is still visible).
        String project = curation.map(r -> (String) r.get(SeriesCuration.PROJECT))
                .or(() -> catalog.series(series).stream().map(InstanceCatalog.Instance::project).filter(Objects::nonNull).findFirst())
                .orElse(null);
        if (project == null || !caller.projects().contains(project)) {
            throw ApiException.notFound("Series '" + series + "' is not in the lake or not in your projects "
                    + caller.projects() + ". Check the UID (search results list series_instance_uid) or ask a project "
                    + "admin for access.");
        }
        AuditRoutes.details(ctx).project(project);
        if (!caller.hasRole(project, ProjectRole.ADMIN)) {
            throw ApiException.forbidden("Only an admin of project '" + project + "' may override the de-identification "
                    + "check of series '" + series + "'; you are " + caller.role(project).map(ProjectRole::groupName)
                    .orElse("not a member") + " there. Ask a project admin (group /projects/" + project + "/admin) to review "
                    + "the series.");
        }
        JsonNode body = readBody(ctx);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!OVERRIDE_KEYS.contains(key)) {
                throw ApiException.badRequest("Unknown member '" + key + "' in the override request; allowed members: "
                        + "reason, action.");
            }
        }
        JsonNode reasonNode = body.get("reason");
        String reason = reasonNode != null && reasonNode.isTextual() ? reasonNode.asText().strip() : null;
        if (reason == null || reason.length() < MIN_REASON || reason.length() > MAX_REASON) {
            throw ApiException.badRequest("'reason' is required: a string of " + MIN_REASON + " to " + MAX_REASON
                    + " characters saying why the series may be released (it is kept in the audit trail), but was "
                    + (reasonNode == null ? "missing" : reasonNode.isTextual() ? reason.length() + " characters" : reasonNode)
                    + ".");
        }
        JsonNode actionNode = body.get("action");
        String action = actionNode == null || actionNode.isNull() ? ReleasePolicy.OVERRIDE : actionNode.asText();
        if (actionNode != null && !actionNode.isNull() && !actionNode.isTextual()
                || !action.equals(ReleasePolicy.OVERRIDE) && !action.equals(ReleasePolicy.REVOKE)) {
            throw ApiException.badRequest("'action' must be \"OVERRIDE\" (release the series, the default) or \"REVOKE\" "
                    + "(withdraw an earlier override) but was " + actionNode + ".");
        }
        if (curation.isEmpty()) {
            throw ApiException.conflict("NOT_CURATED", "Series '" + series + "' has not been curated yet (no "
                    + "series_curation row), so there is no de-identification result to override. Run the curation "
                    + "(medlake curate) first; a series that passes needs no override.");
        }
        String status = (String) curation.get().get(SeriesCuration.DEID_STATUS);
        if (action.equals(ReleasePolicy.OVERRIDE) && !ReleasePolicy.FAIL.equals(status)) {
            throw ApiException.conflict("NOT_FAILED", "Series '" + series + "' did not fail the de-identification check "
                    + "(deid_status " + status + "), so it is released without an override. Nothing to do.");
        }
        DeidOverrideLog.Entry entry = new DeidOverrideLog.Entry(UUID.randomUUID().toString(), series, project,
                (String) curation.get().get(SeriesCuration.INPUT_FINGERPRINT), action, reason, caller.username(), Instant.now());
        long version = overrideLog.append(entry);
        // Re-read rather than predict: concurrent overrides or a new curation run are taken into account.
        ReleasePolicy.Outcome outcome = releases.outcome(series);
        boolean indexed = releaseFlags.update(series, outcome);
        AUDIT.info("audit user={} action=DEID_OVERRIDE override={} series={} project={} fingerprint={} override_id={} "
                        + "table_version={} released={} indexed={} reason=\"{}\"", caller.username(), action, series, project,
                entry.inputFingerprint(), entry.overrideId(), version, outcome.released(), indexed, auditSafe(reason));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("override_id", entry.overrideId());
        out.put("series_instance_uid", series);
        out.put("project", project);
        out.put("input_fingerprint", entry.inputFingerprint());
        out.put("action", action);
        out.put("reason", reason);
        out.put("user", entry.user());
        out.put("at", entry.at().toString());
        out.put("released", outcome.released());
        out.put("deid_override", outcome.byOverride());
        ctx.status(201).json(out);
    }

    /** The reason on one audit line: no line breaks or unescaped quotes (log injection). */
    private static String auditSafe(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "\\r").replace("\n", "\\n");
    }

    JsonNode readBody(Context ctx) {
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
            code = a.problemCode();
            detail = a.getMessage();
            if (status >= 500) {
                LOG.error("{} {} failed: {}", ctx.method(), ctx.path(), a.getMessage(), a);
            }
        } else if (e instanceof AccessException a) {
            code = a.code().name();
            detail = a.getMessage();
            status = switch (a.code()) {
                case USER_ERROR -> 400;
                case EXTERNAL -> 502;
                case INTERNAL -> 500;
            };
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
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 409 -> "conflict";
            case 502 -> "upstream-failure";
            default -> status >= 500 ? "internal-error" : "http-" + status;
        };
    }
}
