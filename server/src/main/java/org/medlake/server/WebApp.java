package org.medlake.server;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The browser app at {@code /}: static files from the classpath folder {@value #CLASSPATH_DIR} (the
 * {@code medlake-web} jar) or from a folder ({@link ServerConfig#webRoot()}), without a token.
 *
 * <ul>
 *   <li>{@code /assets/*} (content-hashed build output) is cached for a year ({@value #ASSETS_CACHE}); every other
 *       file, {@code index.html} above all, is {@code Cache-Control: no-cache}, so a new build is picked up at once.</li>
 *   <li>A GET of a path outside {@code /api/} that is no file answers {@code index.html} (client-side routes);
 *       unknown {@code /api/} paths stay problem+json 404 (see {@link ApiServer}).</li>
 *   <li>Every non-API response carries a strict {@link #contentSecurityPolicy CSP}: scripts, styles, fonts and
 *       frames of the app's own origin only, images also from {@code data:}/{@code blob:} (thumbnails are fetched
 *       with the token and shown as blobs), and connections to the app's origin and the Keycloak issuer's origin
 *       (token endpoint); no inline scripts, no framing of the app.</li>
 *   <li>Without a built app (no {@code index.html}) the server still starts; {@code /} answers a short HTML page
 *       saying how to build it.</li>
 * </ul>
 */
final class WebApp {
    static final String CLASSPATH_DIR = "medlake-web";
    static final String ASSETS = "/assets/";
    static final String ASSETS_CACHE = "public, max-age=31536000, immutable";
    static final String NO_CACHE = "no-cache";
    static final String NOT_BUILT = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>medlake: web app not built</title></head>
            <body><h1>The medlake web app is not built</h1>
            <p>This server has no web app on its classpath (folder <code>medlake-web/</code>). The REST API under
            <code>/api/v1</code> works as usual.</p>
            <p>Build it with <code>mvn -pl web -am package</code> (module <code>web/</code>, artifact
            <code>medlake-web</code>) and start the server with that jar on its classpath, or point
            <code>MEDLAKE_WEB_ROOT</code> at a built app folder (one holding <code>index.html</code>).</p>
            </body></html>
            """;

    private final Path folder;
    private final boolean available;
    private final boolean hasAssets;
    private final String csp;

    private WebApp(Path folder, boolean available, boolean hasAssets, String csp) {
        this.folder = folder;
        this.available = available;
        this.hasAssets = hasAssets;
        this.csp = csp;
    }

    /** The app of {@code config}: its {@code webRoot} folder, else the classpath folder; checks it is built. */
    static WebApp of(ServerConfig config) {
        String csp = contentSecurityPolicy(config.keycloakIssuer());
        if (config.webRoot() != null) {
            Path root = config.webRoot().toAbsolutePath().normalize();
            return new WebApp(root, Files.isRegularFile(root.resolve("index.html")),
                    Files.isDirectory(root.resolve("assets")), csp);
        }
        ClassLoader cl = WebApp.class.getClassLoader();
        return new WebApp(null, cl.getResource(CLASSPATH_DIR + "/index.html") != null,
                cl.getResource(CLASSPATH_DIR + "/assets") != null || cl.getResource(CLASSPATH_DIR + "/assets/") != null, csp);
    }

    /** True when there is a built app to serve. */
    boolean available() {
        return available;
    }

    /**
     * The CSP of the app: only its own origin, plus the issuer's origin for {@code connect-src} (token requests)
     * and {@code frame-src} (silent sign-in checks), and {@code form-action} (the sign-in form posts there).
     */
    static String contentSecurityPolicy(String issuer) {
        String kc = origin(issuer);
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
                + "connect-src 'self' " + kc + "; frame-src 'self' " + kc + "; form-action 'self' " + kc + "; "
                + "frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
    }

    private static String origin(String url) {
        URI u = URI.create(url);
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
    }

    /** Registers the static file handlers (nothing when the app is not built; Javalin rejects missing folders). */
    void configure(JavalinConfig cfg) {
        if (!available) {
            return;
        }
        Location location = folder == null ? Location.CLASSPATH : Location.EXTERNAL;
        String dir = folder == null ? "/" + CLASSPATH_DIR : folder.toString();
        if (hasAssets) {
            // First, so that hashed assets get the long cache lifetime rather than the root's no-cache.
            cfg.staticFiles.add(sf -> {
                sf.hostedPath = "/assets";
                sf.directory = dir + "/assets";
                sf.location = location;
                sf.headers = Map.of("Cache-Control", ASSETS_CACHE, "Content-Security-Policy", csp,
                        "X-Content-Type-Options", "nosniff");
            });
        }
        cfg.staticFiles.add(sf -> {
            sf.hostedPath = "/";
            sf.directory = dir;
            sf.location = location;
            sf.headers = Map.of("Cache-Control", NO_CACHE, "Content-Security-Policy", csp,
                    "X-Content-Type-Options", "nosniff", "Referrer-Policy", "no-referrer");
            sf.skipFileFunction = req -> isApi(req.getRequestURI()) || hasAssets && req.getRequestURI().startsWith(ASSETS);
        });
    }

    /** True for paths of the REST API, which the app never answers. */
    static boolean isApi(String path) {
        return path.equals("/api") || path.startsWith("/api/");
    }

    /**
     * Answers a non-API request that matched no file: {@code index.html} for GET/HEAD (the app routes on the client),
     * or the "not built" page. Returns false when the request is not the app's to answer (other methods).
     */
    boolean fallback(Context ctx) {
        if (ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD) {
            return false;
        }
        ctx.header("Content-Security-Policy", csp);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", NO_CACHE);
        if (!available) {
            ctx.status(ctx.path().equals("/") ? 200 : 404);
            ctx.contentType("text/html; charset=utf-8").result(NOT_BUILT);
            return true;
        }
        ctx.status(200);
        ctx.contentType("text/html; charset=utf-8").result(indexHtml());
        return true;
    }

    private byte[] indexHtml() {
        try {
            if (folder != null) {
                return Files.readAllBytes(folder.resolve("index.html"));
            }
            URL url = WebApp.class.getClassLoader().getResource(CLASSPATH_DIR + "/index.html");
            if (url == null) {
                return NOT_BUILT.getBytes(StandardCharsets.UTF_8);
            }
            try (InputStream in = url.openStream()) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the web app's index.html", e);
        }
    }
}
