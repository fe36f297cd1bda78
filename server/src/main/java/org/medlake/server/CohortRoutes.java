package org.medlake.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medlake.access.Caller;
import org.medlake.access.ProjectRole;
import org.medlake.cohort.cohorts.Cohort;
import org.medlake.cohort.cohorts.CohortConflictException;
import org.medlake.cohort.cohorts.CohortDiff;
import org.medlake.cohort.cohorts.CohortSearch;
import org.medlake.cohort.cohorts.CohortStore;
import org.medlake.cohort.cohorts.CohortVersion;
import org.medlake.cohort.cohorts.Manifest;
import org.medlake.cohort.cohorts.Member;
import org.medlake.cohort.delta.DeltaTableAppender;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.query.Criteria;
import org.medlake.cohort.query.CriteriaParser;
import org.medlake.cohort.search.SeriesSearch;
import org.medlake.lake.LakeLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cohort endpoints (docs/contracts.md, "Cohorts"), all under {@code /api/v1/projects/{project}/cohorts}:
 *
 * <pre>
 * POST /api/v1/projects/{project}/cohorts                                   create   (editor, admin)
 * GET  /api/v1/projects/{project}/cohorts                                   list     (any role)
 * GET  /api/v1/projects/{project}/cohorts/{name}                            get, with its versions
 * POST /api/v1/projects/{project}/cohorts/{name}/versions                   freeze   (editor, admin)
 * GET  /api/v1/projects/{project}/cohorts/{name}/versions/{version}         one frozen version
 * GET  .../versions/{version}/members?limit=100&amp;after=SERIES_UID          members, paged by series
 * GET  .../versions/{version}/manifest?format=json|csv|parquet             manifest, with its SHA-256 in headers
 * GET  /api/v1/projects/{project}/cohorts/{name}/diff?from=N&amp;to=M         diff of two versions
 * </pre>
 *
 * A project outside the caller's projects is 404 whatever the route (its cohorts' existence is not revealed); a
 * viewer calling create or freeze is 403 {@code FORBIDDEN}. Frozen versions are never changed: there is no route to
 * update or delete anything. Create and freeze are logged on {@value ApiServer#AUDIT_LOGGER}.
 */
final class CohortRoutes {
    static final String BASE = "/api/v1/projects/{project}/cohorts";
    static final int DEFAULT_MEMBERS_LIMIT = 100;
    static final int MAX_MEMBERS_LIMIT = 1000;

    private static final Logger AUDIT = LoggerFactory.getLogger(ApiServer.AUDIT_LOGGER);
    private static final Set<String> CREATE_KEYS = Set.of("name", "description", "query");

    private final ApiServer server;
    private final SeriesSearch search;
    private final ObjectMapper json;
    private final CohortStore store;
    private final CriteriaParser parser = new CriteriaParser();
    private final Manifest manifest = new Manifest(sop -> "/api/v1/instances/" + sop + "/file");

    CohortRoutes(ApiServer server, LakeLayout lake, SeriesSearch search, ObjectMapper json) {
        this.server = server;
        this.search = search;
        this.json = json;
        this.store = new CohortStore(lake, new DeltaTableReader(), new DeltaTableAppender("medlake-server"));
    }

    void register(Javalin app) {
        app.post(BASE, this::create);
        app.get(BASE, this::list);
        app.get(BASE + "/{name}", this::get);
        app.post(BASE + "/{name}/versions", this::freeze);
        app.get(BASE + "/{name}/versions/{version}", this::version);
        app.get(BASE + "/{name}/versions/{version}/members", this::members);
        app.get(BASE + "/{name}/versions/{version}/manifest", this::manifest);
        app.get(BASE + "/{name}/diff", this::diff);
    }

    // ---- access ----

    /** The path's project if the caller has {@code role} there: 404 when not a member, 403 when the role is too low. */
    private static String project(Context ctx, Caller caller, ProjectRole role, String action) {
        String project = ctx.pathParam("project");
        if (!caller.projects().contains(project)) {
            throw ApiException.notFound("Project '" + project + "' does not exist or is not one of your projects "
                    + caller.projects() + ". Check the project name or ask its admin for access.");
        }
        if (!caller.hasRole(project, role)) {
            throw ApiException.forbidden("Only an " + role.groupName() + " or admin of project '" + project + "' may "
                    + action + "; you are " + caller.role(project).map(ProjectRole::groupName).orElse("not a member")
                    + " there. Ask a project admin to add you to /projects/" + project + "/" + role.groupName() + ".");
        }
        return project;
    }

    private Cohort cohort(Context ctx, String project) {
        String name = ctx.pathParam("name");
        return store.get(project, name).orElseThrow(() -> ApiException.notFound("Project '" + project + "' has no cohort "
                + "named '" + name + "'. List the project's cohorts with GET /api/v1/projects/" + project + "/cohorts."));
    }

    private CohortVersion version(Cohort cohort, String param, String what) {
        int n = positiveInt(param, what);
        return store.version(cohort.cohortId(), n).orElseThrow(() -> ApiException.notFound("Cohort '" + cohort.name()
                + "' of project '" + cohort.project() + "' has no frozen version " + n + "; its versions are "
                + store.versions(cohort.cohortId()).stream().map(CohortVersion::version).toList() + ". Freeze it with POST "
                + "/api/v1/projects/" + cohort.project() + "/cohorts/" + cohort.name() + "/versions."));
    }

    private static int positiveInt(String value, String what) {
        try {
            int n = Integer.parseInt(value == null ? "" : value.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("'" + what + "' must be a cohort version number (1, 2, ...) but was "
                + (value == null ? "missing" : "'" + value + "'") + ".");
    }

    // ---- routes ----

    private void create(Context ctx) {
        Caller caller = ApiServer.caller(ctx);
        String project = project(ctx, caller, ProjectRole.EDITOR, "create cohorts");
        JsonNode body = server.readBody(ctx);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!CREATE_KEYS.contains(key)) {
                throw ApiException.badRequest("Unknown member '" + key + "' in the cohort; allowed members: name, "
                        + "description, query.");
            }
        }
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual()) {
            throw ApiException.badRequest("'name' is required: a string of 1 to 128 letters, digits, '.', '_' or '-' "
                    + "(unique in the project), e.g. {\"name\":\"mr-brain\",\"query\":{\"eq\":{\"modality\":\"MR\"}}}; it was "
                    + (name == null ? "missing" : name) + ".");
        }
        JsonNode description = body.get("description");
        if (description != null && !description.isNull() && !description.isTextual()) {
            throw ApiException.badRequest("'description' must be a string but was " + description + ".");
        }
        JsonNode query = body.get("query");
        if (query == null || query.isNull()) {
            query = json.createObjectNode();
        }
        parser.parse(query); // 400 naming the bad part
        String queryJson;
        try {
            queryJson = json.writeValueAsString(query);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Cohort cohort = conflicts(() -> store.create(project, name.asText(), description == null || description.isNull()
                ? null : description.asText(), queryJson, caller.username(), Instant.now()));
        AUDIT.info("audit user={} action=COHORT_CREATE project={} cohort={} cohort_id={}", caller.username(), project,
                cohort.name(), cohort.cohortId());
        ctx.status(201).header("Location", "/api/v1/projects/" + project + "/cohorts/" + cohort.name())
                .json(cohortJson(cohort, null));
    }

    private void list(Context ctx) {
        String project = project(ctx, ApiServer.caller(ctx), ProjectRole.VIEWER, "list cohorts");
        List<Object> out = new ArrayList<>();
        Map<String, List<CohortVersion>> versions = store.versionsByCohort();
        for (Cohort c : store.list(project)) {
            out.add(cohortJson(c, versions.getOrDefault(c.cohortId(), List.of())));
        }
        ctx.json(Map.of("project", project, "cohorts", out));
    }

    private void get(Context ctx) {
        String project = project(ctx, ApiServer.caller(ctx), ProjectRole.VIEWER, "read cohorts");
        Cohort c = cohort(ctx, project);
        ctx.json(cohortJson(c, store.versions(c.cohortId())));
    }

    private void freeze(Context ctx) {
        Caller caller = ApiServer.caller(ctx);
        String project = project(ctx, caller, ProjectRole.EDITOR, "freeze cohorts");
        Cohort cohort = cohort(ctx, project);
        JsonNode body = server.readBody(ctx);
        if (body.size() > 0) {
            throw ApiException.badRequest("Freezing takes no parameters (it freezes the cohort's stored query); send an "
                    + "empty body or {} instead of " + body + ".");
        }
        Criteria criteria = parser.parse(readJson(cohort.query()));
        List<String> candidates = CohortSearch.seriesOf(search, criteria, project);
        CohortVersion v = conflicts(() -> store.freeze(cohort, candidates, caller.username(), Instant.now()));
        AUDIT.info("audit user={} action=COHORT_FREEZE project={} cohort={} cohort_id={} version={} series={} instances={} "
                        + "members_sha256={} instances_table_version={}", caller.username(), project, cohort.name(),
                cohort.cohortId(), v.version(), v.seriesCount(), v.instanceCount(), v.membersSha256(), v.instancesVersion());
        ctx.status(201).header("Location", "/api/v1/projects/" + project + "/cohorts/" + cohort.name() + "/versions/"
                + v.version()).json(versionJson(cohort, v));
    }

    private void version(Context ctx) {
        String project = project(ctx, ApiServer.caller(ctx), ProjectRole.VIEWER, "read cohorts");
        Cohort cohort = cohort(ctx, project);
        ctx.json(versionJson(cohort, version(cohort, ctx.pathParam("version"), "version")));
    }

    private void members(Context ctx) {
        String project = project(ctx, ApiServer.caller(ctx), ProjectRole.VIEWER, "read cohorts");
        Cohort cohort = cohort(ctx, project);
        CohortVersion v = version(cohort, ctx.pathParam("version"), "version");
        int limit = DEFAULT_MEMBERS_LIMIT;
        String l = ctx.queryParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l.strip());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_MEMBERS_LIMIT) {
                throw ApiException.badRequest("'limit' must be a whole number of series between 1 and " + MAX_MEMBERS_LIMIT
                        + " but was '" + l + "'.");
            }
        }
        String after = ctx.queryParam("after");
        Map<String, Map<String, Object>> series = new LinkedHashMap<>();
        String next = null;
        for (Member m : store.members(v)) {
            if (after != null && m.seriesInstanceUid().compareTo(after) <= 0) {
                continue;
            }
            Map<String, Object> s = series.get(m.seriesInstanceUid());
            if (s == null) {
                if (series.size() == limit) {
                    next = series.keySet().stream().reduce((a, b) -> b).orElse(null);
                    break;
                }
                s = new LinkedHashMap<>();
                s.put("series_instance_uid", m.seriesInstanceUid());
                s.put("study_instance_uid", m.studyInstanceUid());
                s.put("code_version", m.codeVersion());
                s.put("instances", new ArrayList<>());
                series.put(m.seriesInstanceUid(), s);
            }
            Map<String, Object> i = new LinkedHashMap<>();
            i.put("sop_instance_uid", m.sopInstanceUid());
            i.put("sha256", m.sha256());
            i.put("size_bytes", m.sizeBytes());
            i.put("location", m.location());
            @SuppressWarnings("unchecked")
            List<Object> instances = (List<Object>) s.get("instances");
            instances.add(i);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("project", project);
        out.put("cohort", cohort.name());
        out.put("version", v.version());
        out.put("series_count", v.seriesCount());
        out.put("instance_count", v.instanceCount());
        out.put("series", new ArrayList<>(series.values()));
        out.put("next_after", next);
        ctx.json(out);
    }

    private void manifest(Context ctx) {
        String project = project(ctx, ApiServer.caller(ctx), ProjectRole.VIEWER, "read cohorts");
        Cohort cohort = cohort(ctx, project);
        CohortVersion v = version(cohort, ctx.pathParam("version"), "version");
        Manifest.Format format = Manifest.Format.parse(ctx.queryParam("format"));
        byte[] bytes = manifest.write(cohort, v, store.members(v), format);
        String hex = Manifest.sha256(bytes);
        String b64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
        String etag = "\"" + hex + "\"";
        ctx.header("ETag", etag);
        String ifNoneMatch = ctx.header("If-None-Match");
        if (ifNoneMatch != null && (ifNoneMatch.strip().equals("*") || List.of(ifNoneMatch.split(",")).stream()
                .map(String::strip).map(t -> t.startsWith("W/") ? t.substring(2) : t).anyMatch(etag::equals))) {
            ctx.status(304);
            return;
        }
        ctx.header(ApiServer.SHA256_HEADER, hex);
        ctx.header("Digest", "sha-256=" + b64);
        ctx.header("Repr-Digest", "sha-256=:" + b64 + ":");
        ctx.header("Content-Disposition", "attachment; filename=\"" + project.replaceAll("[^0-9A-Za-z._-]", "_") + "-"
                + cohort.name() + "-v" + v.version() + "." + format.extension() + "\"");
        ctx.contentType(format.mediaType()).result(bytes);
    }

    private void diff(Context ctx) {
        String project = project(ctx, ApiServer.caller(ctx), ProjectRole.VIEWER, "read cohorts");
        Cohort cohort = cohort(ctx, project);
        CohortVersion from = version(cohort, ctx.queryParam("from"), "from");
        CohortVersion to = version(cohort, ctx.queryParam("to"), "to");
        CohortDiff d = CohortDiff.between(store.members(from), store.members(to));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("project", project);
        out.put("cohort", cohort.name());
        out.put("from", from.version());
        out.put("to", to.version());
        out.put("identical", d.identical());
        out.put("series_added", d.seriesAdded());
        out.put("series_removed", d.seriesRemoved());
        List<Object> changed = new ArrayList<>();
        for (CohortDiff.SeriesChange c : d.seriesChanged()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("series_instance_uid", c.seriesInstanceUid());
            m.put("instances_added", c.instancesAdded());
            m.put("instances_removed", c.instancesRemoved());
            m.put("instances_changed", c.instancesChanged());
            changed.add(m);
        }
        out.put("series_changed", changed);
        out.put("series_unchanged", d.seriesUnchanged());
        ctx.json(out);
    }

    // ---- JSON ----

    private <T> T conflicts(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (CohortConflictException e) {
            throw new ApiException(ApiException.ErrorCode.USER_ERROR, 409, e.reason().name(), e.getMessage(), e);
        }
    }

    private JsonNode readJson(String s) {
        try {
            return json.readTree(s);
        } catch (JsonProcessingException e) {
            throw new ApiException(ApiException.ErrorCode.INTERNAL, 500, "A stored cohort query is not valid JSON ("
                    + e.getOriginalMessage() + "); the cohorts table was modified outside medlake.", e);
        }
    }

    private Map<String, Object> cohortJson(Cohort c, List<CohortVersion> versions) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cohort_id", c.cohortId());
        m.put("project", c.project());
        m.put("name", c.name());
        m.put("description", c.description());
        m.put("query", readJson(c.query()));
        m.put("created_by", c.createdBy());
        m.put("created_at", c.createdAt().toString());
        if (versions != null) {
            m.put("latest_version", versions.isEmpty() ? null : versions.get(versions.size() - 1).version());
            List<Object> vs = new ArrayList<>();
            for (CohortVersion v : versions) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("version", v.version());
                s.put("frozen_at", v.frozenAt().toString());
                s.put("frozen_by", v.frozenBy());
                s.put("series_count", v.seriesCount());
                s.put("instance_count", v.instanceCount());
                s.put("members_sha256", v.membersSha256());
                vs.add(s);
            }
            m.put("versions", vs);
        }
        return m;
    }

    private Map<String, Object> versionJson(Cohort c, CohortVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cohort_id", v.cohortId());
        m.put("project", v.project());
        m.put("cohort", c.name());
        m.put("version", v.version());
        m.put("frozen_at", v.frozenAt().toString());
        m.put("frozen_by", v.frozenBy());
        m.put("query", readJson(v.query()));
        Map<String, Object> tables = new LinkedHashMap<>();
        tables.put("instances", v.instancesVersion());
        tables.put("series_curation", v.seriesCurationVersion());
        tables.put("deid_overrides", v.deidOverridesVersion());
        m.put("table_versions", tables);
        m.put("code_versions", v.codeVersions());
        m.put("series_count", v.seriesCount());
        m.put("instance_count", v.instanceCount());
        m.put("size_bytes", v.sizeBytes());
        m.put("members_sha256", v.membersSha256());
        return m;
    }
}
