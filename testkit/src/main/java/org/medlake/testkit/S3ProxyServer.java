package org.medlake.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A real S3-compatible server for tests: S3Proxy (Maven Central {@code org.gaul:s3proxy}, its
 * {@code jar-with-dependencies}) on a free loopback port, run as a child process so its dependencies never meet
 * the test's. Objects live in a temp folder, one sub-folder per bucket.
 */
public final class S3ProxyServer implements AutoCloseable {
    /** Access key the server accepts. */
    public static final String ACCESS_KEY = "medlake-test";
    /** Secret key the server accepts. */
    public static final String SECRET_KEY = "medlake-test-secret";

    private final Process process;
    private final int port;
    private final Path data;
    private final Path log;

    private S3ProxyServer(Process process, int port, Path data, Path log) {
        this.process = process;
        this.port = port;
        this.data = data;
        this.log = log;
    }

    /**
     * Starts S3Proxy from {@code jar}.
     *
     * @param jar the S3Proxy jar-with-dependencies (the ingest module's build copies it to {@code target/s3proxy})
     */
    public static S3ProxyServer start(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy jar " + jar + " is missing. Run the build through Maven (the "
                    + "ingest module copies org.gaul:s3proxy:jar-with-dependencies before its integration tests).");
        }
        try {
            Path dir = Files.createTempDirectory("medlake-s3proxy-");
            Path data = Files.createDirectories(dir.resolve("data"));
            int port = FreePorts.next();
            Path props = dir.resolve("s3proxy.conf");
            Files.write(props, List.of(
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + data));
            Path log = dir.resolve("s3proxy.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(), "--properties", props.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            S3ProxyServer server = new S3ProxyServer(p, port, data, log);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (!listening(port)) {
                if (!p.isAlive() || Instant.now().isAfter(deadline)) {
                    server.close();
                    throw new IllegalStateException("S3Proxy did not start on port " + port + "; log: " + log + "\n"
                            + (Files.exists(log) ? Files.readString(log) : ""));
                }
                Thread.sleep(200);
            }
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start S3Proxy: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting S3Proxy", e);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The endpoint URL, e.g. {@code http://127.0.0.1:PORT}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Creates an empty bucket (a folder of the file-system backend). */
    public void createBucket(String name) {
        try {
            Files.createDirectories(data.resolve(name));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create bucket " + name + ": " + e.getMessage(), e);
        }
    }

    /** The server's log file. */
    public Path logFile() {
        return log;
    }

    @Override
    public void close() {
        process.destroy();
    }
}
