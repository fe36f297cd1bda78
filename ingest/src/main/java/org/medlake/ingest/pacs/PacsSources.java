package org.medlake.ingest.pacs;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.medlake.ingest.ErrorCode;
import org.medlake.ingest.IngestException;

/**
 * Parses ingest source URIs that name a PACS.
 *
 * <ul>
 *   <li>{@code dicomweb+http://host:port/dicom-web?StudyDate=20240101-20241231&PatientID=P1} (also
 *       {@code dicomweb+https}): QIDO-RS study search with the query parameters as filters, then WADO-RS
 *       retrieval of each study. See {@link DicomWebSource}.</li>
 *   <li>{@code dimse://CALLED_AE@host:port?StudyDate=...&PatientID=...&StudyInstanceUID=...&calling=MEDLAKE&move-dest=MEDLAKE&scp-port=11113}:
 *       C-FIND at STUDY level, then C-MOVE of each study to a temporary C-STORE SCP. See {@link DimsePullSource}.</li>
 * </ul>
 */
public final class PacsSources {

    private PacsSources() {
    }

    /**
     * Returns the PACS source a URI names, or empty when the URI is not a PACS URI (e.g. a local path).
     *
     * @param uri an ingest source argument
     * @return the source, or empty for non-PACS URIs
     * @throws IngestException {@code INGEST_BAD_ARGUMENT} when the URI has a PACS scheme but is malformed
     */
    public static Optional<PacsSource> parse(String uri) {
        if (uri == null) {
            return Optional.empty();
        }
        String s = uri.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("dicomweb+http://") || lower.startsWith("dicomweb+https://")) {
            return Optional.of(DicomWebSource.fromUri(s));
        }
        if (lower.startsWith("dimse://")) {
            return Optional.of(DimsePullSource.fromUri(s));
        }
        return Optional.empty();
    }

    /** Parses a URI or throws INGEST_BAD_ARGUMENT naming the expected form. */
    static URI toUri(String uri, String expectedForm) {
        try {
            URI u = new URI(uri);
            if (u.getHost() == null || u.getHost().isBlank()) {
                throw bad(uri, "it has no host", expectedForm);
            }
            return u;
        } catch (URISyntaxException e) {
            throw bad(uri, "it is not a valid URI (" + e.getMessage() + ")", expectedForm);
        }
    }

    /** Decodes the query string into an insertion-ordered map; repeated keys are an error. */
    static Map<String, String> query(URI u, String original, String expectedForm) {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = u.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (params.put(key, value) != null) {
                throw bad(original, "the query parameter '" + key + "' is repeated", expectedForm);
            }
        }
        return params;
    }

    static IngestException bad(String uri, String problem, String expectedForm) {
        return new IngestException(ErrorCode.INGEST_BAD_ARGUMENT, "Bad PACS source URI '" + uri + "': " + problem
                + ". Write it as " + expectedForm + ".");
    }

    /** True for a syntactically valid DICOM UID (digits and dots, at most 64 characters). */
    static boolean isUid(String s) {
        return s != null && !s.isEmpty() && s.length() <= 64 && s.matches("[0-9]+(\\.[0-9]+)*");
    }
}
