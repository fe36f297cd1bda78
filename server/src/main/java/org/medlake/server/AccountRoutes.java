package org.medlake.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medlake.access.Caller;

/**
 * What the web app needs to sign a user in and to shape itself around them:
 *
 * <pre>
 * GET /api/v1/config  (no token)  {"issuer": "&lt;realm issuer URL&gt;", "client_id": "medlake-web"}
 * GET /api/v1/me                  {"username", "platform_admin", "projects": [{"project", "role"}]}
 * </pre>
 *
 * The issuer is the one the server verifies tokens against, so a token the app obtains there is accepted here.
 * Roles are the highest per project (viewer, editor or admin), projects sorted by name.
 */
final class AccountRoutes {
    static final String CONFIG = "/api/v1/config";
    static final String ME = "/api/v1/me";
    /** The public OIDC client of the web app in the realm (infra/keycloak/medlake-realm.json). */
    static final String WEB_CLIENT = "medlake-web";

    private final String issuer;

    AccountRoutes(String issuer) {
        this.issuer = issuer;
    }

    void register(Javalin app) {
        app.get(CONFIG, this::config);
        app.get(ME, AccountRoutes::me);
    }

    private void config(Context ctx) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("issuer", issuer);
        out.put("client_id", WEB_CLIENT);
        ctx.header("Cache-Control", "no-cache");
        ctx.json(out);
    }

    private static void me(Context ctx) {
        Caller caller = ApiServer.caller(ctx);
        List<Object> projects = new ArrayList<>();
        caller.projectRoles().forEach((project, role) -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("project", project);
            p.put("role", role.groupName());
            projects.add(p);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("username", caller.username());
        out.put("platform_admin", caller.platformAdmin());
        out.put("projects", projects);
        ctx.header("Cache-Control", "no-store");
        ctx.json(out);
    }
}
