package org.medlake.sdk.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medlake.sdk.Cohort;
import org.medlake.sdk.CohortManifest;
import org.medlake.sdk.CohortVersion;
import org.medlake.sdk.InstanceRef;
import org.medlake.sdk.ManifestEntry;
import org.medlake.sdk.MedlakeClient;
import org.medlake.sdk.MedlakeConfig;
import org.medlake.sdk.MedlakeException;
import org.medlake.sdk.MedlakeException.Kind;
import org.medlake.sdk.Query;
import org.medlake.sdk.SeriesPage;
import org.medlake.sdk.SeriesSummary;
import org.medlake.sdk.Volume;

/** {@link MedlakeClient} over the REST API with the JDK HTTP client. */
public final class HttpMedlakeClient implements MedlakeClient {
    private static final String SHA256_HEADER = "X-Medlake-SHA256";
    private static final java.util.regex.Pattern SHA256_HEX = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    private final MedlakeConfig config;
    private final HttpClient http;
    private final ObjectMapper json;
    private final TokenProvider tokens;
    private final Backoff backoff;
    /** Writes verified downloads of {@link #fetchBytes} into the cache, off the caller's path. */
    private final java.util.concurrent.ExecutorService cacheWriter = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "medlake-cache-writer");
        t.setDaemon(true);
        return t;
    });
    private final java.util.concurrent.atomic.AtomicLong pendingWrites = new java.util.concurrent.atomic.AtomicLong();
    /** Where the Dataset's samples are cached: packed files, far cheaper to write than one file per sample. */
    private final PackCache packs;

    /** Creates a client for a validated configuration. */
    public HttpMedlakeClient(MedlakeConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        this.tokens = new TokenProvider(config, http, json, Clock.systemUTC());
        this.packs = new PackCache(config.cacheDir().resolve("packs"));
        this.backoff = new Backoff(config.maxAttempts(), config.retryBaseDelay(),
                () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
    }

    @Override
    public SeriesPage searchSeries(Query query, int size) {
        return search(query, size, null);
    }

    @Override
    public SeriesPage nextPage(Query query, SeriesPage previous) {
        if (!previous.hasNext()) {
            return new SeriesPage(previous.total(), List.of(), null);
        }
        return search(query, previous.series().size(), previous.nextCursor());
    }

    private SeriesPage search(Query query, int size, List<Object> after) {
        if (size < 1 || size > 1000) {
            throw new MedlakeException(Kind.USER_ERROR, 0, "Page size " + size + " is out of range; use 1 to 1000.");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", query.toTree());
        body.put("size", size);
        if (after != null) {
            body.put("search_after", after);
        }
        JsonNode root = sendJson(request("/api/v1/search")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(write(body))));
        List<SeriesSummary> series = new ArrayList<>();
        for (JsonNode doc : root.path("items")) {
            Map<String, Object> attrs = json.convertValue(doc, new TypeReference<Map<String, Object>>() {});
            attrs.values().removeIf(v -> v == null);
            series.add(new SeriesSummary(
                    text(doc, "series_instance_uid"),
                    text(doc, "study_instance_uid"),
                    text(doc, "patient_id"),
                    text(doc, "modality"),
                    text(doc, "project"),
                    text(doc, "series_description"),
                    doc.path("instance_count").asLong(),
                    attrs));
        }
        JsonNode next = root.path("next_search_after");
        List<Object> cursor = next.isArray() ? json.convertValue(next, new TypeReference<List<Object>>() {}) : null;
        return new SeriesPage(root.path("total").asLong(), series, cursor);
    }

    @Override
    public List<InstanceRef> instances(String seriesInstanceUid) {
        JsonNode root = sendJson(request("/api/v1/series/" + path(seriesInstanceUid) + "/instances").GET());
        List<InstanceRef> out = new ArrayList<>();
        for (JsonNode i : root.path("instances")) {
            JsonNode number = i.path("instance_number");
            out.add(new InstanceRef(text(i, "sop_instance_uid"), text(i, "sha256"), i.path("size_bytes").asLong(),
                    number.isNumber() ? number.asInt() : null));
        }
        return List.copyOf(out);
    }

    @Override
    public InputStream openInstance(String sopInstanceUid) {
        return send(request(instanceFile(sopInstanceUid)).GET(), HttpResponse.BodyHandlers.ofInputStream()).body();
    }

    @Override
    public Path downloadInstance(String sopInstanceUid, Path directory) {
        HttpResponse<InputStream> response =
                send(request(instanceFile(sopInstanceUid)).GET(), HttpResponse.BodyHandlers.ofInputStream());
        String expected = response.headers().firstValue(SHA256_HEADER).orElse("");
        Path target = directory.resolve(sopInstanceUid + ".dcm");
        String mismatch;
        try {
            Files.createDirectories(directory);
            mismatch = receiveInto(response, directory, target, expected);
        } catch (IOException e) {
            throw new MedlakeException(Kind.EXTERNAL, 0,
                    "Could not download instance " + sopInstanceUid + " into " + directory + ": " + e.getMessage(), e);
        }
        if (mismatch != null) {
            throw new MedlakeException(Kind.EXTERNAL, response.statusCode(), "Instance " + sopInstanceUid
                    + " arrived corrupted: SHA-256 " + mismatch + " but the server announced " + expected
                    + ". Retry the download.");
        }
        return target;
    }

    // ---- cohorts ----

    @Override
    public Cohort createCohort(String project, String name, Query query, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("query", query.toTree());
        if (description != null) {
            body.put("description", description);
        }
        return forProject(project, () -> cohortOf(sendJson(request(cohortsPath(project))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(write(body))), false)));
    }

    @Override
    public List<Cohort> cohorts(String project) {
        List<Cohort> out = new ArrayList<>();
        for (JsonNode c : forProject(project, () -> sendJson(request(cohortsPath(project)).GET())).path("cohorts")) {
            out.add(cohortOf(c));
        }
        return List.copyOf(out);
    }

    @Override
    public Cohort cohort(String project, String name) {
        return forProject(project, () -> cohortOf(sendJson(request(cohortsPath(project) + "/" + path(name)).GET())));
    }

    @Override
    public CohortVersion freezeCohort(String project, String name) {
        return forProject(project, () -> versionOf(sendJson(request(cohortsPath(project) + "/" + path(name)
                + "/versions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")), false), null, null, null));
    }

    @Override
    public CohortVersion cohortVersion(String project, String name, int version) {
        return forProject(project, () -> versionOf(sendJson(request(versionPath(project, name, version)).GET()),
                null, null, null));
    }

    @Override
    public CohortManifest manifest(String project, String name, int version) {
        String path = versionPath(project, name, version) + "/manifest?format=json";
        HttpResponse<byte[]> response = forProject(project, () -> send(request(path)
                .header("Accept", "application/json").GET(), HttpResponse.BodyHandlers.ofByteArray()));
        String actual = sha256(response.body());
        String announced = response.headers().firstValue(SHA256_HEADER).orElse(null);
        if (announced != null && !announced.equalsIgnoreCase(actual)) {
            throw new MedlakeException(Kind.EXTERNAL, response.statusCode(), "The manifest of cohort '" + name
                    + "' version " + version + " of project '" + project + "' arrived corrupted from " + config.url()
                    + path + ": SHA-256 " + actual + " but the server announced " + announced + ". Retry; if it "
                    + "persists, a proxy alters the response.");
        }
        JsonNode root;
        try {
            root = json.readTree(response.body());
        } catch (IOException e) {
            throw new MedlakeException(Kind.EXTERNAL, response.statusCode(), "The manifest from " + config.url() + path
                    + " is not JSON (" + e.getMessage() + "); check that the URL points at a medlake server.", e);
        }
        CohortVersion v = versionOf(root, null, null, null);
        Set<String> series = new LinkedHashSet<>();
        for (JsonNode i : root.path("instances")) {
            series.add(text(i, "series_instance_uid"));
        }
        Map<String, String> patients = patientIds(new ArrayList<>(series));
        List<ManifestEntry> entries = new ArrayList<>();
        for (JsonNode i : root.path("instances")) {
            String uid = text(i, "series_instance_uid");
            entries.add(new ManifestEntry(text(i, "project"), uid, text(i, "sop_instance_uid"), text(i, "sha256"),
                    i.path("size_bytes").asLong(), text(i, "download_url"), patients.get(uid)));
        }
        return new CohortManifest(v, actual, entries);
    }

    /** Patient ids of series through the search, in chunks of the largest 'in' list the server accepts. */
    private Map<String, String> patientIds(List<String> series) {
        Map<String, String> out = new HashMap<>();
        int chunk = 1000;
        for (int from = 0; from < series.size(); from += chunk) {
            Query q = Query.in("series_instance_uid",
                    series.subList(from, Math.min(series.size(), from + chunk)).toArray());
            for (SeriesPage page = searchSeries(q, chunk); !page.series().isEmpty(); page = nextPage(q, page)) {
                for (SeriesSummary s : page.series()) {
                    if (s.patientId() != null) {
                        out.put(s.seriesInstanceUid(), s.patientId());
                    }
                }
                if (!page.hasNext()) {
                    break;
                }
            }
        }
        return out;
    }

    private static String cohortsPath(String project) {
        return "/api/v1/projects/" + path(project) + "/cohorts";
    }

    private static String versionPath(String project, String name, int version) {
        return cohortsPath(project) + "/" + path(name) + "/versions/" + version;
    }

    private Cohort cohortOf(JsonNode c) {
        String id = text(c, "cohort_id");
        String project = text(c, "project");
        String name = text(c, "name");
        List<CohortVersion> versions = new ArrayList<>();
        for (JsonNode v : c.path("versions")) {
            versions.add(versionOf(v, id, project, name));
        }
        return new Cohort(id, project, name, text(c, "description"), json.convertValue(c.path("query"), Object.class),
                text(c, "created_by"), instant(c, "created_at"), versions);
    }

    private static CohortVersion versionOf(JsonNode v, String cohortId, String project, String cohort) {
        JsonNode size = v.get("size_bytes");
        return new CohortVersion(v.hasNonNull("cohort_id") ? text(v, "cohort_id") : cohortId,
                v.hasNonNull("project") ? text(v, "project") : project,
                v.hasNonNull("cohort") ? text(v, "cohort") : cohort,
                v.path("version").asInt(), instant(v, "frozen_at"), text(v, "frozen_by"),
                v.path("series_count").asLong(), v.path("instance_count").asLong(),
                size != null && size.isNumber() ? size.asLong() : -1, text(v, "members_sha256"));
    }

    private static Instant instant(JsonNode node, String field) {
        String s = text(node, field);
        return s == null ? null : Instant.parse(s);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new MedlakeException(Kind.INTERNAL, 0, "This JVM has no SHA-256", e);
        }
    }

    // ---- verified cache ----

    @Override
    public List<Path> fetchAll(CohortManifest manifest) {
        List<Path> out = new ArrayList<>();
        for (ManifestEntry e : manifest.entries()) {
            out.add(fetch(e));
        }
        return List.copyOf(out);
    }

    @Override
    public Path fetch(ManifestEntry entry) {
        Slot slot = slot(entry);
        try {
            if (Files.isRegularFile(slot.target())) {
                if (slot.expected().equals(sha256(slot.target()))) {
                    return slot.target();
                }
                Files.deleteIfExists(slot.target()); // corrupted on disk: fetch again
            }
            createDirectories(slot.dir());
        } catch (IOException e) {
            throw cacheUnusable(slot, e);
        }
        download(entry, slot);
        return slot.target();
    }

    /**
     * The verified bytes of a manifest entry, in one pass over them: from the pack cache ({@code <cacheDir>/packs},
     * see {@link PackCache}) or a file {@link #fetch} cached, hashed in memory; else downloaded into memory, hashed
     * there, handed over and appended to this client's pack, behind the caller's back by one writer thread while at
     * most {@value #WRITE_BEHIND_LIMIT} bytes wait for it (else before returning); {@link #close} waits for those
     * writes. A cached copy that fails its hash is ignored and downloaded again. Files over {@value #IN_MEMORY_LIMIT}
     * bytes go through {@link #fetch}. This is {@link org.medlake.sdk.Dataset}'s path.
     *
     * @throws MedlakeException as {@link #fetch}
     */
    public ByteBuffer fetchBytes(ManifestEntry entry) {
        Slot slot = slot(entry);
        if (entry.sizeBytes() < 0 || entry.sizeBytes() > IN_MEMORY_LIMIT) {
            try {
                return ByteBuffer.wrap(Files.readAllBytes(fetch(entry)));
            } catch (IOException e) {
                throw cacheUnusable(slot, e);
            }
        }
        byte[] packed = packs.get(slot.expected());
        if (packed != null) {
            return ByteBuffer.wrap(packed);
        }
        try {
            if (Files.isRegularFile(slot.target())) { // cached by fetch
                byte[] cached = Files.readAllBytes(slot.target());
                if (slot.expected().equals(sha256(cached))) {
                    return ByteBuffer.wrap(cached);
                }
                Files.deleteIfExists(slot.target()); // corrupted on disk: fetch again
            }
        } catch (IOException e) {
            throw cacheUnusable(slot, e);
        }
        byte[] data = downloadVerified(entry, slot);
        if (reserveWrite(data.length)) {
            packBehind(slot, data);
        } else {
            pack(slot, data);
        }
        return ByteBuffer.wrap(data);
    }

    /** Downloads a file into memory with retries until its bytes match the manifest's SHA-256. */
    private byte[] downloadVerified(ManifestEntry entry, Slot slot) {
        String url = config.url() + entry.downloadUrl();
        String lastProblem = null;
        for (int attempt = 1; attempt <= backoff.maxAttempts(); attempt++) {
            // Received straight into one array (no stream hand-off per buffer), then hashed there.
            byte[] data = forProject(entry.project(), () -> send(request(entry.downloadUrl()).GET(),
                    HttpResponse.BodyHandlers.ofByteArray())).body();
            String actual = sha256(data);
            if (actual.equals(slot.expected())) {
                return data;
            }
            lastProblem = "the bytes have SHA-256 " + actual + " but the manifest says " + slot.expected();
            if (attempt < backoff.maxAttempts()) {
                sleep(backoff.delay(attempt, null), url);
            }
        }
        throw new MedlakeException(Kind.EXTERNAL, 0, "Instance " + entry.sopInstanceUid() + " of project '"
                + entry.project() + "' could not be downloaded intact from " + url + " in " + backoff.maxAttempts()
                + " attempts: " + lastProblem + ". Retry later; if it persists, the lake's copy may be damaged: tell "
                + "the operator.");
    }

    /** Appends verified bytes to this client's pack; a failed write only leaves them uncached. */
    private void pack(Slot slot, byte[] data) {
        try {
            packs.put(slot.expected(), data);
        } catch (IOException e) {
            // the next read of this entry downloads it again
        }
    }

    /** {@link #pack} on the writer thread; {@link #close()} waits for it. */
    private void packBehind(Slot slot, byte[] data) {
        try {
            cacheWriter.execute(() -> {
                try {
                    pack(slot, data);
                } finally {
                    pendingWrites.addAndGet(-data.length);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            pendingWrites.addAndGet(-data.length);
            pack(slot, data);
        }
    }

    /** Files up to this size are downloaded into memory, hashed there and written with one call. */
    static final long IN_MEMORY_LIMIT = 64L << 20;
    /** Bytes of verified downloads that may wait for the cache writer. */
    static final long WRITE_BEHIND_LIMIT = 64L << 20;

    /** Where an entry lives in the cache, and its SHA-256 in lower-case hex. */
    private record Slot(Path dir, Path target, String expected) {}

    private Slot slot(ManifestEntry entry) {
        String expected = entry.sha256() == null ? "" : entry.sha256().toLowerCase(java.util.Locale.ROOT);
        if (!SHA256_HEX.matcher(expected).matches()) {
            throw new MedlakeException(Kind.USER_ERROR, 0, "Instance " + entry.sopInstanceUid() + " of project '"
                    + entry.project() + "' has no valid SHA-256 ('" + entry.sha256() + "'), so its download cannot be "
                    + "verified. Take the entry from MedlakeClient.manifest(...).");
        }
        Path dir = config.cacheDir().resolve("sha256").resolve(expected.substring(0, 2));
        return new Slot(dir, dir.resolve(expected), expected);
    }

    /** As Files.createDirectories, without the exception it raises and catches inside when the folder exists. */
    private static void createDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
        }
    }

    private static MedlakeException cacheUnusable(Slot slot, IOException e) {
        return new MedlakeException(Kind.USER_ERROR, 0, "The cache directory " + slot.dir() + " cannot be used: " + e
                + ". Point MedlakeConfig cacheDir(...) at a writable directory.", e);
    }

    /**
     * Downloads an entry into its cache slot with retries: into a temporary file, hashed on the way, moved into place
     * only when the SHA-256 matches.
     */
    private void download(ManifestEntry entry, Slot slot) {
        String url = config.url() + entry.downloadUrl();
        String lastProblem = null;
        for (int attempt = 1; attempt <= backoff.maxAttempts(); attempt++) {
            HttpResponse<InputStream> response = forProject(entry.project(), () -> send(
                    request(entry.downloadUrl()).GET(), HttpResponse.BodyHandlers.ofInputStream()));
            try {
                String mismatch = receiveInto(response, slot.dir(), slot.target(), slot.expected());
                if (mismatch == null) {
                    return;
                }
                lastProblem = "the bytes have SHA-256 " + mismatch + " but the manifest says " + slot.expected();
            } catch (IOException e) {
                lastProblem = "the transfer failed: " + e;
            }
            if (attempt < backoff.maxAttempts()) {
                sleep(backoff.delay(attempt, null), url);
            }
        }
        throw new MedlakeException(Kind.EXTERNAL, 0, "Instance " + entry.sopInstanceUid() + " of project '"
                + entry.project() + "' could not be downloaded intact from " + url + " in " + backoff.maxAttempts()
                + " attempts: " + lastProblem + ". Retry later; if it persists, the lake's copy may be damaged: tell "
                + "the operator.");
    }

    private boolean reserveWrite(long bytes) {
        while (true) {
            long now = pendingWrites.get();
            if (now + bytes > WRITE_BEHIND_LIMIT) {
                return false;
            }
            if (pendingWrites.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }


    @Override
    public Volume volume(String seriesInstanceUid) {
        String uid = seriesInstanceUid == null ? "" : seriesInstanceUid.strip();
        if (!uid.matches("[0-9.]{1,64}")) {
            throw new MedlakeException(Kind.USER_ERROR, 0, "'" + seriesInstanceUid + "' is not a Series Instance UID "
                    + "(digits and dots, at most 64 characters).");
        }
        Path dir = config.cacheDir().resolve("nifti");
        Path cached = dir.resolve(uid + ".nii.gz");
        String route = "/api/v1/series/" + path(uid) + "/nifti";
        String lastProblem = null;
        for (int attempt = 1; attempt <= backoff.maxAttempts(); attempt++) {
            try {
                Files.createDirectories(dir);
                String have = Files.isRegularFile(cached) ? sha256(cached) : null;
                HttpRequest.Builder get = request(route).GET();
                if (have != null) {
                    get.header("If-None-Match", "\"" + have + "\"");
                }
                HttpResponse<InputStream> response = send(get, HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() == 304) {
                    discard(response);
                    try (InputStream in = Files.newInputStream(cached)) {
                        return NiftiVolumes.read(uid, in);
                    }
                }
                String expected = response.headers().firstValue(SHA256_HEADER).orElse("");
                String mismatch = receiveInto(response, dir, cached, expected);
                if (mismatch == null) {
                    try (InputStream in = Files.newInputStream(cached)) {
                        return NiftiVolumes.read(uid, in);
                    }
                }
                lastProblem = "the bytes have SHA-256 " + mismatch + " but the server announced " + expected;
            } catch (IOException e) {
                lastProblem = "the transfer failed: " + e;
            }
            if (attempt < backoff.maxAttempts()) {
                sleep(backoff.delay(attempt, null), route);
            }
        }
        throw new MedlakeException(Kind.EXTERNAL, 0, "The NIfTI of series " + uid + " could not be downloaded intact "
                + "from " + config.url() + route + " in " + backoff.maxAttempts() + " attempts: " + lastProblem
                + ". Retry later; if it persists, ask the operator to re-curate the series.");
    }

    /**
     * Streams a response body into a temporary file of {@code dir}, hashing it on the way, and moves it to
     * {@code target} when its SHA-256 is {@code expected} (any, when {@code expected} is empty).
     *
     * @return {@code null} once moved into place, else the SHA-256 the bytes had (nothing is kept)
     */
    private static String receiveInto(HttpResponse<InputStream> response, Path dir, Path target, String expected)
            throws IOException {
        Path partial = Files.createTempFile(dir, ".download-", ".part");
        try {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new MedlakeException(Kind.INTERNAL, 0, "This JVM has no SHA-256", e);
            }
            try (InputStream in = response.body();
                    OutputStream out = new DigestOutputStream(Files.newOutputStream(partial), sha)) {
                in.transferTo(out);
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!expected.isEmpty() && !actual.equalsIgnoreCase(expected)) {
                return actual;
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return null;
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // a stray .part file is harmless
            }
        }
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    sha.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new MedlakeException(Kind.INTERNAL, 0, "This JVM has no SHA-256", e);
        }
    }

    @Override
    public void close() {
        // The JDK client of Java 17 has no close(); its threads end with the client. Pending cache writes finish.
        cacheWriter.shutdown();
        try {
            cacheWriter.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        packs.close();
    }

    private String instanceFile(String sop) {
        return "/api/v1/instances/" + path(sop) + "/file";
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(config.url() + path)).timeout(config.timeout());
    }

    private JsonNode sendJson(HttpRequest.Builder request) {
        return sendJson(request, true);
    }

    private JsonNode sendJson(HttpRequest.Builder request, boolean idempotent) {
        HttpResponse<byte[]> response = send(request.header("Accept", "application/json"),
                HttpResponse.BodyHandlers.ofByteArray(), idempotent);
        try {
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new MedlakeException(Kind.EXTERNAL, response.statusCode(),
                    "The server answered with something that is not JSON: " + e.getMessage(), e);
        }
    }

    /** Runs {@code call}; a 401/403/404 is re-raised with a message that names {@code project}. */
    private static <T> T forProject(String project, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (MedlakeException e) {
            int st = e.status();
            if ((st == 401 || st == 403 || st == 404) && !e.getMessage().contains("'" + project + "'")) {
                throw new MedlakeException(Kind.USER_ERROR, st, "Access to project '" + project + "' failed: "
                        + e.getMessage().replaceAll("[.\\s]+$", "") + ". Check the project name and that you are a "
                        + "member of project '" + project + "' (ask one of its admins).", e);
            }
            throw e;
        }
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        return send(request, handler, true);
    }

    /**
     * Sends a request; an idempotent one is retried on I/O errors and 429/502/503/504 with {@link Backoff}. 401 logs
     * in again once (unless a fixed token is configured); other 4xx are never retried.
     */
    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler,
            boolean idempotent) {
        int attempts = idempotent ? backoff.maxAttempts() : 1;
        String url = request.copy().build().uri().toString();
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<T> response = http.send(authorize(request), handler);
                if (response.statusCode() == 401 && config.accessToken() == null) {
                    // The token may have been revoked or the issuer's keys rotated: log in again once.
                    discard(response);
                    tokens.invalidate();
                    response = http.send(authorize(request), handler);
                }
                int status = response.statusCode();
                if (Backoff.transientStatus(status) && attempt < attempts) {
                    Duration retryAfter = status == 429 ? Backoff.retryAfter(
                            response.headers().firstValue("Retry-After").orElse(null), Clock.systemUTC()) : null;
                    discard(response);
                    sleep(backoff.delay(attempt, retryAfter), url);
                    continue;
                }
                if (status >= 400) {
                    throw failure(response, attempt);
                }
                return response;
            } catch (IOException e) {
                if (attempt < attempts) {
                    sleep(backoff.delay(attempt, null), url);
                    continue;
                }
                throw new MedlakeException(Kind.EXTERNAL, 0, "Could not reach the medlake server at " + url + " ("
                        + attempts + (attempts == 1 ? " attempt" : " attempts") + "): " + e
                        + ". Check the URL and that the server runs, or retry later.", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MedlakeException(Kind.EXTERNAL, 0, "Interrupted while talking to " + url, e);
            }
        }
    }

    private static void sleep(Duration d, String url) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MedlakeException(Kind.EXTERNAL, 0, "Interrupted while waiting to retry " + url, e);
        }
    }

    private HttpRequest authorize(HttpRequest.Builder request) {
        return request.copy().header("Authorization", "Bearer " + tokens.token()).build();
    }

    private MedlakeException failure(HttpResponse<?> response, int attempts) throws IOException {
        String body = bodyText(response);
        String detail = body;
        try {
            JsonNode problem = json.readTree(body);
            if (problem != null && problem.hasNonNull("detail")) {
                detail = problem.get("detail").asText();
            }
        } catch (IOException notJson) {
            // Keep the raw body as the detail.
        }
        int status = response.statusCode();
        if (Backoff.transientStatus(status)) {
            return new MedlakeException(Kind.EXTERNAL, status, "HTTP " + status + " from " + response.uri() + " after "
                    + attempts + (attempts == 1 ? " attempt" : " attempts") + ": " + detail + ". The server is "
                    + "overloaded or unavailable; retry later or ask its operator.");
        }
        return new MedlakeException(status >= 500 ? Kind.EXTERNAL : Kind.USER_ERROR, status,
                "HTTP " + status + " from " + response.uri().getPath() + ": " + detail);
    }

    private static String bodyText(HttpResponse<?> response) throws IOException {
        Object body = response.body();
        if (body instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (body instanceof InputStream in) {
            try (in) {
                return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            }
        }
        return String.valueOf(body);
    }

    private static void discard(HttpResponse<?> response) throws IOException {
        if (response.body() instanceof InputStream in) {
            in.close();
        }
    }

    private byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String path(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
