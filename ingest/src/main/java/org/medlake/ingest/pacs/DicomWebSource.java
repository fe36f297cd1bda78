package org.medlake.ingest.pacs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.medlake.ingest.ErrorCode;
import org.medlake.ingest.IngestException;

/**
 * A DICOMweb PACS: {@code dicomweb+http://host:port/dicom-web?StudyDate=20240101-20241231&PatientID=P1}
 * (or {@code dicomweb+https}).
 *
 * <p>{@link #stage} runs a QIDO-RS study search {@code GET {base}/studies?{filters}} (every query parameter is a
 * QIDO filter, e.g. {@code StudyDate}, {@code PatientID}, {@code ModalitiesInStudy}, {@code AccessionNumber};
 * paged with {@code limit}/{@code offset}, which the URI must therefore not set), then retrieves each study with
 * WADO-RS {@code GET {base}/studies/{uid}} as {@code multipart/related; type="application/dicom"}, asking for the
 * stored transfer syntax ({@code transfer-syntax=*}, falling back to the server's default when refused). Each part
 * is streamed to a temporary file and renamed to {@code <sha256 of its bytes>.dcm}.
 *
 * <p>Source URI of each staged instance:
 * {@code dicomweb+http://host:port/dicom-web/studies/{study}/series/{series}/instances/{sop}}, with the UIDs read
 * from the staged file's header; when they cannot be read, the study URL {@code .../studies/{study}}.
 * User info in the URI ({@code user:password@}) is sent as HTTP Basic authentication and never recorded.
 */
public final class DicomWebSource implements PacsSource {

    static final String FORM = "dicomweb+http://HOST:PORT/PATH?Filter=value&... (e.g. "
            + "dicomweb+http://pacs:8042/dicom-web?StudyDate=20240101-20241231&PatientID=P1)";
    private static final int PAGE_SIZE = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    private final String uri;
    private final String httpBase;
    private final String recordedBase;
    private final Map<String, String> filters;
    private final String authorization;

    private DicomWebSource(String uri, String httpBase, String recordedBase, Map<String, String> filters, String authorization) {
        this.uri = uri;
        this.httpBase = httpBase;
        this.recordedBase = recordedBase;
        this.filters = Map.copyOf(filters);
        this.authorization = authorization;
    }

