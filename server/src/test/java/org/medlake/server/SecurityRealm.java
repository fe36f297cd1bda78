package org.medlake.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medlake.access.KeycloakProjectAdmin;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;
import org.medlake.testkit.Token;

/**
 * Keycloak state the security tests need, created through the master admin REST API (idempotent, also against a
 * Keycloak that imported an older realm file): the membership admin client of the realm file
 * ({@value KeycloakProjectAdmin#DEFAULT_CLIENT} with its realm-management roles), a client
 * {@value #NO_AUDIENCE_CLIENT} <em>without</em> the audience mapper, and throw-away users.
 */
final class SecurityRealm {
    static final String NO_AUDIENCE_CLIENT = "medlake-test-no-audience";
    static final String NO_AUDIENCE_SECRET = "medlake-test-no-audience-secret";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private SecurityRealm() {}

    private static String realm() {
        return KeycloakTestRealm.baseUrl() + "/admin/realms/" + MedlakeServices.REALM;
    }

    /** The membership admin client with a service account holding view/manage-users and query-groups/users. */
    static void ensureAdminClient() throws Exception {
        String admin = KeycloakTestRealm.masterAdminToken();
        String id = ensureClient(admin, KeycloakProjectAdmin.DEFAULT_CLIENT, KeycloakProjectAdmin.DEFAULT_SECRET, List.of());
        String sa = JSON.readTree(send("GET", realm() + "/clients/" + id + "/service-account-user", admin, null).body())
                .path("id").asText();
        String rm = clientUuid(admin, "realm-management");
        List<Object> roles = new ArrayList<>();
        for (String role : List.of("view-users", "manage-users", "query-groups", "query-users")) {
            roles.add(JSON.readTree(send("GET", realm() + "/clients/" + rm + "/roles/" + role, admin, null).body()));
        }
        int s = send("POST", realm() + "/users/" + sa + "/role-mappings/clients/" + rm, admin, JSON.writeValueAsString(roles)).statusCode();
        if (s != 204) {
            throw new IllegalStateException("cannot grant realm-management roles to " + KeycloakProjectAdmin.DEFAULT_CLIENT + ": " + s);
        }
    }

    /** A confidential client whose tokens carry groups but not the medlake-api audience; its account is a demo viewer. */
    static Token noAudienceToken() throws Exception {
        String admin = KeycloakTestRealm.masterAdminToken();
        Map<String, Object> groups = Map.of("name", "groups", "protocol", "openid-connect", "protocolMapper",
                "oidc-group-membership-mapper", "config", Map.of("claim.name", "groups", "full.path", "true",
                        "access.token.claim", "true"));
        String id = ensureClient(admin, NO_AUDIENCE_CLIENT, NO_AUDIENCE_SECRET, List.of(groups));
        String sa = JSON.readTree(send("GET", realm() + "/clients/" + id + "/service-account-user", admin, null).body())
                .path("id").asText();
        String g = JSON.readTree(send("GET", realm() + "/group-by-path/projects/demo/viewer", admin, null).body()).path("id").asText();
        send("PUT", realm() + "/users/" + sa + "/groups/" + g, admin, null);
        return KeycloakTestRealm.clientCredentialsToken(NO_AUDIENCE_CLIENT, NO_AUDIENCE_SECRET);
    }

    /** Deletes and re-creates user {@code name} (password = name) with no groups. */
    static void freshUser(String name) throws Exception {
        String admin = KeycloakTestRealm.masterAdminToken();
        JsonNode found = JSON.readTree(send("GET", realm() + "/users?exact=true&username="
                + URLEncoder.encode(name, StandardCharsets.UTF_8), admin, null).body());
        for (JsonNode u : found) {
            send("DELETE", realm() + "/users/" + u.path("id").asText(), admin, null);
        }
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("username", name);
        user.put("enabled", true);
        user.put("emailVerified", true);
        user.put("firstName", name);
        user.put("lastName", "Test");
        user.put("email", name + "@medlake.test");
        user.put("credentials", List.of(Map.of("type", "password", "value", name, "temporary", false)));
        int s = send("POST", realm() + "/users", admin, JSON.writeValueAsString(user)).statusCode();
        if (s != 201) {
            throw new IllegalStateException("cannot create user " + name + ": HTTP " + s);
        }
    }

    private static String ensureClient(String admin, String clientId, String secret, List<Object> mappers) throws Exception {
        String id = clientUuid(admin, clientId);
        if (id == null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("clientId", clientId);
            c.put("enabled", true);
            c.put("protocol", "openid-connect");
            c.put("publicClient", false);
            c.put("clientAuthenticatorType", "client-secret");
            c.put("secret", secret);
            c.put("standardFlowEnabled", false);
            c.put("directAccessGrantsEnabled", false);
            c.put("serviceAccountsEnabled", true);
            c.put("protocolMappers", mappers);
            int s = send("POST", realm() + "/clients", admin, JSON.writeValueAsString(c)).statusCode();
            if (s != 201 && s != 409) {
                throw new IllegalStateException("cannot create client " + clientId + ": HTTP " + s);
            }
            id = clientUuid(admin, clientId);
        }
        return id;
    }

    private static String clientUuid(String admin, String clientId) throws Exception {
        JsonNode list = JSON.readTree(send("GET", realm() + "/clients?clientId=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8),
                admin, null).body());
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
