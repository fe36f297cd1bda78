package org.medlake.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;

/**
 * Makes sure a dev user of {@code infra/keycloak/medlake-realm.json} exists in the running Keycloak. The realm file
 * declares {@code carol} (password {@code carol}, {@code /projects/demo/admin}); a Keycloak that imported an older
 * realm file (it is reused while running) lacks her, so tests create her the same way through the admin API.
 * Idempotent.
 */
final class DevUsers {
    private DevUsers() {}

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Ensures user {@code name} (password = name) exists and is in {@code /projects/<project>/admin}. */
    static void ensureProjectAdmin(String name, String project) throws Exception {
        String admin = KeycloakTestRealm.masterAdminToken();
        String realm = KeycloakTestRealm.baseUrl() + "/admin/realms/" + MedlakeServices.REALM;
        String id = findUser(realm, admin, name);
        if (id == null) {
            Map<String, Object> user = Map.of("username", name, "enabled", true, "emailVerified", true,
                    "firstName", name, "lastName", "Admin", "email", name + "@medlake.test",
                    "credentials", List.of(Map.of("type", "password", "value", name, "temporary", false)));
            int status = send("POST", realm + "/users", admin, JSON.writeValueAsString(user)).statusCode();
            if (status != 201 && status != 409) {
                throw new IllegalStateException("Cannot create Keycloak user " + name + ": HTTP " + status);
            }
            id = findUser(realm, admin, name);
        }
        HttpResponse<String> group = send("GET", realm + "/group-by-path/projects/" + project + "/admin", admin, null);
        if (group.statusCode() != 200) {
            throw new IllegalStateException("Group /projects/" + project + "/admin missing: HTTP " + group.statusCode());
        }
        String groupId = JSON.readTree(group.body()).path("id").asText();
        int joined = send("PUT", realm + "/users/" + id + "/groups/" + groupId, admin, null).statusCode();
        if (joined != 204) {
            throw new IllegalStateException("Cannot add " + name + " to /projects/" + project + "/admin: HTTP " + joined);
        }
    }

    private static String findUser(String realm, String admin, String name) throws Exception {
        HttpResponse<String> r = send("GET", realm + "/users?exact=true&username="
                + URLEncoder.encode(name, StandardCharsets.UTF_8), admin, null);
        JsonNode list = JSON.readTree(r.body());
        return list.isArray() && list.size() > 0 ? list.get(0).path("id").asText() : null;
    }

    private static HttpResponse<String> send(String method, String url, String bearer, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + bearer)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
