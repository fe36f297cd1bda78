package org.medlake.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.medlake.access.Caller;
import org.medlake.access.ProjectRole;
import org.medlake.cohort.release.CurationState;
import org.medlake.cohort.release.ReleaseCatalog;
import org.medlake.cohort.release.ReleasePolicy;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.IngestRuns;
import org.medlake.lake.Tables.Quarantine;
import org.medlake.lake.Tables.SeriesCuration;

/**
 * The data manager's views of the lake for the web UI (docs/contracts.md, "Web UI"), read with Delta Kernel:
 *
 * <pre>
 * GET /api/v1/projects/{project}/ingest-runs?limit=50&amp;offset=0           editor, admin, platform admin
 * GET /api/v1/projects/{project}/quarantine?limit=50&amp;offset=0            editor, admin
 * GET /api/v1/projects/{project}/curation?queue=deid|completeness|qa&amp;...  editor, admin
 * GET /api/v1/series/{seriesUid}/thumbnail                                any role, released series only
 * </pre>
 *
 * A project outside the caller's projects is 404 (as for cohorts: its existence is not revealed), a viewer is 403
 * {@code FORBIDDEN}. Lists are newest first (ingest runs, quarantine) or worst status first (curation queues).
 *
 * <p>No PHI in curation queues: those series may have failed de-identification, so an item carries only UIDs,
 * modality, series type, statuses and findings whose {@code detail} is the curation's redacted text (the
 * de-identification checker's reason and redacted hint, completeness reasons, QA metric values); never patient
 * data, descriptions or header values. The thumbnail of a series that is not released is 404 like an unknown one,
 * because its pixels may show burned-in identifying text.
 */
final class DataManagerRoutes {
    static final String INGEST_RUNS = "/api/v1/projects/{project}/ingest-runs";
    static final String QUARANTINE = "/api/v1/projects/{project}/quarantine";
    static final String CURATION = "/api/v1/projects/{project}/curation";
    static final String THUMBNAIL = "/api/v1/series/{seriesUid}/thumbnail";
    static final String PNG = "image/png";
    /** Findings listed per series at most (a series of many instances repeats them; they are grouped first). */
    static final int MAX_FINDINGS = 100;

    /** A curation queue: the status column it is about and its statuses, worst first. */
    enum Queue {
        DEID(SeriesCuration.DEID_STATUS, List.of("FAIL", "REVIEW")),
        COMPLETENESS(SeriesCuration.COMPLETENESS_STATUS, List.of("INCONSISTENT", "INCOMPLETE")),
        QA(SeriesCuration.QA_STATUS, List.of("FAIL", "WARN"));

        final String column;
        final List<String> statuses;

        Queue(String column, List<String> statuses) {
            this.column = column;
            this.statuses = statuses;
        }

        String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final LakeLayout lake;
    private final TableCache tables;
    private final ReleaseCatalog releases;

    DataManagerRoutes(LakeLayout lake, TableCache tables, ReleaseCatalog releases) {
        this.lake = lake;
        this.tables = tables;
        this.releases = releases;
    }

    void register(Javalin app) {
        app.get(INGEST_RUNS, this::ingestRuns);
        app.get(QUARANTINE, this::quarantine);
        app.get(CURATION, this::curation);
        app.get(THUMBNAIL, this::thumbnail);
    }

    /**
     * The path's project if the caller is an editor or admin there (or a platform admin, when allowed): 404 when not
     * a member, 403 when only a viewer.
     */
    static String editorProject(Context ctx, Caller caller, String what, boolean platformAdminToo) {
        String project = ctx.pathParam("project");
        if (platformAdminToo && caller.platformAdmin()) {
            return project;
        }
        if (!caller.projects().contains(project)) {
            throw ApiException.notFound("Project '" + project + "' does not exist or is not one of your projects "
                    + caller.projects() + ". Check the project name or ask its admin for access.");
        }
        if (!caller.hasRole(project, ProjectRole.EDITOR)) {
            throw ApiException.forbidden("Only an editor or admin of project '" + project + "' may see " + what
                    + "; you are " + caller.role(project).map(ProjectRole::groupName).orElse("not a member")
                    + " there. Ask a project admin to add you to /projects/" + project + "/editor.");
        }
        return project;
    }

