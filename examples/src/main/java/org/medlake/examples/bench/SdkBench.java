package org.medlake.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.medlake.sdk.Cohort;
import org.medlake.sdk.CohortManifest;
import org.medlake.sdk.Dataset;
import org.medlake.sdk.DatasetIterator;
import org.medlake.sdk.ManifestEntry;
import org.medlake.sdk.MedlakeClient;
import org.medlake.sdk.MedlakeException;
import org.medlake.sdk.Query;
import org.medlake.sdk.Sample;

/**
 * The measurement of {@code ./medlake bench sdk}, against a running medlake API: the SDK's delivery rate of a frozen
 * cohort version to a consumer, beside a plain download of the same files with the JDK {@link HttpClient}.
 *
 * <p><b>SDK side</b>: one epoch of {@link Dataset#of}{@code (client, manifest).prefetch(threads, budget)} from an
 * empty cache directory, i.e. everything the SDK does for a first epoch: bearer token from Keycloak (password grant),
 * parallel downloads, SHA-256 of every file against the manifest, the verified copy written into the cache, samples
 * handed over in order. <b>Raw side</b>: the manifest's download URLs fetched by {@code threads} workers with the
 * same bearer token (a password grant of the same user), each file read whole into memory, with no verification,
 * no cache and no ordering. <b>Consumer</b>, both sides: CRC32C over every byte of every file; the size must match
 * the manifest and both sides must agree on every file's CRC32C, else the run fails.
 *
 * <p>After an untimed warm-up of both sides on the first quarter of the files, runs alternate raw, SDK, SDK, raw,
 * raw, SDK... ({@code sync} before each pass); each rate is bytes / wall time in MB/s (10^6 bytes per second), and
 * the figures are the medians over the runs.
 */
final class SdkBench {
    private SdkBench() {}

    /** Where and how to measure. {@code cacheDir} is emptied before every SDK run and removed at the end. */
    record Options(String apiUrl, String issuer, String user, String password, String project, String cohort,
            int runs, int threads, long budgetBytes, Path cacheDir) {}

    /** One timed pass. */
    record Pass(String side, long bytes, int files, double seconds, double cpuSeconds) {
        double mbPerSecond() {
            return bytes / seconds / 1e6;
        }
    }

    /** The outcome: every pass, and the medians. */
    record Figures(int files, long bytes, int version, List<Pass> passes) {
        double sdkMbPerSecond() {
            return median("sdk");
        }

        double rawMbPerSecond() {
            return median("raw");
        }

        double ratio() {
            return sdkMbPerSecond() / rawMbPerSecond();
        }

        private double median(String side) {
            double[] v = passes.stream().filter(p -> p.side().equals(side)).mapToDouble(Pass::mbPerSecond).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        /** The last line of {@code --json}: exactly these three keys. */
        String json() {
            return String.format(Locale.ROOT, "{\"sdk_mb_s\":%.1f,\"raw_http_mb_s\":%.1f,\"ratio\":%.3f}",
                    sdkMbPerSecond(), rawMbPerSecond(), ratio());
        }
    }

    static Figures run(Options o, PrintStream log) throws IOException, InterruptedException {
        try (MedlakeClient client = client(o, o.cacheDir().resolve("setup"))) {
            CohortManifest manifest = manifest(client, o, log);
            List<ManifestEntry> entries = manifest.entries();
            if (entries.isEmpty()) {
                throw new IllegalStateException("cohort '" + o.cohort() + "' of project '" + o.project()
                        + "' has no instances: the lake has no released series. Curate it first.");
            }
            long bytes = entries.stream().mapToLong(ManifestEntry::sizeBytes).sum();
            log.printf(Locale.ROOT, "bench sdk: cohort %s/%s v%d: %d files, %.1f MiB; %d threads, %d MiB prefetch budget%n",
                    o.project(), o.cohort(), manifest.version().version(), entries.size(), bytes / 1048576.0,
                    o.threads(), o.budgetBytes() >> 20);
            Map<String, Long> crcs = new HashMap<>();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(60))
                    .followRedirects(HttpClient.Redirect.NORMAL).build();

            // Warm-up (JIT, connections, server caches) on about 1/4 of the files, untimed.
            List<ManifestEntry> warm = entries.subList(0, Math.max(1, Math.min(entries.size(), entries.size() / 4)));
            raw(http, o, warm, crcs);
            sdk(o, manifest, warm.size(), crcs);

            // Raw first in odd runs, SDK first in even ones, so that neither side always follows the other.
            List<Pass> passes = new ArrayList<>();
            for (int r = 1; r <= o.runs(); r++) {
                for (String side : r % 2 == 1 ? List.of("raw", "sdk") : List.of("sdk", "raw")) {
                    Pass pass = side.equals("raw") ? retried(() -> raw(http, o, entries, crcs), http, o, log)
                            : retried(() -> sdk(o, manifest, entries.size(), crcs), http, o, log);
                    log.printf(Locale.ROOT, "bench sdk: run %d/%d %-9s %8.1f MB/s (%d files, %.2f s, %.1f s CPU)%n", r,
                            o.runs(), side.equals("raw") ? "raw HTTP" : "SDK", pass.mbPerSecond(), pass.files(),
                            pass.seconds(), pass.cpuSeconds());
                    passes.add(pass);
                }
            }
            BenchData.deleteTree(o.cacheDir());
            return new Figures(entries.size(), bytes, manifest.version().version(), List.copyOf(passes));
        }
    }

