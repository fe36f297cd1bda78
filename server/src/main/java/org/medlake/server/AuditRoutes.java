package org.medlake.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.medlake.access.Caller;
import org.medlake.access.ProjectRole;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.server.audit.AuditEntry;
import org.medlake.server.audit.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Auditing in one place: an after-handler records every request except the public ones ({@value ApiServer#HEALTH},
 * the OpenAPI document, {@code /api/v1/config} and the web app's static files; see {@link ApiServer#isPublic}) in the {@link AuditLog} (who, client id, time, action, project, cohort, series and instance ids, the
 * query, status, bytes served), so a new route is covered without code of its own. The action is the route's
 * name from {@link #ACTIONS} (else {@code METHOD /template}); path parameters {@code project}, {@code name}
 * (cohort), {@code seriesUid} and {@code sopUid} are taken from the path; the request body (POST/PUT, up to
 * {@value #MAX_QUERY} characters) or query string is the {@code query}. Routes add what the path does not say
 * through {@link #details(Context)} (e.g. the project of a downloaded instance). Bytes are the response's
 * {@code Content-Length}, else the size of its buffered result.
 *
 * <p>{@code GET /api/v1/audit?project=&user=&action=&from=&to=&limit=}: the newest entries first (pending ones are
 * flushed to Delta first). Platform admins see every entry; a project admin sees the entries of the projects they
 * administer; others get 403. {@code project} outside the caller's projects is 404 (unless platform admin).
 */
final class AuditRoutes {
    static final String AUDIT = "/api/v1/audit";
    static final int MAX_QUERY = 4000;
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private static final String DETAILS = "medlake.audit.details";
    private static final Logger LOG = LoggerFactory.getLogger(AuditRoutes.class);

    /** Action names of the routes (route template to action). */
    static final Map<String, String> ACTIONS = Map.ofEntries(
            Map.entry("POST /api/v1/series/search", "SEARCH"),
            Map.entry("POST /api/v1/search", "SEARCH"),
            Map.entry("GET /api/v1/series/{seriesUid}/instances", "LIST_INSTANCES"),
            Map.entry("GET /api/v1/instances/{sopUid}/file", "DOWNLOAD_FILE"),
            Map.entry("GET /api/v1/series/{seriesUid}/nifti", "DOWNLOAD_NIFTI"),
            Map.entry("POST /api/v1/series/{seriesUid}/deid-override", "DEID_OVERRIDE"),
            Map.entry("POST " + CohortRoutes.BASE, "COHORT_CREATE"),
            Map.entry("GET " + CohortRoutes.BASE, "COHORT_LIST"),
            Map.entry("GET " + CohortRoutes.BASE + "/{name}", "COHORT_GET"),
            Map.entry("POST " + CohortRoutes.BASE + "/{name}/versions", "COHORT_FREEZE"),
            Map.entry("GET " + CohortRoutes.BASE + "/{name}/versions/{version}", "COHORT_VERSION"),
            Map.entry("GET " + CohortRoutes.BASE + "/{name}/versions/{version}/members", "COHORT_MEMBERS"),
            Map.entry("GET " + CohortRoutes.BASE + "/{name}/versions/{version}/manifest", "COHORT_MANIFEST"),
            Map.entry("GET " + CohortRoutes.BASE + "/{name}/diff", "COHORT_DIFF"),
            Map.entry("GET " + MembershipRoutes.MEMBERS, "MEMBERS_LIST"),
            Map.entry("PUT " + MembershipRoutes.MEMBER, "MEMBER_SET_ROLE"),
            Map.entry("DELETE " + MembershipRoutes.MEMBER, "MEMBER_REMOVE"),
            Map.entry("GET " + AUDIT, "AUDIT_QUERY"),
            Map.entry("GET " + AccountRoutes.ME, "ME"),
            Map.entry("GET " + DataManagerRoutes.INGEST_RUNS, "INGEST_RUNS"),
            Map.entry("GET " + DataManagerRoutes.QUARANTINE, "QUARANTINE_LIST"),
            Map.entry("GET " + DataManagerRoutes.CURATION, "CURATION_QUEUE"),
            Map.entry("GET " + DataManagerRoutes.THUMBNAIL, "THUMBNAIL"));

    /** What a route adds to its request's audit entry. Mutable, per request. */
    static final class Details {
        String project;
        final List<String> series = new ArrayList<>();
        final List<String> instances = new ArrayList<>();
        Long bytes;

        Details project(String p) {
            project = p;
            return this;
        }

        Details series(String uid) {
            if (uid != null && !series.contains(uid)) {
                series.add(uid);
            }
            return this;
        }

        Details instance(String uid) {
            if (uid != null && !instances.contains(uid)) {
                instances.add(uid);
            }
            return this;
        }
    }

    private final AuditLog log;
    private final DeltaTableReader reader = new DeltaTableReader();

    AuditRoutes(AuditLog log) {
        this.log = log;
    }

    /** The audit details of this request, created on first use. */
    static Details details(Context ctx) {
        Details d = ctx.attribute(DETAILS);
        if (d == null) {
            d = new Details();
            ctx.attribute(DETAILS, d);
        }
        return d;
    }

    void register(Javalin app) {
        app.get(AUDIT, this::query);
        app.after(this::record);
    }

    private void record(Context ctx) {
        String path = ctx.path();
        if (ApiServer.isPublic(path)) {
            return; // nothing of the lake is read there: health, OpenAPI, the app's config and its static files
        }
        Caller caller = ctx.attribute(ApiServer.CALLER);
        Details d = details(ctx);
        String template;
        try {
            template = ctx.endpointHandlerPath();
        } catch (RuntimeException e) {
            template = null;
        }
        String method = ctx.method().name();
        Map<String, String> params;
        try {
            params = ctx.pathParamMap();
        } catch (RuntimeException e) {
            params = Map.of();
        }
        if (template == null || template.equals("*") || !template.startsWith("/api/")) {
            // The request stopped before reaching its endpoint (e.g. 401 in the before-handler): match it here.
            Map<String, String> found = new LinkedHashMap<>();
            template = match(method, path, found);
            params = found;
        }
        String action = template == null ? "UNMATCHED" : ACTIONS.getOrDefault(method + " " + template, method + " " + template);
        String project = d.project != null ? d.project : params.get("project");
        d.series(params.get("seriesUid"));
        d.instance(params.get("sopUid"));
        String query;
        if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            String body = ctx.body();
            query = body.isBlank() ? null : body.length() > MAX_QUERY ? body.substring(0, MAX_QUERY) + "..." : body;
        } else {
            query = ctx.queryString();
        }
        Long bytes = d.bytes;
        if (bytes == null) {
            String cl = ctx.res().getHeader("Content-Length");
            if (cl != null) {
                try {
                    bytes = Long.parseLong(cl.strip());
                } catch (NumberFormatException ignored) {
                    // leave null
                }
            } else {
                InputStream in = ctx.resultInputStream();
                if (in instanceof ByteArrayInputStream b) {
                    bytes = (long) b.available();
                }
            }
        }
        AuditEntry.Draft draft = new AuditEntry.Draft(Instant.now(), caller == null ? null : caller.username(),
                caller == null ? null : caller.subject(), caller == null ? null : caller.clientId(), action, method, path,
                project, params.get("name"), d.series, d.instances, query, ctx.statusCode(), bytes, ctx.ip());
        log.record(draft);
    }

    private record Route(String method, String template, java.util.regex.Pattern pattern, List<String> names) {}

    private static final List<Route> ROUTES = ACTIONS.keySet().stream().map(k -> {
        String m = k.substring(0, k.indexOf(' '));
        String t = k.substring(k.indexOf(' ') + 1);
        List<String> names = new ArrayList<>();
        java.util.regex.Matcher pm = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(t);
        StringBuilder re = new StringBuilder();
        int last = 0;
        while (pm.find()) {
            re.append(java.util.regex.Pattern.quote(t.substring(last, pm.start()))).append("([^/]+)");
            names.add(pm.group(1));
            last = pm.end();
        }
        re.append(java.util.regex.Pattern.quote(t.substring(last)));
        return new Route(m, t, java.util.regex.Pattern.compile(re.toString()), names);
    }).toList();

    /** The route template {@code method path} matches (its path parameters into {@code params}), or null. */
    static String match(String method, String path, Map<String, String> params) {
        for (Route r : ROUTES) {
            java.util.regex.Matcher m = r.pattern().matcher(path);
            if (r.method().equals(method) && m.matches()) {
                for (int i = 0; i < r.names().size(); i++) {
                    params.put(r.names().get(i), m.group(i + 1));
                }
                return r.template();
            }
        }
        return null;
    }

    private void query(Context ctx) {
        Caller caller = ApiServer.caller(ctx);
        String project = blankToNull(ctx.queryParam("project"));
        Set<String> adminOf = new java.util.TreeSet<>();
        caller.projectRoles().forEach((p, r) -> {
            if (r.includes(ProjectRole.ADMIN)) {
                adminOf.add(p);
            }
        });
        if (!caller.platformAdmin()) {
            if (project != null && !caller.projects().contains(project)) {
                throw ApiException.notFound("Project '" + project + "' does not exist or you are not a member; your "
                        + "projects are " + caller.projects() + ".");
            }
            if (project != null && !adminOf.contains(project) || adminOf.isEmpty()) {
                throw ApiException.forbidden("Only project admins (for their projects) and platform admins may read the "
                        + "audit log; you administer " + (adminOf.isEmpty() ? "no project" : adminOf) + ". Ask an admin "
                        + "of the project.");
            }
        }
        String user = blankToNull(ctx.queryParam("user"));
        String action = blankToNull(ctx.queryParam("action"));
        Instant from = instant(ctx.queryParam("from"), "from");
        Instant to = instant(ctx.queryParam("to"), "to");
        int limit = limit(ctx.queryParam("limit"));
        Predicate<AuditEntry> visible = caller.platformAdmin() ? e -> true
                : e -> e.project() != null && adminOf.contains(e.project());
        Predicate<AuditEntry> filter = visible
                .and(e -> project == null || project.equals(e.project()))
                .and(e -> user == null || user.equals(e.user()))
                .and(e -> action == null || action.equals(e.action()))
                .and(e -> from == null || !e.at().isBefore(from))
                .and(e -> to == null || e.at().isBefore(to));
        if (!log.flush()) {
            LOG.warn("audit query: Delta unavailable, pending entries are included from their files");
        }
        List<AuditEntry> all = new ArrayList<>();
        reader.read(log.table(), AuditEntry.COLUMNS).ifPresent(data -> data.rows().forEach(r -> all.add(AuditEntry.fromRow(r))));
        java.util.Set<String> ids = new java.util.HashSet<>();
        all.forEach(e -> ids.add(e.entryId()));
        AuditLog.pendingEntries(log.lake())
                .stream().filter(e -> !ids.contains(e.entryId())).forEach(all::add);
        List<Map<String, Object>> out = new ArrayList<>();
        all.stream().filter(filter).sorted(Comparator.comparingLong(AuditEntry::seq).reversed()).limit(limit)
                .forEach(e -> {
                    Map<String, Object> m = e.row();
                    m.put(AuditEntry.AT, e.at().toString());
                    out.add(m);
                });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entries", out);
        body.put("count", out.size());
        ctx.json(body);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static Instant instant(String s, String name) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(s.strip());
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("'" + name + "' must be an ISO-8601 UTC instant such as 2026-01-31T12:00:00Z "
                    + "but was '" + s + "'.");
        }
    }

    private static int limit(String s) {
        if (s == null || s.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(s.strip());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw ApiException.badRequest("'limit' must be a whole number from 1 to " + MAX_LIMIT + " but was '" + s + "'.");
    }
}
