package org.medlake.sdk;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.medlake.sdk.internal.HttpMedlakeClient;

/**
 * The single entry point to a medlake server. Thread-safe; create one per process and close it when done.
 *
 * <pre>{@code
 * try (MedlakeClient client = MedlakeClient.create(cfg -> cfg
 *         .url("http://127.0.0.1:8080")
 *         .issuer("http://127.0.0.1:8180/realms/medlake")
 *         .clientCredentials("medlake-trainer", secret))) {
 *     SeriesPage page = client.searchSeries(Query.eq("modality", "MR"), 100);
 * }
 * }</pre>
 *
 * <p>Every call authenticates with a token from the configured identity provider; tokens are refreshed before
 * they expire. Failures raise {@link MedlakeException}.
 */
public interface MedlakeClient extends AutoCloseable {

    /**
     * Creates a client.
     *
     * @param configure sets at least {@link MedlakeConfig.Builder#url} and one way to authenticate
     * @throws MedlakeException with {@link MedlakeException.Kind#USER_ERROR} if the configuration is incomplete
     */
    static MedlakeClient create(Consumer<MedlakeConfig.Builder> configure) {
        MedlakeConfig.Builder builder = MedlakeConfig.builder();
        configure.accept(builder);
        return new HttpMedlakeClient(builder.build());
    }

    /**
     * Searches the series the caller may see.
     *
     * @param query criteria in medlake's query language; {@link Query#all()} for everything
     * @param size page size, 1 to 1000
     * @return the first page, with the total count of matches
     */
    SeriesPage searchSeries(Query query, int size);

    /** The next page after {@code previous}, or an empty page when {@code previous} was the last. */
    SeriesPage nextPage(Query query, SeriesPage previous);

    /** The instances of a series, ordered by instance number. */
    List<InstanceRef> instances(String seriesInstanceUid);

    /**
     * Opens the DICOM bytes of an instance as a stream. The caller closes it. The bytes are not verified; use
     * {@link #downloadInstance} for a verified copy.
     */
    InputStream openInstance(String sopInstanceUid);

    /**
     * Downloads an instance's DICOM file into {@code directory} as {@code <sopInstanceUid>.dcm} and verifies its
     * SHA-256 against the server's.
     *
     * @return the written file
     * @throws MedlakeException if the download fails or the bytes do not match the checksum
     */
    Path downloadInstance(String sopInstanceUid, Path directory);

    /**
     * Creates a cohort in a project (role editor or admin there). It has no version until {@link #freezeCohort}.
     *
     * @param project the project
     * @param name unique in the project: 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit
     * @param query the cohort's criteria; {@link Query#all()} for every released series of the project
     * @param description free text, or {@code null}
     * @throws MedlakeException USER_ERROR (status 409) if the name is taken, (403/404) naming the project if the
     *     caller may not create cohorts there
     */
    Cohort createCohort(String project, String name, Query query, String description);

    /** The cohorts of a project, sorted by name, each with its versions. */
    List<Cohort> cohorts(String project);

    /**
     * One cohort with its versions.
     *
     * @throws MedlakeException USER_ERROR with status 404 if the project or the cohort is unknown to the caller
     */
    Cohort cohort(String project, String name);

    /**
     * Freezes the cohort's stored query into its next version (role editor or admin in the project).
     *
     * @return the new version
     */
    CohortVersion freezeCohort(String project, String name);

    /**
     * One frozen version.
     *
     * @throws MedlakeException USER_ERROR with status 404 if it was not frozen
     */
    CohortVersion cohortVersion(String project, String name, int version);

    /**
     * The manifest of a frozen version, with every instance's SHA-256 and size, and each series' patient id (the
     * manifest does not carry it; the SDK looks it up with the series search, so a series the caller can no longer
     * find there has a {@code null} patient id). The manifest's bytes are checked against the SHA-256 the server
     * announces.
     *
     * @throws MedlakeException USER_ERROR with status 404 if the version does not exist; EXTERNAL if the manifest
     *     arrives corrupted
     */
    CohortManifest manifest(String project, String name, int version);

    /**
     * The verified local copy of a manifest entry's file, from the cache directory
     * ({@link MedlakeConfig#cacheDir()}, files named by SHA-256) or downloaded into it. A cached file is hashed on
     * every call; when it does not match {@link ManifestEntry#sha256()} (corrupted on disk) it is deleted and fetched
     * again. A download is written to a temporary file, hashed while streaming and moved into place only when it
     * matches. I/O errors, 429 (honouring {@code Retry-After}), 502, 503, 504 and corrupted transfers are retried
     * with exponential backoff and jitter up to {@link MedlakeConfig#maxAttempts()} attempts.
     *
     * <p>The cache is shared by every project and user of the directory: a file already cached is returned without
     * asking the server.
     *
     * @return the cached file; do not modify it
     * @throws MedlakeException USER_ERROR naming the entry's project on 401, 403 or 404 (not retried); EXTERNAL
     *     naming the URL when the attempts are exhausted
     */
    Path fetch(ManifestEntry entry);

    /**
     * {@link #fetch} of every entry of a manifest, in its order.
     *
     * @return the cached files, one per entry
     */
    List<Path> fetchAll(CohortManifest manifest);

    /**
     * The image volume of a series, from the NIfTI-1 file the lake's curation converted it into: voxels in a direct
     * buffer with shape, spacing and affine (see {@link Volume}). The file is kept in the cache directory under
     * {@code nifti/} and revalidated with the server on each call (a conditional request: unchanged files are not
     * sent again); downloads are checked against the SHA-256 the server announces and retried like {@link #fetch}.
     *
     * @throws MedlakeException USER_ERROR 404 if the series has no NIfTI (not an image series, or conversion
     *     failed; the message says why), 403 if the caller may not read it; EXTERNAL if it cannot be had intact
     */
    Volume volume(String seriesInstanceUid);

    /** Releases the client's resources. */
    @Override
    void close();
}