    /**
     * Lets the file system catch up before a timed pass: {@code sync} writes back what earlier passes left dirty
     * (the previous SDK pass's cache, whose deletion may also trigger discards), so that no pass pays for another's
     * disk work. Best effort: without a {@code sync} command the pass starts anyway.
     */
    private static void settle() throws InterruptedException {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
        } catch (IOException noSync) {
            // not a Unix-like system: nothing to wait for
        }
    }

    /** CPU time of this process (server and clients alike), to tell work from waiting on a shared machine. */
    private static double cpuSeconds() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    private interface PassCall {
        Pass call() throws IOException, InterruptedException;
    }

    /**
     * Runs a pass; when it fails because Keycloak is unreachable (other users of a shared machine may restart the
     * local services), waits up to 2 minutes for it to answer and runs the pass once more.
     */
    private static Pass retried(PassCall pass, HttpClient http, Options o, PrintStream log)
            throws IOException, InterruptedException {
        try {
            return pass.call();
        } catch (IOException | RuntimeException e) {
            if (!causedBy(e, java.net.ConnectException.class)) {
                throw e;
            }
            log.println("bench sdk: a pass failed (" + e + "); waiting for the token issuer " + o.issuer()
                    + ", then running it again");
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (true) {
                try {
                    passwordToken(http, o);
                    break;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(2000);
                }
            }
            return pass.call();
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static final java.util.concurrent.atomic.AtomicInteger PASSES = new java.util.concurrent.atomic.AtomicInteger();

    private static MedlakeClient client(Options o, Path cacheDir) {
        return MedlakeClient.create(cfg -> cfg.url(o.apiUrl()).issuer(o.issuer()).password(o.user(), o.password())
                .cacheDir(cacheDir));
    }

    /** The bench cohort's latest version: created over every released series of the project and frozen once. */
    private static CohortManifest manifest(MedlakeClient client, Options o, PrintStream log) {
        Cohort cohort;
        try {
            cohort = client.cohort(o.project(), o.cohort());
        } catch (MedlakeException e) {
            if (e.status() != 404) {
                throw e;
            }
            cohort = client.createCohort(o.project(), o.cohort(), Query.all(), "./medlake bench sdk");
            log.println("bench sdk: created cohort " + o.project() + "/" + o.cohort());
        }
        int version = cohort.versions().isEmpty() ? 0 : cohort.versions().get(cohort.versions().size() - 1).version();
        if (version == 0) {
            version = client.freezeCohort(o.project(), o.cohort()).version();
            log.println("bench sdk: froze version " + version);
        }
        return client.manifest(o.project(), o.cohort(), version);
    }

    /** One SDK epoch from an empty cache over the first {@code count} entries, in manifest order. */
    private static Pass sdk(Options o, CohortManifest manifest, int count, Map<String, Long> crcs)
            throws IOException, InterruptedException {
        // A new, empty cache folder per pass; the old ones are removed only at the end of the bench, because on ext4
        // creating thousands of files right after deleting thousands costs several seconds of kernel time per GiB
        // that a training node's cache (filled once, then read) never pays.
        Path cacheDir = o.cacheDir().resolve("pass-" + PASSES.incrementAndGet());
        settle();
        MedlakeClient client = client(o, cacheDir);
        // Logged in outside the timed part, as a training job is from its previous call.
        client.cohortVersion(o.project(), o.cohort(), manifest.version().version());
        CohortManifest part = count == manifest.entries().size() ? manifest
                : new CohortManifest(manifest.version(), manifest.sha256(), manifest.entries().subList(0, count));
        Dataset ds = Dataset.of(client, part).prefetch(o.threads(), o.budgetBytes());
        CRC32C crc = new CRC32C();
        long bytes = 0;
        int files = 0;
        double cpu = cpuSeconds();
        long start = System.nanoTime();
        try (DatasetIterator it = ds.iterator(0)) {
            while (it.hasNext()) {
                Sample s = it.next();
                ByteBuffer data = s.data();
                int size = data.remaining();
                crc.reset();
                crc.update(data);
                check(s.entry(), size, crc.getValue(), crcs, "SDK");
                bytes += size;
                files++;
            }
        } finally {
            client.close(); // waits for the cache writes still pending: they are part of the pass
        }
        return new Pass("sdk", bytes, files, (System.nanoTime() - start) / 1e9, cpuSeconds() - cpu);
    }

    /** The same files over plain HTTP by {@code threads} workers, each file read whole into memory. */
    private static Pass raw(HttpClient http, Options o, List<ManifestEntry> entries, Map<String, Long> crcs)
            throws IOException, InterruptedException {
        settle();
        String token = passwordToken(http, o);
        AtomicInteger next = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(o.threads());
        double cpu = cpuSeconds();
        long start = System.nanoTime();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < o.threads(); t++) {
                workers.add(pool.submit(() -> {
                    CRC32C crc = new CRC32C();
                    for (int i = next.getAndIncrement(); i < entries.size(); i = next.getAndIncrement()) {
                        ManifestEntry e = entries.get(i);
                        byte[] data = download(http, o.apiUrl() + e.downloadUrl(), token, e.sizeBytes());
                        crc.reset();
                        crc.update(data, 0, data.length);
                        check(e, data.length, crc.getValue(), crcs, "raw HTTP");
                        bytes.addAndGet(data.length);
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("raw download failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new Pass("raw", bytes.get(), entries.size(), (System.nanoTime() - start) / 1e9, cpuSeconds() - cpu);
    }

    private static byte[] download(HttpClient http, String url, String token, long size)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode() + " from " + url + ": "
                        + new String(in.readNBytes(4096), StandardCharsets.UTF_8));
            }
            byte[] data = in.readNBytes(Math.toIntExact(size));
            if (data.length != size || in.read() != -1) {
                throw new IOException(url + " did not deliver the manifest's " + size + " bytes");
            }
            return data;
        }
    }

    /** Size against the manifest; CRC32C against the other side's for the same file (the first one seen wins). */
    private static void check(ManifestEntry e, long size, long crc, Map<String, Long> crcs, String side) {
        if (size != e.sizeBytes()) {
            throw new IllegalStateException(side + " delivered " + size + " bytes of instance " + e.sopInstanceUid()
                    + " but the manifest says " + e.sizeBytes());
        }
        Long seen;
        synchronized (crcs) {
            seen = crcs.putIfAbsent(e.sopInstanceUid(), crc);
        }
        if (seen != null && seen != crc) {
            throw new IllegalStateException(side + " delivered other bytes of instance " + e.sopInstanceUid()
                    + " than the previous pass (CRC32C " + Long.toHexString(crc) + " vs " + Long.toHexString(seen) + ")");
        }
    }

    /** A bearer token of the same user and client as the SDK's login (password grant of the public CLI client). */
    private static String passwordToken(HttpClient http, Options o) throws IOException, InterruptedException {
        String form = "grant_type=password&client_id=medlake-cli&scope=openid&username="
                + URLEncoder.encode(o.user(), StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(o.password(), StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(o.issuer()
                        + "/protocol/openid-connect/token")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("login of " + o.user() + " at " + o.issuer() + " failed: HTTP "
                    + response.statusCode() + " " + response.body());
        }
        return new ObjectMapper().readTree(response.body()).path("access_token").asText();
    }
}
