package org.medlake.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real tokens from the {@code medlake} realm of the Keycloak started by {@link MedlakeServices}.
 *
 * <p>Dev users: {@code alice}/{@code alice} in {@code /projects/demo/editor}, {@code bob}/{@code bob} in
 * {@code /projects/other/viewer}, {@code admin}/{@code admin} with realm role {@code platform-admin}; confidential
 * client {@code medlake-trainer} whose service account is in {@code /projects/demo/viewer}. Every token carries
 * audience {@code medlake-api} and claim {@code groups}.
 *
 * <p>{@link #shortLivedToken()} gives a token that expires after {@value #SHORT_LIVED_SECONDS} s, so tests can
 * check rejection of genuinely expired tokens (sleep past {@link Token#expiresAt()}).
 */
public final class KeycloakTestRealm {

    /** Public client for password, device and authorization-code (PKCE S256) grants. */
    public static final String CLI_CLIENT = "medlake-cli";
    /** Confidential client with a service account in {@code /projects/demo/viewer}. */
    public static final String TRAINER_CLIENT = "medlake-trainer";
    /** Secret of {@link #TRAINER_CLIENT} (dev only). */
    public static final String TRAINER_SECRET = "medlake-trainer-secret";
    /** Audience every medlake token carries. */
    public static final String API_AUDIENCE = "medlake-api";
    /** Test client created on demand by {@link #ensureShortLivedClient()}. */
    public static final String SHORT_LIVED_CLIENT = "medlake-test-short-lived";
    /** Secret of {@link #SHORT_LIVED_CLIENT}. */
    public static final String SHORT_LIVED_SECRET = "medlake-test-short-lived-secret";
    /** Access token lifespan of {@link #SHORT_LIVED_CLIENT} in seconds. */
    public static final int SHORT_LIVED_SECONDS = 2;

    private static volatile boolean shortLivedClientReady;

    private KeycloakTestRealm() {
    }

    /** @return the Keycloak base URL, e.g. {@code http://127.0.0.1:8180} (starts Keycloak if needed) */
    public static String baseUrl() {
        return MedlakeServices.keycloakUrl();
    }

    /** @return the issuer of the realm, e.g. {@code http://127.0.0.1:8180/realms/medlake} */
    public static String issuer() {
        return baseUrl() + "/realms/" + MedlakeServices.REALM;
    }

    /** @return the token endpoint of the realm */
    public static String tokenEndpoint() {
        return issuer() + "/protocol/openid-connect/token";
    }

    /** @return the JWKS endpoint of the realm (for verifying signatures) */
    public static String jwksUri() {
        return issuer() + "/protocol/openid-connect/certs";
    }

    /**
     * Resource-owner password grant through client {@code medlake-cli}.
     *
     * @param username user name, e.g. {@code alice}
     * @param password password (dev users: the user name)
     * @return the access token
     * @throws TokenRequestException when Keycloak refuses (wrong password: HTTP 400 {@code invalid_grant})
     */
    public static Token passwordToken(String username, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", CLI_CLIENT);
        form.put("username", username);
        form.put("password", password);
        form.put("scope", "openid");
        return requestToken(tokenEndpoint(), form, "password grant for user '" + username + "' via " + CLI_CLIENT);
    }

    /**
     * Client-credentials grant of a confidential client of the {@code medlake} realm.
     *
     * @param clientId client id, e.g. {@code medlake-trainer}
     * @param secret   client secret
     * @return the access token of the client's service account
     */
    public static Token clientCredentialsToken(String clientId, String secret) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", clientId);
        form.put("client_secret", secret);
        return requestToken(tokenEndpoint(), form, "client-credentials grant for client '" + clientId + "'");
    }

    /** @return a client-credentials token of {@code medlake-trainer} */
    public static Token trainerToken() {
        return clientCredentialsToken(TRAINER_CLIENT, TRAINER_SECRET);
    }

    /**
     * Token of the master realm administrator (client {@code admin-cli}) for the Keycloak admin REST API. Credentials
     * come from {@code KC_BOOTSTRAP_ADMIN_USERNAME}/{@code KC_BOOTSTRAP_ADMIN_PASSWORD}, default admin/admin.
     *
     * @return the raw access token
     */
    public static String masterAdminToken() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", "admin-cli");
        form.put("username", System.getenv().getOrDefault("KC_BOOTSTRAP_ADMIN_USERNAME", "admin"));
        form.put("password", System.getenv().getOrDefault("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin"));
        return requestToken(baseUrl() + "/realms/master/protocol/openid-connect/token", form,
                "master admin token (KC_BOOTSTRAP_ADMIN_USERNAME/PASSWORD)").raw();
    }

    /**
     * Creates, if missing, the confidential client {@value #SHORT_LIVED_CLIENT} with access token lifespan
     * {@value #SHORT_LIVED_SECONDS} s, audience {@code medlake-api}, claim {@code groups}, and a service account in
     * {@code /projects/demo/viewer}. Idempotent, also across JVMs.
     */
    public static synchronized void ensureShortLivedClient() {
        if (shortLivedClientReady) {
            return;
        }
        String admin = masterAdminToken();
        String realmAdmin = baseUrl() + "/admin/realms/" + MedlakeServices.REALM;
        String clientUuid = findClient(realmAdmin, admin, SHORT_LIVED_CLIENT);
        if (clientUuid == null) {
            Map<String, Object> client = new LinkedHashMap<>();
            client.put("clientId", SHORT_LIVED_CLIENT);
            client.put("enabled", true);
            client.put("protocol", "openid-connect");
            client.put("publicClient", false);
            client.put("clientAuthenticatorType", "client-secret");
            client.put("secret", SHORT_LIVED_SECRET);
            client.put("standardFlowEnabled", false);
            client.put("directAccessGrantsEnabled", false);
            client.put("serviceAccountsEnabled", true);
            client.put("attributes", Map.of("access.token.lifespan", String.valueOf(SHORT_LIVED_SECONDS)));
            client.put("protocolMappers", List.of(
                    mapper("medlake-api audience", "oidc-audience-mapper", Map.of(
                            "included.client.audience", API_AUDIENCE, "access.token.claim", "true",
                            "id.token.claim", "false", "introspection.token.claim", "true")),
                    mapper("groups", "oidc-group-membership-mapper", Map.of(
                            "claim.name", "groups", "full.path", "true", "access.token.claim", "true",
                            "id.token.claim", "true", "userinfo.token.claim", "true", "introspection.token.claim", "true"))));
            Http.Response created = Http.sendJson("POST", realmAdmin + "/clients", admin, client);
            if (created.status() != 201 && created.status() != 409) {
                throw new IllegalStateException("Cannot create Keycloak client " + SHORT_LIVED_CLIENT + ": HTTP "
                        + created.status() + " " + created.body());
            }
            clientUuid = findClient(realmAdmin, admin, SHORT_LIVED_CLIENT);
            if (clientUuid == null) {
                throw new IllegalStateException("Keycloak client " + SHORT_LIVED_CLIENT + " missing right after creating it");
            }
        }
        Http.Response user = Http.get(realmAdmin + "/clients/" + clientUuid + "/service-account-user", admin);
        check(user, "service account of " + SHORT_LIVED_CLIENT);
        Http.Response group = Http.get(realmAdmin + "/group-by-path/projects/demo/viewer", admin);
        check(group, "group /projects/demo/viewer");
        Http.Response joined = Http.sendJson("PUT", realmAdmin + "/users/" + user.json().path("id").asText()
                + "/groups/" + group.json().path("id").asText(), admin, null);
        if (joined.status() != 204) {
            throw new IllegalStateException("Cannot add the service account of " + SHORT_LIVED_CLIENT
                    + " to /projects/demo/viewer: HTTP " + joined.status() + " " + joined.body());
        }
        shortLivedClientReady = true;
    }

    /**
     * A fresh token (service account in {@code /projects/demo/viewer}, audience {@code medlake-api}) that expires
     * {@value #SHORT_LIVED_SECONDS} s after issue. Sleep past {@link Token#expiresAt()} to get an expired token.
     *
     * @return the access token
     */
    public static Token shortLivedToken() {
        ensureShortLivedClient();
        return clientCredentialsToken(SHORT_LIVED_CLIENT, SHORT_LIVED_SECRET);
    }

    private static Token requestToken(String url, Map<String, String> form, String what) {
        Http.Response response = Http.postForm(url, form);
        if (response.status() != 200) {
            throw new TokenRequestException("Keycloak refused the " + what + " at " + url, response.status(), response.body());
        }
        return Token.parse(response.json().path("access_token").asText());
    }

    private static String findClient(String realmAdmin, String admin, String clientId) {
        Http.Response found = Http.get(realmAdmin + "/clients?clientId=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8), admin);
        check(found, "client lookup " + clientId);
        JsonNode list = found.json();
        return list.isArray() && list.size() > 0 ? list.get(0).path("id").asText() : null;
    }

    private static Map<String, Object> mapper(String name, String type, Map<String, String> config) {
        return Map.of("name", name, "protocol", "openid-connect", "protocolMapper", type, "config", config);
    }

    private static void check(Http.Response response, String what) {
        if (response.status() != 200) {
            throw new IllegalStateException("Keycloak admin API: " + what + " failed: HTTP " + response.status() + " " + response.body());
        }
    }
}
