package org.medlake.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;

/**
 * Makes sure the running Keycloak has the client {@value AccountRoutes#WEB_CLIENT} exactly as declared in
 * {@code infra/keycloak/medlake-realm.json}: a Keycloak that imported another version of the realm file (it is
 * shared and reused while running) gets it created, or updated, from that file's representation through the admin
 * API. Idempotent.
 */
final class WebClientRealm {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private WebClientRealm() {}

    static synchronized void ensureWebClient() throws Exception {
        Path file = MedlakeServices.repoRoot().resolve("infra/keycloak/medlake-realm.json");
        JsonNode declared = null;
        for (JsonNode c : JSON.readTree(file.toFile()).path("clients")) {
            if (AccountRoutes.WEB_CLIENT.equals(c.path("clientId").asText())) {
                declared = c;
            }
        }
        if (declared == null) {
            throw new IllegalStateException(file + " declares no client " + AccountRoutes.WEB_CLIENT);
        }
        String admin = KeycloakTestRealm.masterAdminToken();
        String realm = KeycloakTestRealm.baseUrl() + "/admin/realms/" + MedlakeServices.REALM;
        JsonNode found = JSON.readTree(send("GET", realm + "/clients?clientId=" + AccountRoutes.WEB_CLIENT, admin, null).body());
        if (found.isArray() && found.size() > 0) {
            JsonNode current = found.get(0);
            boolean same = current.path("redirectUris").equals(declared.path("redirectUris"))
                    && current.path("webOrigins").equals(declared.path("webOrigins"))
                    && current.path("publicClient").equals(declared.path("publicClient"));
            if (same) {
                return;
            }
            send("DELETE", realm + "/clients/" + current.path("id").asText(), admin, null);
        }
        int status = send("POST", realm + "/clients", admin, JSON.writeValueAsString(declared)).statusCode();
        if (status != 201) {
            throw new IllegalStateException("cannot create client " + AccountRoutes.WEB_CLIENT + ": HTTP " + status);
        }
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