    /**
     * Parses a {@code dicomweb+http(s)://} URI.
     *
     * @param uri the source URI
     * @return the source
     * @throws IngestException {@code INGEST_BAD_ARGUMENT} when the URI is malformed
     */
    public static DicomWebSource fromUri(String uri) {
        Objects.requireNonNull(uri, "uri");
        URI u = PacsSources.toUri(uri, FORM);
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("dicomweb+http") && !scheme.equals("dicomweb+https")) {
            throw PacsSources.bad(uri, "the scheme must be dicomweb+http or dicomweb+https", FORM);
        }
        if (u.getRawFragment() != null) {
            throw PacsSources.bad(uri, "it has a #fragment", FORM);
        }
        Map<String, String> filters = PacsSources.query(u, uri, FORM);
        for (String key : filters.keySet()) {
            if (key.equalsIgnoreCase("limit") || key.equalsIgnoreCase("offset")) {
                throw PacsSources.bad(uri, "'" + key + "' is set by medlake to page through the results", FORM);
            }
            if (!key.matches("[A-Za-z0-9.]+")) {
                throw PacsSources.bad(uri, "'" + key + "' is not a QIDO-RS attribute keyword or tag", FORM);
            }
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String hostPort = (u.getHost().contains(":") ? "[" + u.getHost() + "]" : u.getHost())
                + (u.getPort() >= 0 ? ":" + u.getPort() : "");
        String httpScheme = scheme.substring("dicomweb+".length());
        String authorization = null;
        if (u.getRawUserInfo() != null) {
            String userInfo = java.net.URLDecoder.decode(u.getRawUserInfo(), StandardCharsets.UTF_8);
            authorization = "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        }
        return new DicomWebSource(redact(u, uri), httpScheme + "://" + hostPort + path, scheme + "://" + hostPort + path,
                filters, authorization);
    }

    private static String redact(URI u, String uri) {
        return u.getRawUserInfo() == null ? uri : uri.replace(u.getRawUserInfo() + "@", "");
    }

    @Override
    public String uri() {
        return uri;
    }

    /** @return the HTTP base URL, e.g. {@code http://pacs:8042/dicom-web} */
    public String baseUrl() {
        return httpBase;
    }

    /** @return the QIDO-RS filters (query parameters of the URI) */
    public Map<String, String> filters() {
        return filters;
    }

    @Override
    public List<StagedInstance> stage(Path stagingDir) {
        Path dir = Staging.createDir(stagingDir);
        List<StagedInstance> staged = new ArrayList<>();
        for (String study : findStudies()) {
            retrieveStudy(study, dir, staged);
        }
        return List.copyOf(staged);
    }

    /** QIDO-RS: the Study Instance UIDs matching the filters, paged. */
    List<String> findStudies() {
        Set<String> uids = new LinkedHashSet<>();
        for (int offset = 0; ; offset += PAGE_SIZE) {
            StringBuilder url = new StringBuilder(httpBase).append("/studies?");
            filters.forEach((k, v) -> url.append(enc(k)).append('=').append(enc(v)).append('&'));
            url.append("limit=").append(PAGE_SIZE).append("&offset=").append(offset);
            HttpResponse<String> r = send(request(url.toString()).header("Accept", "application/dicom+json").GET().build(),
                    HttpResponse.BodyHandlers.ofString(), "QIDO-RS study search");
            if (r.statusCode() == 204) {
                break;
            }
            if (r.statusCode() == 400) {
                throw new IngestException(ErrorCode.INGEST_BAD_ARGUMENT, "The DICOMweb server at " + httpBase
                        + " rejected the study search GET " + url + " (HTTP 400: " + abbreviate(r.body())
                        + "). Check the filters in " + uri + ": QIDO-RS attribute keywords with DICOM values, "
                        + "e.g. StudyDate=20240101-20241231.");
            }
            checkOk(r.statusCode(), "GET " + url, r.body());
            JsonNode array;
            try {
                array = JSON.readTree(r.body());
            } catch (IOException e) {
                throw external("The DICOMweb server at " + httpBase + " answered the study search with a body that is not"
                        + " JSON (" + e.getMessage() + ")", "Check that the URI points at the DICOMweb root (e.g. /dicom-web).", e);
            }
            if (array == null || !array.isArray()) {
                throw external("The DICOMweb server at " + httpBase + " answered the study search with JSON that is not an"
                        + " array", "Check that the URI points at the DICOMweb root (e.g. /dicom-web).", null);
            }
            int added = 0;
            for (JsonNode study : array) {
                String uid = study.path("0020000D").path("Value").path(0).asText("").trim();
                if (!PacsSources.isUid(uid)) {
                    throw external("The DICOMweb server at " + httpBase + " returned a study without a valid Study Instance"
                            + " UID ('" + abbreviate(uid) + "')", "Check the PACS's data; medlake cannot retrieve that study.", null);
                }
                if (uids.add(uid)) {
                    added++;
                }
            }
            // Last page, or a server that ignores limit/offset (returns everything or the same page again).
            if (array.size() < PAGE_SIZE || added == 0 || array.size() > PAGE_SIZE) {
                break;
            }
        }
        return List.copyOf(uids);
    }

    private void retrieveStudy(String study, Path dir, List<StagedInstance> staged) {
        String url = httpBase + "/studies/" + study;
        String recordedStudy = recordedBase + "/studies/" + study;
        HttpResponse<InputStream> r = wado(url, "multipart/related; type=\"application/dicom\"; transfer-syntax=*");
        if (r.statusCode() == 406 || r.statusCode() == 400) {
            close(r.body());
            r = wado(url, "multipart/related; type=\"application/dicom\"");
        }
        try (InputStream body = r.body()) {
            if (r.statusCode() == 204 || r.statusCode() == 404) {
                return; // the study was deleted since the search: nothing to stage
            }
            if (r.statusCode() != 200) {
                checkOk(r.statusCode(), "GET " + url, new String(body.readNBytes(2000), StandardCharsets.UTF_8));
            }
            String contentType = r.headers().firstValue("Content-Type").orElse("");
            String boundary = MultipartReader.boundary(contentType).orElseThrow(() -> external(
                    "The DICOMweb server at " + httpBase + " answered GET " + url + " with Content-Type '" + contentType
                            + "' instead of multipart/related with a boundary",
                    "Check that the server supports WADO-RS study retrieval.", null));
            MultipartReader reader = new MultipartReader(body, boundary);
            while (true) {
                Path temp = Staging.tempFile(dir);
                MessageDigest sha = sha256();
                Optional<Map<String, String>> part;
                try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(temp), 65536), sha)) {
                    part = reader.nextPart(out);
                } catch (IOException e) {
                    Staging.deleteQuietly(temp);
                    throw e;
                }
                if (part.isEmpty() || Files.size(temp) == 0) {
                    Staging.deleteQuietly(temp);
                    if (part.isEmpty()) {
                        break;
                    }
                    continue;
                }
                String partType = part.get().getOrDefault("content-type", "application/dicom").toLowerCase(Locale.ROOT);
                if (!partType.startsWith("application/dicom")) {
                    Staging.deleteQuietly(temp);
                    throw external("The DICOMweb server at " + httpBase + " sent a part of type '" + partType + "' for GET "
                            + url, "Check that the server supports WADO-RS retrieval as application/dicom.", null);
                }
                Path file = Staging.publish(temp, dir, HexFormat.of().formatHex(sha.digest()));
                String path = Staging.instancePath(file);
                staged.add(new StagedInstance(file, path.isEmpty() ? recordedStudy : recordedBase + path));
            }
        } catch (IOException e) {
            throw external("Retrieving study " + study + " from the DICOMweb server at " + httpBase + " failed: " + e.getMessage(),
                    "Check the network and the server's log, and that the staging folder " + dir + " is writable with space left; then retry.", e);
        }
    }

    private HttpResponse<InputStream> wado(String url, String accept) {
        return send(request(url).timeout(Duration.ofMinutes(10)).header("Accept", accept).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream(), "WADO-RS study retrieval");
    }

    private HttpRequest.Builder request(String url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) {
        try {
            try {
                return CLIENT.send(request, handler);
            } catch (IOException first) {
                // A server may close a kept-alive connection just as it is reused (seen with Orthanc's CivetWeb:
                // "header parser received no bytes"); these GETs are idempotent, so try once more.
                if (first instanceof java.net.ConnectException) {
                    throw first;
                }
                Thread.sleep(200);
                return CLIENT.send(request, handler);
            }
        } catch (IOException e) {
            throw external("The DICOMweb server at " + httpBase + " is unreachable: " + what + " " + request.uri()
                    + " failed with " + e, "Check that the PACS is running, that host and port in " + uri
                    + " are right, and that no firewall blocks them.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestException(ErrorCode.INGEST_EXTERNAL, "Interrupted during " + what + " " + request.uri()
                    + ". The ingest was cancelled; run it again.", e);
        }
    }

    private void checkOk(int status, String what, String body) {
        if (status == 200) {
            return;
        }
        String fix = switch (status) {
            case 401, 403 -> "Give medlake credentials the server accepts (user:password@ in the URI for HTTP Basic).";
            case 404 -> "Check the path of the DICOMweb root in " + uri + " (e.g. /dicom-web).";
            default -> "Check the server's log and retry.";
        };
        throw external("The DICOMweb server at " + httpBase + " answered " + what + " with HTTP " + status + " ("
                + abbreviate(body) + ")", fix, null);
    }

    private static IngestException external(String problem, String fix, Throwable cause) {
        return new IngestException(ErrorCode.INGEST_EXTERNAL, problem + ". " + fix, cause);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IngestException(ErrorCode.INGEST_INTERNAL, "This JVM has no SHA-256. Use a standard JDK 17.", e);
        }
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // discarding a refused response
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        String t = s == null ? "" : s.replaceAll("\\s+", " ").trim();
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }

    @Override
    public String toString() {
        return "DicomWebSource[" + uri + "]";
    }
}
