package org.medlake.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Project membership in Keycloak through its admin REST API: a project is the group {@code /projects/<project>}
 * with the role groups {@code viewer}, {@code editor} and {@code admin}; a member is in exactly one of them
 * (after {@link #setRole}). Changes take effect with the member's next token (tokens carry the groups).
 *
 * <p>Authenticates as a confidential client with a service account (client credentials grant) that holds the
 * {@code realm-management} roles {@code view-users}, {@code manage-users}, {@code query-groups} and
 * {@code query-users} (realm file: client {@value #DEFAULT_CLIENT}). Its token is cached until shortly before expiry.
 * Credentials: {@code MEDLAKE_KEYCLOAK_ADMIN_CLIENT} / {@code MEDLAKE_KEYCLOAK_ADMIN_SECRET}, default the dev
 * client {@value #DEFAULT_CLIENT} / {@value #DEFAULT_SECRET} ({@link #fromEnv}).
 *
 * <p>Errors: {@link AccessException} {@code USER_ERROR} for a bad project or user name (checked before any call),
 * {@code EXTERNAL} when Keycloak fails or refuses (message with the HTTP status and the fix). Thread-safe.
 */
public final class KeycloakProjectAdmin {
    public static final String DEFAULT_CLIENT = "medlake-admin-api";
    public static final String DEFAULT_SECRET = "medlake-admin-api-secret";
    /** Project names: letters, digits, {@code . _ -}, starting with a letter or digit, at most 64 characters. */
    public static final Pattern PROJECT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** User names as Keycloak allows them (no slashes, no control characters), at most 255 characters. */
    public static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._@+-]{1,255}");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String realm;
    private final String clientId;
    private final String secret;
    private final HttpClient http;
    private String token;
    private Instant tokenExpiry = Instant.MIN;

    /**
     * @param issuer   the realm URL ({@code http://host:port/realms/<realm>})
     * @param clientId confidential client with the realm-management roles above
     * @param secret   its secret
     */
    public KeycloakProjectAdmin(String issuer, String clientId, String secret, HttpClient http) {
        String iss = Objects.requireNonNull(issuer, "issuer").replaceAll("/+$", "");
        int i = iss.lastIndexOf("/realms/");
        if (i < 0) {
            throw new IllegalArgumentException("issuer '" + issuer + "' is not a Keycloak realm URL (.../realms/NAME)");
        }
        this.base = iss.substring(0, i);
        this.realm = iss.substring(i + "/realms/".length());
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.secret = Objects.requireNonNull(secret, "secret");
        this.http = Objects.requireNonNull(http, "http");
    }

    /** A client for {@code issuer} with credentials from {@code env} or the dev defaults (see the class comment). */
    public static KeycloakProjectAdmin fromEnv(String issuer, Map<String, String> env) {
        return new KeycloakProjectAdmin(issuer, env.getOrDefault("MEDLAKE_KEYCLOAK_ADMIN_CLIENT", DEFAULT_CLIENT),
                env.getOrDefault("MEDLAKE_KEYCLOAK_ADMIN_SECRET", DEFAULT_SECRET),
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** Whether the project group {@code /projects/<project>} exists. */
    public boolean projectExists(String project) {
        checkProject(project);
        return groupId("projects/" + project).isPresent();
    }

    /** Members of the project: user name to role (the highest, if a user is in several role groups), sorted. */
    public Map<String, ProjectRole> members(String project) {
        checkProject(project);
        Map<String, ProjectRole> out = new TreeMap<>();
        for (ProjectRole role : ProjectRole.values()) {
            Optional<String> gid = groupId("projects/" + project + "/" + role.groupName());
            if (gid.isEmpty()) {
                continue;
            }
            JsonNode users = call("GET", "/groups/" + gid.get() + "/members?briefRepresentation=true&first=0&max=10000",
                    null, "list the members of /projects/" + project + "/" + role.groupName());
            for (JsonNode u : users) {
                out.merge(u.path("username").asText(), role, (a, b) -> a.includes(b) ? a : b);
            }
        }
        return out;
    }

    /**
     * Makes {@code username} a member of {@code project} with exactly {@code role} (removing other role groups of
     * that project).
     *
     * @return the previous role, empty if the user was not a member
     * @throws AccessException USER_ERROR when the user or the project's role group does not exist
     */
    public Optional<ProjectRole> setRole(String project, String username, ProjectRole role) {
        checkProject(project);
        String userId = userId(username).orElseThrow(() -> new AccessException(AccessException.ErrorCode.USER_ERROR,
                "No user '" + username + "' in realm " + realm + ". Check the user name (exact, case-sensitive) or "
                        + "create the user in Keycloak first."));
        Optional<ProjectRole> previous = Optional.empty();
        for (ProjectRole r : ProjectRole.values()) {
            Optional<String> gid = groupId("projects/" + project + "/" + r.groupName());
            if (gid.isEmpty()) {
                if (r == role) {
                    throw new AccessException(AccessException.ErrorCode.USER_ERROR, "Project '" + project + "' has no "
                            + "group /projects/" + project + "/" + r.groupName() + ". Create the role groups of the project "
                            + "in Keycloak (see infra/keycloak/medlake-realm.json).");
                }
                continue;
            }
            boolean member = isMember(userId, gid.get());
            if (member && previous.map(p -> !p.includes(r)).orElse(true)) {
                previous = Optional.of(r);
            }
            if (r == role && !member) {
                call("PUT", "/users/" + userId + "/groups/" + gid.get(), null, "add " + username + " to " + r.groupName());
            } else if (r != role && member) {
                call("DELETE", "/users/" + userId + "/groups/" + gid.get(), null, "remove " + username + " from " + r.groupName());
            }
        }
        return previous;
    }

    /**
     * Removes {@code username} from every role group of {@code project}.
     *
     * @return the role the user had, empty if the user does not exist or was not a member
     */
    public Optional<ProjectRole> remove(String project, String username) {
        checkProject(project);
        Optional<String> userId = userId(username);
        if (userId.isEmpty()) {
            return Optional.empty();
        }
        Optional<ProjectRole> previous = Optional.empty();
        for (ProjectRole r : ProjectRole.values()) {
            Optional<String> gid = groupId("projects/" + project + "/" + r.groupName());
            if (gid.isPresent() && isMember(userId.get(), gid.get())) {
                call("DELETE", "/users/" + userId.get() + "/groups/" + gid.get(), null, "remove " + username + " from "
                        + r.groupName());
                if (previous.map(p -> !p.includes(r)).orElse(true)) {
                    previous = Optional.of(r);
                }
            }
        }
        return previous;
    }

    private boolean isMember(String userId, String groupId) {
        JsonNode groups = call("GET", "/users/" + userId + "/groups?briefRepresentation=true&max=10000", null,
                "list the groups of a user");
        for (JsonNode g : groups) {
            if (groupId.equals(g.path("id").asText())) {
                return true;
            }
        }
        return false;
    }

    private Optional<String> userId(String username) {
        checkUser(username);
        JsonNode users = call("GET", "/users?exact=true&briefRepresentation=true&username="
                + URLEncoder.encode(username, StandardCharsets.UTF_8), null, "look up user " + username);
        for (JsonNode u : users) {
            if (username.equalsIgnoreCase(u.path("username").asText())) {
                return Optional.of(u.path("id").asText());
            }
        }
        return Optional.empty();
    }

    private Optional<String> groupId(String path) {
        JsonNode g = callOrNull("GET", "/group-by-path/" + path, "find group /" + path);
        return g == null ? Optional.empty() : Optional.of(g.path("id").asText());
    }

    private static void checkProject(String project) {
        if (project == null || !PROJECT_NAME.matcher(project).matches()) {
            throw new AccessException(AccessException.ErrorCode.USER_ERROR, "Project name '" + project + "' is not "
                    + "valid: use letters, digits, '.', '_' or '-', starting with a letter or digit, up to 64 characters.");
        }
    }

    private static void checkUser(String username) {
        if (username == null || !USER_NAME.matcher(username).matches()) {
            throw new AccessException(AccessException.ErrorCode.USER_ERROR, "User name '" + username + "' is not "
                    + "valid: use letters, digits and . _ @ + - (up to 255 characters).");
        }
    }

    private JsonNode call(String method, String path, Object body, String what) {
        JsonNode n = callOrNull(method, path, what);
        if (n == null) {
            throw new AccessException(AccessException.ErrorCode.EXTERNAL, "Keycloak could not " + what + ": not found "
                    + "(HTTP 404) in realm " + realm + ". Check the realm's groups and users.");
        }
        return n;
    }

    private JsonNode callOrNull(String method, String path, String what) {
        HttpResponse<String> r = send(method, path, true);
        if (r.statusCode() == 401) {
            synchronized (this) {
                tokenExpiry = Instant.MIN;
            }
            r = send(method, path, true);
        }
        if (r.statusCode() == 404) {
            return null;
        }
        if (r.statusCode() / 100 != 2) {
            throw new AccessException(AccessException.ErrorCode.EXTERNAL, "Keycloak refused to " + what + ": HTTP "
                    + r.statusCode() + " " + abbreviate(r.body()) + ". Check that client '" + clientId + "' has a service "
                    + "account with the realm-management roles view-users, manage-users, query-groups and query-users.");
        }
        try {
            return r.body() == null || r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AccessException(AccessException.ErrorCode.EXTERNAL, "Keycloak answered " + what + " with "
                    + "something that is not JSON: " + abbreviate(r.body()), e);
        }
    }

    private HttpResponse<String> send(String method, String path, boolean auth) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/admin/realms/" + realm + path))
                .timeout(Duration.ofSeconds(15)).header("Accept", "application/json")
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (auth) {
            b.header("Authorization", "Bearer " + token());
        }
        return exchange(b.build());
    }

    private synchronized String token() {
        if (token != null && Instant.now().isBefore(tokenExpiry)) {
            return token;
        }
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/realms/" + realm + "/protocol/openid-connect/token"))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        HttpResponse<String> r = exchange(req);
        if (r.statusCode() != 200) {
            throw new AccessException(AccessException.ErrorCode.EXTERNAL, "Cannot log in to Keycloak as the membership "
                    + "admin client '" + clientId + "' (HTTP " + r.statusCode() + " " + abbreviate(r.body()) + "). Set "
                    + "MEDLAKE_KEYCLOAK_ADMIN_CLIENT/MEDLAKE_KEYCLOAK_ADMIN_SECRET to a confidential client with a service "
                    + "account (realm file: " + DEFAULT_CLIENT + ").");
        }
        try {
            JsonNode n = JSON.readTree(r.body());
            token = n.path("access_token").asText();
            tokenExpiry = Instant.now().plusSeconds(Math.max(5, n.path("expires_in").asLong(60) - 10));
            return token;
        } catch (IOException e) {
            throw new AccessException(AccessException.ErrorCode.EXTERNAL, "Keycloak's token answer is not JSON", e);
        }
    }

    private HttpResponse<String> exchange(HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AccessException(AccessException.ErrorCode.EXTERNAL, "Cannot reach Keycloak at " + base + " ("
                    + e + "). Check that it runs (./medlake services start) and MEDLAKE_KEYCLOAK_URL.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AccessException(AccessException.ErrorCode.EXTERNAL, "Interrupted while calling Keycloak", e);
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
