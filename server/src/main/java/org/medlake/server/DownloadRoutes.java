package org.medlake.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.medlake.access.Caller;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.Nifti;

/**
 * {@code GET /api/v1/series/{seriesUid}/nifti[?index=N]}: the series' NIfTI volume ({@code .nii.gz}) from the
 * lake's {@code nifti} table (written by curation), with range requests ({@link FileResponses}); and
 * {@code GET /api/v1/openapi.json}: the OpenAPI 3.1 description of every route (no token needed).
 *
 * <p>NIfTI checks, in order: 404 when the series (by its {@code nifti} rows' project, else its instances') is
 * unknown or outside the caller's projects; 403 {@code NOT_RELEASED} when it is not released (as for DICOM files);
 * 400 on a bad {@code index}; 404 {@code NO_NIFTI} when the series has no converted output with that index, the detail
 * saying why (not converted yet, {@code FAILED} with its reason, {@code NOT_IMAGE}, or the available indexes).
 */
final class DownloadRoutes {
    /** Path of the OpenAPI document; served without authentication. */
    static final String OPENAPI = "/api/v1/openapi.json";
    static final String OPENAPI_RESOURCE = "/openapi.json";
    static final String NIFTI_GZ = "application/gzip";
    private static final List<String> NIFTI_COLUMNS = List.of(Nifti.SERIES_INSTANCE_UID, Nifti.PROJECT, Nifti.STATUS,
            Nifti.REASON, Nifti.OUTPUT_INDEX, Nifti.NAME, Nifti.LOCATION, Nifti.SHA256, Nifti.SIZE_BYTES);

    private final ApiServer server;
    private final LakeLayout lake;
    private final InstanceCatalog catalog;
    private final DeltaTableReader reader = new DeltaTableReader();
    private volatile NiftiRows cached = new NiftiRows(-1, Map.of());

    private record NiftiRows(long version, Map<String, List<Map<String, Object>>> bySeries) {}

    DownloadRoutes(ApiServer server, LakeLayout lake, InstanceCatalog catalog) {
        this.server = server;
        this.lake = lake;
        this.catalog = catalog;
    }

    void register(Javalin app) {
        app.get("/api/v1/series/{seriesUid}/nifti", this::nifti);
        app.get(OPENAPI, this::openApi);
    }

