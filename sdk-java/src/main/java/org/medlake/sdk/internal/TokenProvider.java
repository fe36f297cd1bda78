package org.medlake.sdk.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.medlake.sdk.MedlakeConfig;
import org.medlake.sdk.MedlakeException;
import org.medlake.sdk.MedlakeException.Kind;

/** Hands out a valid access token, fetching a new one from the issuer shortly before the current one expires. */
final class TokenProvider {
    // Refresh this long before expiry so a request never leaves with a token about to lapse.
    private static final long SKEW_SECONDS = 30;

    private final MedlakeConfig config;
    private final HttpClient http;
    private final ObjectMapper json;
    private final Clock clock;
    private String accessToken;
    private String refreshToken;
    private Instant expiresAt = Instant.MIN;

    TokenProvider(MedlakeConfig config, HttpClient http, ObjectMapper json, Clock clock) {
        this.config = config;
        this.http = http;
        this.json = json;
        this.clock = clock;
        this.accessToken = config.accessToken();
    }

    synchronized String token() {
        if (config.accessToken() != null) {
            return config.accessToken();
        }
        if (accessToken == null || clock.instant().isAfter(expiresAt.minusSeconds(SKEW_SECONDS))) {
            fetch();
        }
        return accessToken;
    }

    /** Forgets the current token so the next call fetches a new one (after a 401). */
    synchronized void invalidate() {
        expiresAt = Instant.MIN;
    }

    private void fetch() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", config.clientId());
        if (refreshToken != null) {
            form.put("grant_type", "refresh_token");
            form.put("refresh_token", refreshToken);
        } else if (config.clientSecret() != null) {
            form.put("grant_type", "client_credentials");
        } else {
            form.put("grant_type", "password");
            form.put("username", config.username());
            form.put("password", config.password());
            form.put("scope", "openid");
        }
        if (config.clientSecret() != null) {
            form.put("client_secret", config.clientSecret());
        }
        URI endpoint = URI.create(config.issuer() + "/protocol/openid-connect/token");
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(endpoint)
                            .timeout(config.timeout())
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(encode(form)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new MedlakeException(Kind.EXTERNAL, 0, "Could not reach the token issuer at " + endpoint
                    + ": " + e.getMessage() + ". Check the issuer URL and that the identity provider is running.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MedlakeException(Kind.EXTERNAL, 0, "Interrupted while fetching a token", e);
        }
        if (response.statusCode() != 200) {
            if (refreshToken != null) {
                // The refresh token expired or was revoked: log in again from the configured credentials.
                refreshToken = null;
                fetch();
                return;
            }
            throw new MedlakeException(response.statusCode() >= 500 ? Kind.EXTERNAL : Kind.USER_ERROR,
                    response.statusCode(), "Login at " + endpoint + " was refused (HTTP " + response.statusCode()
                            + "): " + response.body() + ". Check the client id, secret, user name and password.");
        }
        try {
            JsonNode body = json.readTree(response.body());
            accessToken = body.path("access_token").asText();
            refreshToken = body.hasNonNull("refresh_token") ? body.get("refresh_token").asText() : null;
            expiresAt = clock.instant().plusSeconds(body.path("expires_in").asLong(60));
        } catch (IOException e) {
            throw new MedlakeException(Kind.EXTERNAL, response.statusCode(),
                    "The token issuer answered with something that is not JSON: " + e.getMessage(), e);
        }
    }

    private static String encode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