    // ---- routes ----

    private void ingestRuns(Context ctx) {
        String project = editorProject(ctx, ApiServer.caller(ctx), "its ingest runs", true);
        Paging paging = Paging.of(ctx);
        List<Map<String, Object>> runs = tables.rows(lake.table(Tables.INGEST_RUNS)).stream()
                .filter(r -> project.equals(r.get(IngestRuns.PROJECT)))
                .sorted(newestFirst(IngestRuns.STARTED_AT).thenComparing(r -> String.valueOf(r.get(IngestRuns.RUN_ID))))
                .toList();
        List<Object> items = new ArrayList<>();
        for (Map<String, Object> r : paging.page(runs)) {
            items.add(pick(r, IngestRuns.RUN_ID, IngestRuns.SOURCES, IngestRuns.PROJECT, IngestRuns.SITE, IngestRuns.USER,
                    IngestRuns.STARTED_AT, IngestRuns.FINISHED_AT, IngestRuns.STATUS, IngestRuns.FILES_SEEN,
                    IngestRuns.INSTANCES_ADDED, IngestRuns.INSTANCES_EXISTING, IngestRuns.QUARANTINED, IngestRuns.NOT_DICOM,
                    IngestRuns.CONFLICTS, IngestRuns.SERIES, IngestRuns.STUDIES));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", runs.size());
        out.put("items", items);
        ctx.json(out);
    }

    private void quarantine(Context ctx) {
        String project = editorProject(ctx, ApiServer.caller(ctx), "its quarantine", false);
        Paging paging = Paging.of(ctx);
        List<Map<String, Object>> rows = tables.rows(lake.table(Tables.QUARANTINE)).stream()
                .filter(r -> project.equals(r.get(Quarantine.PROJECT)))
                .sorted(newestFirst(Quarantine.QUARANTINED_AT)
                        .thenComparing(r -> String.valueOf(r.get(Quarantine.SOURCE_URI))))
                .toList();
        List<Object> items = new ArrayList<>();
        for (Map<String, Object> r : paging.page(rows)) {
            items.add(pick(r, Quarantine.RUN_ID, Quarantine.SOURCE_URI, Quarantine.REASON, Quarantine.DETAIL,
                    Quarantine.SIZE_BYTES, Quarantine.SHA256, Quarantine.QUARANTINED_AT));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", rows.size());
        out.put("items", items);
        ctx.json(out);
    }

    private void curation(Context ctx) {
        String project = editorProject(ctx, ApiServer.caller(ctx), "its curation queues", false);
        String q = ctx.queryParam("queue");
        Queue queue = q == null ? null : switch (q.strip()) {
            case "deid" -> Queue.DEID;
            case "completeness" -> Queue.COMPLETENESS;
            case "qa" -> Queue.QA;
            default -> null;
        };
        if (queue == null) {
            throw ApiException.badRequest("'queue' must be deid, completeness or qa but was "
                    + (q == null ? "missing" : "'" + q + "'") + ".");
        }
        Paging paging = Paging.of(ctx);
        CurationState state = releases.current();
        List<Map<String, Object>> rows = tables.rows(lake.table(Tables.SERIES_CURATION)).stream()
                .filter(r -> project.equals(r.get(SeriesCuration.PROJECT)))
                .filter(r -> queue.statuses.contains(r.get(queue.column)))
                .sorted(Comparator.<Map<String, Object>>comparingInt(r -> queue.statuses.indexOf(r.get(queue.column)))
                        .thenComparing(r -> String.valueOf(r.get(SeriesCuration.SERIES_INSTANCE_UID))))
                .toList();
        List<Map<String, Object>> page = paging.page(rows);
        Set<String> uids = new java.util.HashSet<>();
        page.forEach(r -> uids.add((String) r.get(SeriesCuration.SERIES_INSTANCE_UID)));
        Map<String, List<Map<String, Object>>> findings = switch (queue) {
            case DEID -> deidFindings(uids);
            case QA -> qaFindings(uids);
            case COMPLETENESS -> Map.of();
        };
        List<Object> items = new ArrayList<>();
        for (Map<String, Object> r : page) {
            String uid = (String) r.get(SeriesCuration.SERIES_INSTANCE_UID);
            ReleasePolicy.Outcome outcome = state.outcome(uid);
            Map<String, Object> item = pick(r, SeriesCuration.SERIES_INSTANCE_UID, SeriesCuration.STUDY_INSTANCE_UID,
                    SeriesCuration.MODALITY, SeriesCuration.SERIES_TYPE, SeriesCuration.DEID_STATUS,
                    SeriesCuration.COMPLETENESS_STATUS, SeriesCuration.QA_STATUS);
            item.put("released", outcome.released());
            item.put("deid_override", outcome.byOverride());
            item.put("findings", queue == Queue.COMPLETENESS ? completenessFindings(r)
                    : findings.getOrDefault(uid, List.of()));
            items.add(item);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("queue", queue.id());
        out.put("total", rows.size());
        out.put("items", items);
        ctx.json(out);
    }

    private void thumbnail(Context ctx) throws IOException {
        Caller caller = ApiServer.caller(ctx);
        String series = ctx.pathParam("seriesUid");
        CurationState state = releases.current();
        Map<String, Object> row = state.curation(series).orElse(null);
        String project = row == null ? null : (String) row.get(SeriesCuration.PROJECT);
        if (project == null || !caller.projects().contains(project)) {
            throw ApiException.notFound("Series '" + series + "' is not curated or not in your projects "
                    + caller.projects() + ". Check the UID (search results list series_instance_uid).");
        }
        AuditRoutes.details(ctx).project(project);
        if (!state.outcome(series).released()) {
            throw new ApiException(ApiException.ErrorCode.USER_ERROR, 404, "NOT_RELEASED", "Series '" + series
                    + "' has no thumbnail you may see: it is not released (its de-identification check failed), and "
                    + "its pixels may show identifying text. A project admin can review and release it with POST "
                    + "/api/v1/series/" + series + "/deid-override.", null);
        }
        Object location = row.get(SeriesCuration.THUMBNAIL);
        Path file = null;
        if (location instanceof String l && !l.isBlank()) {
            try {
                file = lake.resolve(l);
            } catch (IllegalArgumentException e) {
                file = null;
            }
        }
        if (file == null || !Files.isRegularFile(file)) {
            throw new ApiException(ApiException.ErrorCode.USER_ERROR, 404, "NO_THUMBNAIL", "Series '" + series
                    + "' has no QA mosaic" + (location == null ? " (the curation found no usable pixels)"
                    : " (" + location + " is missing from the lake; run the curation again)") + ".", null);
        }
        ctx.header("Cache-Control", "private, max-age=300");
        ctx.contentType(PNG).result(Files.readAllBytes(file));
    }

    // ---- findings, redacted by construction ----

    /**
     * De-identification findings of the series, grouped by rule, tag, keyword and severity (a series repeats them
     * per instance); {@code detail} is the checker's reason plus its redacted hint (never the value).
     */
    private Map<String, List<Map<String, Object>>> deidFindings(Set<String> uids) {
        Map<String, Map<List<Object>, Map<String, Object>>> grouped = new HashMap<>();
        for (Map<String, Object> f : tables.rows(lake.table(Tables.DEID_FINDINGS))) {
            Object uid = f.get("series_instance_uid");
            if (!uids.contains(uid)) {
                continue;
            }
            Map<List<Object>, Map<String, Object>> byKey = grouped.computeIfAbsent((String) uid, k -> new LinkedHashMap<>());
            List<Object> key = java.util.Arrays.asList(f.get("rule"), f.get("tag"), f.get("keyword"), f.get("severity"));
            Map<String, Object> g = byKey.get(key);
            if (g == null) {
                if (byKey.size() >= MAX_FINDINGS) {
                    continue;
                }
                g = new LinkedHashMap<>();
                g.put("rule", f.get("rule"));
                g.put("tag", f.get("tag"));
                g.put("keyword", f.get("keyword"));
                g.put("action", f.get("severity"));
                String reason = Objects.toString(f.get("reason"), "");
                Object hint = f.get("hint");
                g.put("detail", hint == null ? reason : reason + " Value: " + withoutInitial(hint.toString()) + ".");
                g.put("instances", 0);
                byKey.put(key, g);
            }
            g.put("instances", (Integer) g.get("instances") + 1);
        }
        Map<String, List<Map<String, Object>>> out = new HashMap<>();
        grouped.forEach((uid, byKey) -> out.put(uid, byKey.values().stream()
                .sorted(Comparator.comparing((Map<String, Object> g) -> "FAIL".equals(g.get("action")) ? 0 : 1)
                        .thenComparing(g -> Objects.toString(g.get("rule"), ""))
                        .thenComparing(g -> Objects.toString(g.get("tag"), "")))
                .toList()));
        return out;
    }

    /** QA metrics of the series that did not pass: {@code rule} is the metric, {@code detail} value, unit and formula. */
    private Map<String, List<Map<String, Object>>> qaFindings(Set<String> uids) {
        Map<String, List<Map<String, Object>>> out = new HashMap<>();
        for (Map<String, Object> m : tables.rows(lake.table(Tables.QA_METRICS))) {
            Object uid = m.get("series_instance_uid");
            Object status = m.get("status");
            if (!uids.contains(uid) || status == null || "PASS".equals(status)) {
                continue;
            }
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("rule", m.get("metric"));
            g.put("tag", null);
            g.put("keyword", null);
            g.put("action", status);
            Object unit = m.get("unit");
            Object formula = m.get("formula");
            g.put("detail", m.get("metric") + " = " + m.get("value") + (unit == null || unit.toString().isBlank() ? "" : " " + unit)
                    + (formula == null ? "" : " (" + formula + ")"));
            out.computeIfAbsent((String) uid, k -> new ArrayList<>()).add(g);
        }
        return out;
    }

    /** The series' completeness reasons ({@code CODE: message}) as findings: {@code rule} the code. */
    private static List<Map<String, Object>> completenessFindings(Map<String, Object> row) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (row.get(SeriesCuration.COMPLETENESS_REASONS) instanceof Collection<?> reasons) {
            for (Object r : reasons) {
                String s = Objects.toString(r, "");
                int colon = s.indexOf(':');
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("rule", colon > 0 ? s.substring(0, colon).strip() : null);
                g.put("tag", null);
                g.put("keyword", null);
                g.put("action", row.get(SeriesCuration.COMPLETENESS_STATUS));
                g.put("detail", colon > 0 ? s.substring(colon + 1).strip() : s);
                out.add(g);
            }
        }
        return out;
    }

    // ---- helpers ----

    private static Comparator<Map<String, Object>> newestFirst(String column) {
        return Comparator.comparing((Map<String, Object> r) -> r.get(column) instanceof Instant i ? i : Instant.MIN)
                .reversed();
    }

    /** The named columns of {@code row} in order, with instants as ISO-8601 strings (JSON-ready). */
    static Map<String, Object> pick(Map<String, Object> row, String... columns) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String c : columns) {
            out.put(c, jsonValue(row.get(c)));
        }
        return out;
    }

    private static Object jsonValue(Object v) {
        if (v instanceof Instant || v instanceof java.time.LocalDate) {
            return v.toString();
        }
        return v;
    }

    /**
     * The checker's hint without the first characters it keeps of a value ("D*** (8 chars)" becomes "*** (8
     * chars)", "... starting J***" becomes "... starting ***"): an initial is enough to help a data manager at the console, but the web pages are seen more widely.
     */
    static String withoutInitial(String hint) {
        return hint.replaceAll("[^\\s\"(*]{1,2}\\*\\*\\*", "***");
    }
}
