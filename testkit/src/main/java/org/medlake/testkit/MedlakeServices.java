package org.medlake.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real services that medlake tests talk to, started at most once per JVM.
 *
 * <p>For each service, when the environment variable ({@code MEDLAKE_TEST_ES_URL},
 * {@code MEDLAKE_TEST_KEYCLOAK_URL}) is set, that external URL is used after checking it answers. Otherwise
 * {@code infra/bin/services start <service>} is run (it reuses a service that is already running) and the
 * local URL is returned. The repository root comes from the system property {@code medlake.repo.root} (set by
 * Surefire/Failsafe from the parent pom), else from walking up from the working directory.
 *
 * <p>All methods are thread-safe; failures throw {@link IllegalStateException} with the script output.
 */
public final class MedlakeServices {

    /** Environment variable with an external Elasticsearch URL, e.g. {@code http://127.0.0.1:9200}. */
    public static final String ES_URL_ENV = "MEDLAKE_TEST_ES_URL";
    /** Environment variable with an external Keycloak URL (without {@code /realms/...}), e.g. {@code http://127.0.0.1:8180}. */
    public static final String KEYCLOAK_URL_ENV = "MEDLAKE_TEST_KEYCLOAK_URL";
    /** Name of the realm imported from {@code infra/keycloak/medlake-realm.json}. */
    public static final String REALM = "medlake";

    private static final Duration START_TIMEOUT = Duration.ofMinutes(10);

    private static volatile String elasticsearchUrl;
    private static volatile String keycloakUrl;

    private MedlakeServices() {
    }

    /**
     * Returns the base URL of a running Elasticsearch (no trailing slash), starting it on first use.
     *
     * @return e.g. {@code http://127.0.0.1:9200}
     */
    public static String elasticsearchUrl() {
        String url = elasticsearchUrl;
        if (url == null) {
            synchronized (MedlakeServices.class) {
                url = elasticsearchUrl;
                if (url == null) {
                    url = resolve("elasticsearch", ES_URL_ENV, "MEDLAKE_ES_PORT", "9200", "/_cluster/health");
                    elasticsearchUrl = url;
                }
            }
        }
        return url;
    }

    /**
     * Returns the base URL of a running Keycloak with the {@code medlake} realm (no trailing slash), starting it
     * on first use.
     *
     * @return e.g. {@code http://127.0.0.1:8180}
     */
    public static String keycloakUrl() {
        String url = keycloakUrl;
        if (url == null) {
            synchronized (MedlakeServices.class) {
                url = keycloakUrl;
                if (url == null) {
                    url = resolve("keycloak", KEYCLOAK_URL_ENV, "MEDLAKE_KEYCLOAK_PORT", "8180",
                            "/realms/" + REALM + "/.well-known/openid-configuration");
                    keycloakUrl = url;
                }
            }
        }
        return url;
    }

    /**
     * Returns the repository root: system property {@code medlake.repo.root}, else the nearest parent of the
     * working directory that contains {@code infra/bin/services}.
     *
     * @return the absolute repository root
     */
    public static Path repoRoot() {
        String prop = System.getProperty("medlake.repo.root");
        if (prop != null && !prop.isBlank() && Files.isRegularFile(Path.of(prop, "infra", "bin", "services"))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("infra/bin/services"))) {
                return dir;
            }
        }
        throw new IllegalStateException("Cannot find the medlake repository root: system property medlake.repo.root is "
                + (prop == null ? "unset" : "'" + prop + "'") + " and no parent of " + Path.of("").toAbsolutePath()
                + " contains infra/bin/services. Run the tests through Maven from the repository or set -Dmedlake.repo.root.");
    }

    private static String resolve(String service, String env, String portEnv, String defaultPort, String probePath) {
        String external = System.getenv(env);
        if (external != null && !external.isBlank()) {
            String url = stripSlash(external.trim());
            int status = probe(url + probePath);
            if (status != 200) {
                throw new IllegalStateException("External " + service + " at " + url + " (from " + env + ") does not answer: GET "
                        + probePath + " gave " + (status < 0 ? "no connection" : "HTTP " + status)
                        + ". Start it, fix " + env + ", or unset it to let the test kit start a local one.");
            }
            return url;
        }
        String port = System.getenv().getOrDefault(portEnv, defaultPort);
        String url = "http://127.0.0.1:" + port;
        runServicesScript("start", service);
        int status = probe(url + probePath);
        if (status != 200) {
            throw new IllegalStateException("infra/bin/services reported " + service + " as started, but GET " + url + probePath
                    + " gave " + (status < 0 ? "no connection" : "HTTP " + status) + ".");
        }
        return url;
    }

    /**
     * Runs {@code infra/bin/services} with the given arguments and returns its output.
     *
     * @param args e.g. {@code "start", "keycloak"}
     * @return combined stdout and stderr of the script
     * @throws IllegalStateException when the script fails or times out (the message holds its output)
     */
    public static String runServicesScript(String... args) {
        Path root = repoRoot();
        Path script = root.resolve("infra/bin/services");
        List<String> command = new java.util.ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + command + ": " + e.getMessage()
                    + ". Check that the script exists and is executable.", e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(process.getInputStream(), out), "medlake-services-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                reader.join(2000);
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + START_TIMEOUT
                        + ". Output:\n" + out.toString(StandardCharsets.UTF_8));
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command, e);
        }
        String output = out.toString(StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + process.exitValue()
                    + ". Output:\n" + output);
        }
        return output;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    /** Returns the HTTP status of a GET, or -1 when there is no connection. */
    static int probe(String url) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
            return Http.CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
