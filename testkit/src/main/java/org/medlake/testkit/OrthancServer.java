package org.medlake.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Orthanc PACS (Debian packages {@code orthanc} and {@code orthanc-dicomweb}) run as a child process for
 * tests: HTTP REST API, DICOMweb (QIDO-RS/WADO-RS) at {@link #dicomWebUrl()}, and a DICOM port that answers
 * C-ECHO, C-STORE, C-FIND, C-MOVE and C-GET from any calling AE.
 *
 * <p>Lifecycle: every {@link #start()} starts a <em>new</em> Orthanc with its own free ports and an empty
 * temporary database, so each test class gets an isolated PACS (start takes about a second). Call
 * {@link #stop()} (or use try-with-resources); a JVM shutdown hook stops forgotten servers.
 *
 * <p>Missing packages are installed through {@code infra/bin/ensure-packages orthanc orthanc-dicomweb dcmtk}
 * (apt-get when running as root; otherwise it fails naming the packages). No authentication is configured;
 * Orthanc listens on all interfaces but the tests only use 127.0.0.1. Orthanc's output goes to the file
 * {@link #logFile()}, named in every failure message.
 *
 * <p>C-MOVE destinations must be known to Orthanc: register them at run time with {@link #registerModality}.
 */
public final class OrthancServer implements AutoCloseable {

    /** Debian packages this class (and the PACS tests using dcmtk's {@code storescu}) need. */
    public static final List<String> PACKAGES = List.of("orthanc", "orthanc-dicomweb", "dcmtk");
    /** The Orthanc binary installed by the Debian package. */
    public static final Path BINARY = Path.of("/usr/sbin/Orthanc");
    /** The DICOMweb plugin installed by the Debian package {@code orthanc-dicomweb}. */
    public static final Path DICOMWEB_PLUGIN = Path.of("/usr/share/orthanc/plugins/libOrthancDicomWeb.so");
    /** The AE title Orthanc answers to. */
    public static final String AE_TITLE = "ORTHANC";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path home;
    private final Path logFile;
    private final int httpPort;
    private final int dicomPort;
    private final Process process;
    private final Thread shutdownHook;

    private OrthancServer(Path home, Path logFile, int httpPort, int dicomPort, Process process) {
        this.home = home;
        this.logFile = logFile;
        this.httpPort = httpPort;
        this.dicomPort = dicomPort;
        this.process = process;
        this.shutdownHook = new Thread(this::stopQuietly, "orthanc-stop-" + httpPort);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Ensures the packages are installed, then starts a new Orthanc on free ports with an empty database in a
     * temporary folder and waits until {@code GET /system} answers.
     *
     * @return the running server
     * @throws IllegalStateException when the packages cannot be installed or Orthanc does not start (the message
     *     names the log file)
     */
    public static OrthancServer start() {
        ensurePackages();
        Path home;
        try {
            home = Files.createTempDirectory("medlake-orthanc-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary folder for Orthanc: " + e.getMessage(), e);
        }
        Path logFile = home.resolve("orthanc.log");
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int httpPort = FreePorts.next();
            int dicomPort = FreePorts.next();
            while (dicomPort == httpPort) {
                dicomPort = FreePorts.next();
            }
            try {
                Path config = writeConfig(home, httpPort, dicomPort);
                Process process = new ProcessBuilder(BINARY.toString(), config.toString())
                        .directory(home.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                OrthancServer server = new OrthancServer(home, logFile, httpPort, dicomPort, process);
                try {
                    server.awaitReady();
                    return server;
                } catch (IllegalStateException e) {
                    server.stop();
                    last = e;
                }
            } catch (IOException e) {
                throw new IllegalStateException("Cannot start " + BINARY + ": " + e.getMessage()
                        + ". Check that the Debian package orthanc is installed. Log: " + logFile, e);
            }
        }
        throw last;
    }

    private static void ensurePackages() {
        if (Files.isExecutable(BINARY) && Files.isRegularFile(DICOMWEB_PLUGIN) && Files.isExecutable(Path.of("/usr/bin/storescu"))) {
            return;
        }
        List<String> args = new java.util.ArrayList<>();
        args.add(MedlakeServices.repoRoot().resolve("infra/bin/ensure-packages").toString());
        args.addAll(PACKAGES);
        try {
            Process p = new ProcessBuilder(args).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("The PACS tests need the Debian packages " + PACKAGES
                        + ", and infra/bin/ensure-packages could not install them. Output:\n" + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run infra/bin/ensure-packages: " + e.getMessage()
                    + ". Install the Debian packages " + PACKAGES + " by hand.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while installing " + PACKAGES, e);
        }
    }

    private static Path writeConfig(Path home, int httpPort, int dicomPort) throws IOException {
        ObjectNode c = Http.JSON.createObjectNode();
        c.put("Name", "medlake-test-orthanc");
        Path storage = home.resolve("db");
        c.put("StorageDirectory", storage.toString());
        c.put("IndexDirectory", storage.toString());
        c.put("HttpPort", httpPort);
        c.put("HttpServerEnabled", true);
        c.put("RemoteAccessAllowed", true);
        c.put("AuthenticationEnabled", false);
        c.put("DicomServerEnabled", true);
        c.put("DicomAet", AE_TITLE);
        c.put("DicomPort", dicomPort);
        c.put("DicomCheckCalledAet", false);
        c.put("DicomAlwaysAllowEcho", true);
        c.put("DicomAlwaysAllowStore", true);
        c.put("DicomAlwaysAllowFind", true);
        c.put("DicomAlwaysAllowMove", true);
        c.put("DicomAlwaysAllowGet", true);
        c.put("DicomModalitiesInDatabase", false);
        c.putObject("DicomModalities");
        c.put("DicomAssociationCloseDelay", 0);
        c.put("DicomScuTimeout", 10);
        c.put("SynchronousCMove", true);
        c.put("StableAge", 60);
        c.put("ConcurrentJobs", 2);
        c.put("SaveJobs", false);
        ArrayNode plugins = c.putArray("Plugins");
        plugins.add(DICOMWEB_PLUGIN.toString());
        ObjectNode dicomWeb = c.putObject("DicomWeb");
        dicomWeb.put("Enable", true);
        dicomWeb.put("Root", "/dicom-web/");
        Path file = home.resolve("orthanc-" + httpPort + ".json");
        Files.writeString(file, Http.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(c));
        return file;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Orthanc exited with code " + process.exitValue()
                        + " during start-up (HTTP port " + httpPort + ", DICOM port " + dicomPort + "). See " + logFile
                        + ":\n" + tail());
            }
            if (MedlakeServices.probe(httpUrl() + "/system") == 200) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for Orthanc", e);
            }
        }
        throw new IllegalStateException("Orthanc did not answer GET " + httpUrl() + "/system within " + START_TIMEOUT
                + ". See " + logFile + ":\n" + tail());
    }

    /** @return the REST API base URL, e.g. {@code http://127.0.0.1:8042} (no trailing slash) */
    public String httpUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** @return the DICOMweb base URL, e.g. {@code http://127.0.0.1:8042/dicom-web} (no trailing slash) */
    public String dicomWebUrl() {
        return httpUrl() + "/dicom-web";
    }

    /** @return the DICOM (DIMSE) port on 127.0.0.1 */
    public int dicomPort() {
        return dicomPort;
    }

    /** @return the AE title Orthanc answers to ({@value #AE_TITLE}) */
    public String aeTitle() {
        return AE_TITLE;
    }

    /** @return the file Orthanc logs to */
    public Path logFile() {
        return logFile;
    }

    /**
     * Stores one DICOM file in Orthanc ({@code POST /instances}).
     *
     * @param dicomFile a DICOM Part 10 file
     * @return Orthanc's answer, e.g. {@code {"ID":..., "Status":"Success", ...}}
     * @throws IllegalStateException when Orthanc refuses the file
     */
    public JsonNode upload(Path dicomFile) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(httpUrl() + "/instances")).timeout(Http.TIMEOUT)
                    .header("Content-Type", "application/dicom")
                    .POST(HttpRequest.BodyPublishers.ofFile(dicomFile)).build();
            HttpResponse<String> r;
            try {
                r = Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                // Orthanc (CivetWeb) sometimes closes a kept-alive connection just as the JDK client reuses it
                // ("header parser received no bytes"); storing the same file again is harmless.
                r = Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            }
            if (r.statusCode() != 200) {
                throw new IllegalStateException("Orthanc refused " + dicomFile + ": HTTP " + r.statusCode() + " "
                        + r.body() + ". See " + logFile);
            }
            return Http.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("POST " + httpUrl() + "/instances with " + dicomFile + " failed: " + e
                    + ". See " + logFile, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while uploading " + dicomFile, e);
        }
    }

    /**
     * Stores DICOM files in Orthanc, one {@code POST /instances} each.
     *
     * @param dicomFiles DICOM Part 10 files
     */
    public void uploadAll(List<Path> dicomFiles) {
        dicomFiles.forEach(this::upload);
    }

    /**
     * Registers (or replaces) a DICOM modality at run time ({@code PUT /modalities/<name>}), so that Orthanc can
     * C-MOVE to it.
     *
     * @param name Orthanc's symbolic name for the modality
     * @param aeTitle its AE title
     * @param host its host name or address
     * @param port its DICOM port
     */
    public void registerModality(String name, String aeTitle, String host, int port) {
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("AET", aeTitle);
        body.put("Host", host);
        body.put("Port", port);
        String json = body.toString();
        Http.Response r = Http.send(HttpRequest.newBuilder(URI.create(httpUrl() + "/modalities/" + name))
                .timeout(Http.TIMEOUT).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
        if (r.status() != 200) {
            throw new IllegalStateException("Orthanc refused PUT /modalities/" + name + " " + json + ": HTTP " + r.status()
                    + " " + r.body() + ". See " + logFile);
        }
    }

    /**
     * Returns the SOP Instance UIDs Orthanc stores ({@code GET /instances?expand}).
     *
     * @return the UIDs, in no particular order
     */
    public List<String> sopInstanceUids() {
        Http.Response r = Http.get(httpUrl() + "/instances?expand", null);
        if (r.status() != 200) {
            throw new IllegalStateException("GET /instances gave HTTP " + r.status() + ". See " + logFile);
        }
        List<String> uids = new java.util.ArrayList<>();
        r.json().forEach(i -> uids.add(i.path("MainDicomTags").path("SOPInstanceUID").asText()));
        return uids;
    }

    /** Stops Orthanc (SIGTERM, then SIGKILL after 10 s) and deletes its temporary folder except the log file. */
    public void stop() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // JVM already shutting down
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void stopQuietly() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        deleteTree(home.resolve("db"));
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return "Orthanc[http=" + httpUrl() + ", dicom=" + AE_TITLE + "@127.0.0.1:" + dicomPort + ", log=" + logFile + "]";
    }
}
