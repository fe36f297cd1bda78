package org.medlake.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A JWT as issued by Keycloak: the raw string (send it as {@code Authorization: Bearer <raw>}) and its decoded,
 * <em>unverified</em> payload claims.
 *
 * @param raw    the compact JWT
 * @param claims the decoded payload
 */
public record Token(String raw, JsonNode claims) {

    /**
     * Decodes the payload of a compact JWT without verifying its signature.
     *
     * @param raw the compact JWT
     * @return the token
     */
    public static Token parse(String raw) {
        String[] parts = raw.split("\\.");
        if (parts.length < 2) {
            throw new IllegalArgumentException("Not a JWT (expected header.payload.signature): " + raw);
        }
        try {
            return new Token(raw, Http.JSON.readTree(Base64.getUrlDecoder().decode(parts[1])));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("JWT payload is not base64url JSON: " + raw, e);
        }
    }

    /** @return claim {@code iss} */
    public String issuer() {
        return claims.path("iss").asText(null);
    }

    /** @return claim {@code sub} */
    public String subject() {
        return claims.path("sub").asText(null);
    }

    /** @return claim {@code preferred_username} */
    public String preferredUsername() {
        return claims.path("preferred_username").asText(null);
    }

    /** @return claim {@code aud} as a list (a single string becomes a one-element list) */
    public List<String> audience() {
        return strings(claims.path("aud"));
    }

    /** @return claim {@code groups} (full group paths) */
    public List<String> groups() {
        return strings(claims.path("groups"));
    }

    /** @return claim {@code realm_access.roles} */
    public List<String> realmRoles() {
        return strings(claims.path("realm_access").path("roles"));
    }

    /** @return claim {@code iat} */
    public Instant issuedAt() {
        return Instant.ofEpochSecond(claims.path("iat").asLong());
    }

    /** @return claim {@code exp} */
    public Instant expiresAt() {
        return Instant.ofEpochSecond(claims.path("exp").asLong());
    }

    /** @return whether {@code exp} is in the past */
    public boolean isExpired() {
        return !Instant.now().isBefore(expiresAt());
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else if (node.isTextual()) {
            out.add(node.asText());
        }
        return out;
    }

    @Override
    public String toString() {
        return "Token" + claims;
    }
}