    private void openApi(Context ctx) throws IOException {
        try (InputStream in = DownloadRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new ApiException(ApiException.ErrorCode.INTERNAL, 500, "The OpenAPI document " + OPENAPI_RESOURCE
                        + " is missing from the server jar; rebuild the server module.");
            }
            ctx.contentType("application/json").result(in.readAllBytes());
        }
    }

    private void nifti(Context ctx) throws IOException {
        Caller caller = ApiServer.caller(ctx);
        String series = ctx.pathParam("seriesUid");
        List<Map<String, Object>> rows = rows(series);
        String project = rows.stream().map(r -> (String) r.get(Nifti.PROJECT)).filter(Objects::nonNull).findFirst()
                .or(() -> catalog.series(series).stream().map(InstanceCatalog.Instance::project).filter(Objects::nonNull).findFirst())
                .orElse(null);
        if (project == null || !caller.projects().contains(project)) {
            throw ApiException.notFound("Series '" + series + "' is not in the lake or not in your projects "
                    + caller.projects() + ". Check the UID (search results list series_instance_uid) or ask a project "
                    + "admin for access.");
        }
        AuditRoutes.details(ctx).project(project);
        server.requireReleased(series);
        int index = index(ctx.queryParam("index"));
        if (rows.isEmpty()) {
            throw noNifti("Series '" + series + "' has no NIfTI: it has not been converted yet (no row in the nifti table). "
                    + "Run the curation (medlake curate), which converts every image series, then retry.");
        }
        List<Map<String, Object>> converted = rows.stream().filter(r -> "CONVERTED".equals(r.get(Nifti.STATUS)))
                .filter(r -> r.get(Nifti.LOCATION) != null)
                .sorted(Comparator.comparing(r -> (Integer) r.get(Nifti.OUTPUT_INDEX), Comparator.nullsLast(Comparator.naturalOrder())))
                .toList();
        if (converted.isEmpty()) {
            Map<String, Object> r = rows.get(0);
            String status = String.valueOf(r.get(Nifti.STATUS));
            String reason = r.get(Nifti.REASON) == null ? "no reason recorded" : String.valueOf(r.get(Nifti.REASON));
            throw noNifti("NOT_IMAGE".equals(status)
                    ? "Series '" + series + "' has no NIfTI: it is not an image series (" + reason + "), so there is "
                            + "nothing to convert. Download its DICOM instances instead."
                    : "Series '" + series + "' has no NIfTI: its conversion " + status + " (" + reason + "). Fix the cause "
                            + "(see docs/nifti.md) and re-curate the series, or download its DICOM instances instead.");
        }
        Optional<Map<String, Object>> output = converted.stream()
                .filter(r -> Integer.valueOf(index).equals(r.get(Nifti.OUTPUT_INDEX))).findFirst();
        if (output.isEmpty()) {
            throw noNifti("Series '" + series + "' has no NIfTI output with index " + index + "; its outputs have indexes "
                    + converted.stream().map(r -> r.get(Nifti.OUTPUT_INDEX)).toList() + ". Pass one of them as ?index=N.");
        }
        Map<String, Object> out = output.get();
        String location = (String) out.get(Nifti.LOCATION);
        Path file;
        try {
            file = lake.resolve(location);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiException.ErrorCode.INTERNAL, 500, "The NIfTI of series '" + series + "' has an "
                    + "invalid location in the nifti table (" + e.getMessage() + "); re-curate the series to rewrite it.", e);
        }
        if (!Files.isRegularFile(file)) {
            throw new ApiException(ApiException.ErrorCode.INTERNAL, 500, "The NIfTI file of series '" + series + "' ("
                    + location + ") is missing from the lake; the lake folder was modified outside medlake. Re-curate the "
                    + "series to convert it again.");
        }
        String sha = (String) out.get(Nifti.SHA256);
        if (sha != null) {
            ctx.header(ApiServer.SHA256_HEADER, sha);
        }
        String name = out.get(Nifti.NAME) == null ? series : String.valueOf(out.get(Nifti.NAME));
        ctx.header("Content-Disposition", "attachment; filename=\"" + name.replaceAll("[^0-9A-Za-z._-]", "_") + ".nii.gz\"");
        FileResponses.send(ctx, file, NIFTI_GZ, sha);
    }

    private static int index(String value) {
        if (value == null) {
            return 0;
        }
        try {
            int i = Integer.parseInt(value.strip());
            if (i >= 0) {
                return i;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("'index' must be a whole number >= 0 (the NIfTI output of the series, 0 = the "
                + "first) but was '" + value + "'.");
    }

    private static ApiException noNifti(String message) {
        return new ApiException(ApiException.ErrorCode.USER_ERROR, 404, "NO_NIFTI", message, null);
    }

    /** The series' rows of the latest {@code nifti} snapshot (cached by table version). */
    private List<Map<String, Object>> rows(String series) {
        Path table = lake.table(Tables.NIFTI);
        OptionalLong latest = reader.latestVersion(table);
        if (latest.isEmpty()) {
            return List.of();
        }
        NiftiRows c = cached;
        if (c.version() != latest.getAsLong()) {
            synchronized (this) {
                c = cached;
                if (c.version() != latest.getAsLong()) {
                    var data = reader.read(table, NIFTI_COLUMNS).orElseThrow();
                    Map<String, List<Map<String, Object>>> by = new java.util.HashMap<>();
                    for (Map<String, Object> r : data.rows()) {
                        by.computeIfAbsent((String) r.get(Nifti.SERIES_INSTANCE_UID), k -> new java.util.ArrayList<>()).add(r);
                    }
                    c = new NiftiRows(data.version(), by);
                    cached = c;
                }
            }
        }
        return c.bySeries().getOrDefault(series, List.of());
    }
}
