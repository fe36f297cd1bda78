package org.medlake.server;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Command line: {@code serve --lake DIR [--port 8080] [--es URL] [--keycloak-issuer URL]}.
 *
 * <p>Unset options come from the environment ({@code MEDLAKE_PORT}, {@code MEDLAKE_ES_URL},
 * {@code MEDLAKE_KEYCLOAK_ISSUER} / {@code MEDLAKE_KEYCLOAK_URL}, {@code MEDLAKE_HOST}) or local defaults, see
 * {@link ServerConfig}. Prints {@code medlake API listening on http://HOST:PORT} once serving and runs until the
 * process is killed. Exit code 2 on bad arguments.
 */
public final class ServeMain {
    private ServeMain() {}

    static final String USAGE = "usage: serve --lake DIR [--port 8080] [--es URL] [--keycloak-issuer URL]";

    public static void main(String[] args) {
        // Delta Kernel's unitycatalog-client logs through the Log4j API, whose provider we exclude (we log with
        // SLF4J). Set here, in the application, not in a library resource: a JVM that also runs Spark needs Log4j core.
        System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        System.setProperty("log4j2.simplelogLevel", "WARN");
        ServerConfig config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        if (config == null) {
            System.out.println(USAGE);
            return;
        }
        ApiServer server = new ApiServer(config);
        int port = server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "medlake-shutdown"));
        System.out.println("medlake API listening on http://" + config.host() + ":" + port);
        System.out.flush();
    }

    /** Parses arguments (a leading {@code serve} is optional); null for {@code --help}. */
    static ServerConfig parse(String[] args) {
        String lake = null;
        String es = null;
        String issuer = null;
        Integer port = null;
        int i = args.length > 0 && args[0].equals("serve") ? 1 : 0;
        for (; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                return null;
            }
            if (!a.equals("--lake") && !a.equals("--port") && !a.equals("--es") && !a.equals("--keycloak-issuer")) {
                throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--lake" -> lake = v;
                case "--port" -> port = ServerConfig.parsePort(v);
                case "--es" -> es = v;
                default -> issuer = v;
            }
        }
        if (lake == null) {
            throw new IllegalArgumentException("--lake DIR is required");
        }
        Path lakeDir = Path.of(lake);
        if (!Files.isDirectory(lakeDir)) {
            throw new IllegalArgumentException("lake folder " + lakeDir.toAbsolutePath() + " does not exist; create it or "
                    + "pass the folder you ingested into");
        }
        return ServerConfig.fromEnv(System.getenv(), lakeDir, port, es, issuer);
    }
}
