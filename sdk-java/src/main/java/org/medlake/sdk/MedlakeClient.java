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

    /** Releases the client's resources. */
    @Override
    void close();
}
