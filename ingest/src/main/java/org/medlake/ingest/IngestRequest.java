package org.medlake.ingest;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.medlake.ingest.routing.RoutingRules;

/**
 * What to ingest and where.
 *
 * @param sources files or folders (searched recursively); plain paths are local, URIs ({@code file:},
 *                {@code hdfs:}, {@code s3a:}) go through Hadoop's FileSystem API
 * @param lakeDir the lake root (see {@code org.medlake.lake.LakeLayout})
 * @param project project the instances belong to (letters, digits, {@code _ . -})
 * @param site    acquiring site, may be {@code null}
 * @param user    who runs the ingest; {@code null} means the OS user
 * @param inPlace register plain files where they are instead of copying them into the lake's object store
 *                (members of archives and gzip-wrapped files are always copied)
 * @param rules   routing rules that assign instances to projects; {@code null} means everything goes to
 *                {@code project}
 * @param deidSecret when not {@code null}, every instance is de-identified with this secret before it is stored
 *                (consistent pseudonyms, date shifts and UIDs per secret); files are then always copied
 */
public record IngestRequest(List<String> sources, Path lakeDir, String project, String site, String user,
                            boolean inPlace, RoutingRules rules, String deidSecret) {
    private static final Pattern PROJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public IngestRequest {
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(lakeDir, "lakeDir");
        sources = List.copyOf(sources);
        if (sources.isEmpty()) {
            throw new IngestException(ErrorCode.INGEST_BAD_ARGUMENT, "No source given: an ingest needs at least one "
                    + "file or folder. Fix: pass the DICOM folder(s) to ingest.");
        }
        if (project == null || !PROJECT.matcher(project).matches()) {
            throw new IngestException(ErrorCode.INGEST_BAD_ARGUMENT, "Invalid project name '" + project + "': "
                    + "project names are 1-64 letters, digits, '_', '.' or '-' starting with a letter or digit. "
                    + "Fix: pass e.g. --project demo.");
        }
        if (user == null || user.isBlank()) {
            user = System.getProperty("user.name", "unknown");
        }
        if (site != null && site.isBlank()) {
            site = null;
        }
        if (rules == null) {
            rules = RoutingRules.single(project);
        }
    }

    /** A request that copies files into the lake and sends every instance to {@code project}. */
    public IngestRequest(List<String> sources, Path lakeDir, String project, String site, String user) {
        this(sources, lakeDir, project, site, user, false, null, null);
    }

    /** This request, registering plain files in place instead of copying them. */
    public IngestRequest withInPlace(boolean inPlace) {
        return new IngestRequest(sources, lakeDir, project, site, user, inPlace, rules, deidSecret);
    }

    /** This request with routing rules (their default project is this request's project). */
    public IngestRequest withRules(RoutingRules rules) {
        return new IngestRequest(sources, lakeDir, project, site, user, inPlace, rules, deidSecret);
    }

    /** This request, de-identifying every instance with {@code secret} before storing it ({@code null}: off). */
    public IngestRequest withDeidentification(String secret) {
        return new IngestRequest(sources, lakeDir, project, site, user, inPlace, rules, secret);
    }

    /** A request for the given sources with the default user. */
    public static IngestRequest of(Path lakeDir, String project, String site, String... sources) {
        return new IngestRequest(List.of(sources), lakeDir, project, site, null);
    }
}
