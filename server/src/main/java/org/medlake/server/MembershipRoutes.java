package org.medlake.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medlake.access.Caller;
import org.medlake.access.KeycloakProjectAdmin;
import org.medlake.access.ProjectRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Project membership, written to Keycloak ({@link KeycloakProjectAdmin}); a change takes effect with the member's
 * next token:
 * <pre>
 * GET    /api/v1/projects/{project}/members                 {"project","members":[{"username","role"}]}
 * PUT    /api/v1/projects/{project}/members/{username}      {"role":"viewer|editor|admin"} -> 200 {"project","username","role","previous_role"}
 * DELETE /api/v1/projects/{project}/members/{username}      204; 404 when not a member
 * </pre>
 * Checks in order: 401; 404 when the caller is not a member of the project (platform admins: when the project does
 * not exist); 403 {@code FORBIDDEN} unless the caller is an admin of the project or a platform admin; 400 on a bad
 * body, role or user name; 404 for an unknown user. Every call is in the audit log (after-handler); changes are
 * also logged on {@value ApiServer#AUDIT_LOGGER}.
 */
final class MembershipRoutes {
    static final String MEMBERS = "/api/v1/projects/{project}/members";
    static final String MEMBER = MEMBERS + "/{username}";
    private static final Logger AUDIT = LoggerFactory.getLogger(ApiServer.AUDIT_LOGGER);

    private final ApiServer server;
    private final KeycloakProjectAdmin admin;

    MembershipRoutes(ApiServer server, KeycloakProjectAdmin admin) {
        this.server = server;
        this.admin = admin;
    }

    void register(Javalin app) {
        app.get(MEMBERS, this::list);
        app.put(MEMBER, this::put);
        app.delete(MEMBER, this::delete);
    }

    private String authorize(Context ctx) {
        Caller caller = ApiServer.caller(ctx);
        String project = ctx.pathParam("project");
        if (!KeycloakProjectAdmin.PROJECT_NAME.matcher(project).matches()) {
            throw ApiException.notFound("Project '" + project + "' does not exist or you are not a member.");
        }
        if (caller.platformAdmin()) {
            if (!admin.projectExists(project)) {
                throw ApiException.notFound("Project '" + project + "' does not exist: there is no Keycloak group /projects/"
                        + project + ". Create it (with subgroups viewer, editor, admin) in Keycloak first.");
            }
            return project;
        }
        if (!caller.projects().contains(project)) {
            throw ApiException.notFound("Project '" + project + "' does not exist or you are not a member; your projects "
                    + "are " + caller.projects() + ".");
        }
        if (!caller.hasRole(project, ProjectRole.ADMIN)) {
            throw ApiException.forbidden("Only an admin of project '" + project + "' (or a platform admin) may read or "
                    + "change its members; you are " + caller.role(project).map(ProjectRole::groupName).orElse("not a member")
                    + " there. Ask a project admin.");
        }
        return project;
    }

    private void list(Context ctx) {
        String project = authorize(ctx);
        List<Map<String, Object>> members = new ArrayList<>();
        admin.members(project).forEach((u, r) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("username", u);
            m.put("role", r.groupName());
            members.add(m);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("project", project);
        out.put("members", members);
        ctx.json(out);
    }

    private void put(Context ctx) {
        String project = authorize(ctx);
        String username = username(ctx);
        JsonNode body = server.readBody(ctx);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("role")) {
                throw ApiException.badRequest("Unknown member '" + key + "' in the membership request; the only member is "
                        + "\"role\": \"viewer\", \"editor\" or \"admin\".");
            }
        }
        JsonNode roleNode = body.get("role");
        Optional<ProjectRole> role = roleNode != null && roleNode.isTextual()
                ? ProjectRole.fromName(roleNode.asText()) : Optional.empty();
        if (role.isEmpty() || !roleNode.asText().equals(role.get().groupName())) {
            throw ApiException.badRequest("'role' must be \"viewer\", \"editor\" or \"admin\" but was " + roleNode + ".");
        }
        Optional<ProjectRole> previous;
        try {
            previous = admin.setRole(project, username, role.get());
        } catch (org.medlake.access.AccessException e) {
            if (e.code() == org.medlake.access.AccessException.ErrorCode.USER_ERROR) {
                throw ApiException.notFound(e.getMessage());
            }
            throw e;
        }
        AUDIT.info("audit user={} action=MEMBER_SET_ROLE project={} member={} role={} previous={}",
                ApiServer.caller(ctx).username(), project, username, role.get().groupName(),
                previous.map(ProjectRole::groupName).orElse("none"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("project", project);
        out.put("username", username);
        out.put("role", role.get().groupName());
        out.put("previous_role", previous.map(ProjectRole::groupName).orElse(null));
        ctx.json(out);
    }

    private void delete(Context ctx) {
        String project = authorize(ctx);
        String username = username(ctx);
        Optional<ProjectRole> previous = admin.remove(project, username);
        if (previous.isEmpty()) {
            throw ApiException.notFound("User '" + username + "' is not a member of project '" + project + "'. See GET "
                    + "/api/v1/projects/" + project + "/members.");
        }
        AUDIT.info("audit user={} action=MEMBER_REMOVE project={} member={} previous={}",
                ApiServer.caller(ctx).username(), project, username, previous.get().groupName());
        ctx.status(204);
    }

    private static String username(Context ctx) {
        String u = ctx.pathParam("username");
        if (!KeycloakProjectAdmin.USER_NAME.matcher(u).matches()) {
            throw ApiException.badRequest("User name '" + u + "' is not valid: use letters, digits and . _ @ + -.");
        }
        return u;
    }
}
