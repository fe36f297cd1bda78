package org.medlake.server;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the REST server. {@link #fromEnv} fills unset values from environment variables with defaults that
 * work against {@code infra/bin/services} on this machine:
 * <ul>
 *   <li>port: {@code MEDLAKE_PORT}, default {@value #DEFAULT_PORT}; host: {@code MEDLAKE_HOST}, default 127.0.0.1</li>
 *   <li>Elasticsearch: {@code MEDLAKE_ES_URL}, default {@code http://127.0.0.1:9200}</li>
 *   <li>issuer: {@code MEDLAKE_KEYCLOAK_ISSUER}, else {@code MEDLAKE_KEYCLOAK_URL + /realms/medlake}, default
 *       {@value #DEFAULT_ISSUER}</li>
 *   <li>web app: {@code MEDLAKE_WEB_ROOT} (a folder with the built app, e.g. while developing it), default the
 *       classpath folder {@code medlake-web/} (the {@code medlake-web} jar)</li>
 * </ul>
 *
 * @param lake           lake root folder (need not contain tables yet)
 * @param host           interface to bind
 * @param port           TCP port, 0 = any free port
 * @param esUrl          Elasticsearch base URL
 * @param keycloakIssuer realm issuer URL tokens must carry
 * @param webRoot        folder the web app is served from at {@code /}; null = the classpath folder
 *                       {@code medlake-web/}. A folder without {@code index.html} counts as "not built".
 */
public record ServerConfig(Path lake, String host, int port, String esUrl, String keycloakIssuer, Path webRoot) {
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final String DEFAULT_ES_URL = "http://127.0.0.1:9200";
    public static final String DEFAULT_ISSUER = "http://127.0.0.1:8180/realms/medlake";

    public ServerConfig {
        Objects.requireNonNull(lake, "lake");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(esUrl, "esUrl");
        Objects.requireNonNull(keycloakIssuer, "keycloakIssuer");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
    }

    /** A configuration serving the web app from the classpath ({@code webRoot} null). */
    public ServerConfig(Path lake, String host, int port, String esUrl, String keycloakIssuer) {
        this(lake, host, port, esUrl, keycloakIssuer, null);
    }

    /** This configuration with the web app served from folder {@code webRoot} (null = the classpath). */
    public ServerConfig withWebRoot(Path webRoot) {
        return new ServerConfig(lake, host, port, esUrl, keycloakIssuer, webRoot);
    }

    /**
     * A configuration where null arguments are taken from {@code env} (see the class comment) or defaults.
     *
     * @throws IllegalArgumentException if {@code MEDLAKE_PORT} is not a number
     */
    public static ServerConfig fromEnv(Map<String, String> env, Path lake, Integer port, String esUrl, String issuer) {
        int p = port != null ? port : env.containsKey("MEDLAKE_PORT") ? parsePort(env.get("MEDLAKE_PORT")) : DEFAULT_PORT;
        String es = esUrl != null ? esUrl : env.getOrDefault("MEDLAKE_ES_URL", DEFAULT_ES_URL);
        String iss = issuer;
        if (iss == null) {
            iss = env.get("MEDLAKE_KEYCLOAK_ISSUER");
        }
        if (iss == null && env.get("MEDLAKE_KEYCLOAK_URL") != null) {
            iss = stripSlash(env.get("MEDLAKE_KEYCLOAK_URL")) + "/realms/medlake";
        }
        String web = env.get("MEDLAKE_WEB_ROOT");
        return new ServerConfig(lake, env.getOrDefault("MEDLAKE_HOST", DEFAULT_HOST), p, stripSlash(es),
                stripSlash(iss == null ? DEFAULT_ISSUER : iss), web == null || web.isBlank() ? null : Path.of(web.strip()));
    }

    static int parsePort(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port '" + s + "' is not a number; give a TCP port such as 8080");
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
