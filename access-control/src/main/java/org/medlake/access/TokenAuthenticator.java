package org.medlake.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.keycloak.TokenVerifier;
import org.keycloak.common.VerificationException;
import org.keycloak.crypto.SignatureVerifierContext;
import org.keycloak.exceptions.TokenNotActiveException;
import org.keycloak.exceptions.TokenSignatureInvalidException;
import org.keycloak.jose.jws.JWSHeader;
import org.keycloak.representations.AccessToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies Keycloak access tokens of one realm and turns them into a {@link Caller}.
 *
 * <p>A token is accepted only if all of these hold, otherwise {@link #authenticate} throws an
 * {@link AuthenticationException}:
 * <ul>
 *   <li>it is a compact JWS whose header algorithm is {@code RS256} or {@code ES256} ({@code none}, {@code HS*} and
 *       every other algorithm are rejected before any key is looked up) and names a key id ({@code kid});</li>
 *   <li>the signature verifies with the realm key of that kid, taken from the realm's JWKS
 *       ({@code <issuer>/protocol/openid-connect/certs}), and the key type and declared algorithm fit the header;</li>
 *   <li>it is active (not expired, not before {@code nbf}), its {@code iss} equals the configured issuer, its
 *       {@code aud} contains the configured audience and its {@code typ} is {@code Bearer}.</li>
 * </ul>
 *
 * <p>Keys are cached by kid. When a token names an unknown kid (key rotation), the JWKS is fetched again, but at
 * most once per {@code minRefreshInterval}, so forged kids cannot make us hammer Keycloak. Thread-safe.
 */
public final class TokenAuthenticator {
    /** The audience every medlake API token carries. */
    public static final String DEFAULT_AUDIENCE = "medlake-api";
    /** Accepted JWS algorithms. */
    public static final Set<String> ALLOWED_ALGORITHMS = Set.of("RS256", "ES256");

    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthenticator.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String issuer;
    private final String audience;
    private final URI jwksUri;
    private final HttpClient http;
    private final Duration minRefreshInterval;
    private final Clock clock;
    private final Map<String, VerificationKey> keys = new ConcurrentHashMap<>();
    private final Object refreshLock = new Object();
    private volatile Instant lastFetch = Instant.MIN;
    private final java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();

    /** A verifier for {@code issuer} (e.g. {@code http://127.0.0.1:8180/realms/medlake}) and audience {@value #DEFAULT_AUDIENCE}. */
    public TokenAuthenticator(String issuer) {
        this(issuer, DEFAULT_AUDIENCE, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
                Duration.ofSeconds(10));
    }

    /**
     * @param issuer             the realm URL, exactly as Keycloak writes it into {@code iss} (no trailing slash)
     * @param audience           required {@code aud} entry
     * @param http               client used to fetch the JWKS
     * @param minRefreshInterval minimum time between two JWKS fetches
     */
    public TokenAuthenticator(String issuer, String audience, HttpClient http, Duration minRefreshInterval) {
        String iss = Objects.requireNonNull(issuer, "issuer");
        this.issuer = iss.endsWith("/") ? iss.substring(0, iss.length() - 1) : iss;
        this.audience = Objects.requireNonNull(audience, "audience");
        this.jwksUri = URI.create(this.issuer + "/protocol/openid-connect/certs");
        this.http = Objects.requireNonNull(http, "http");
        this.minRefreshInterval = Objects.requireNonNull(minRefreshInterval, "minRefreshInterval");
        this.clock = Clock.systemUTC();
    }

    /** The issuer tokens must carry. */
    public String issuer() {
        return issuer;
    }

    /** The audience tokens must carry. */
    public String audience() {
        return audience;
    }

    /**
     * Authenticates an {@code Authorization} header value of the form {@code Bearer <token>}.
     *
     * @throws AuthenticationException if the header is missing, not a bearer header, or the token is not accepted
     */
    public Caller authenticateHeader(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            throw new AuthenticationException("Missing bearer token: the request has no Authorization header. "
                    + "Send 'Authorization: Bearer <access token>' with a token from realm " + issuer + ".");
        }
        String h = authorizationHeader.strip();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new AuthenticationException("Unsupported Authorization scheme: only 'Bearer <token>' is accepted. "
                    + "Send 'Authorization: Bearer <access token>' with a token from realm " + issuer + ".");
        }
        return authenticate(h.substring(7).strip());
    }

    /**
     * Verifies a raw access token (the compact JWS) and returns its caller.
     *
     * @throws AuthenticationException on any verification failure, or when the realm keys cannot be fetched
     */
    public Caller authenticate(String token) {
        if (token == null || token.isBlank()) {
            throw new AuthenticationException("Missing bearer token: the token is empty. Log in again and send "
                    + "'Authorization: Bearer <access token>'.");
        }
        TokenVerifier<AccessToken> verifier = TokenVerifier.create(token, AccessToken.class);
        JWSHeader header;
        try {
            header = verifier.getHeader();
        } catch (VerificationException | RuntimeException e) {
            throw new AuthenticationException("Malformed bearer token: it is not a compact JWS (" + e.getMessage()
                    + "). Send the access token exactly as issued by " + issuer + ".");
        }
        String alg = header.getRawAlgorithm();
        if (alg == null || !ALLOWED_ALGORITHMS.contains(alg)) {
            throw new AuthenticationException("Token algorithm '" + alg + "' is not accepted: only "
                    + String.join(", ", ALLOWED_ALGORITHMS.stream().sorted().toList())
                    + " signed tokens from " + issuer + " are. Use a token issued by that realm.");
        }
        String kid = header.getKeyId();
        if (kid == null || kid.isBlank()) {
            throw new AuthenticationException("Token header has no key id (kid), so its signing key cannot be "
                    + "determined. Use a token issued by " + issuer + ".");
        }
        VerificationKey key = key(kid);
        if (!key.fits(alg)) {
            throw new AuthenticationException("Token algorithm '" + alg + "' does not match its key '" + kid
                    + "' (" + key.keyType + (key.algorithm == null ? "" : ", " + key.algorithm)
                    + "). Use a token issued by " + issuer + ".");
        }
        AccessToken accessToken;
        try {
            // withDefaultChecks() first: realmUrl/tokenType/audience then replace its placeholder predicates.
            verifier.verifierContext(new JdkVerifierContext(kid, alg, key.publicKey))
                    .withDefaultChecks()
                    .realmUrl(issuer)
                    .tokenType(List.of("Bearer"))
                    .audience(audience)
                    .verify();
            accessToken = verifier.getToken();
            // Explicit re-checks, independent of how TokenVerifier wires its predicates.
            if (!issuer.equals(accessToken.getIssuer())) {
                throw new VerificationException("issuer '" + accessToken.getIssuer() + "' is not " + issuer);
            }
            if (!accessToken.hasAudience(audience)) {
                throw new VerificationException("audience does not contain '" + audience + "'");
            }
        } catch (VerificationException e) {
            // TokenVerifier wraps some failures (e.g. the signature check) in a plain VerificationException.
            Throwable cause = e instanceof TokenNotActiveException || e instanceof TokenSignatureInvalidException
                    || e.getCause() == null ? e : e.getCause();
            if (cause instanceof TokenNotActiveException) {
                throw new AuthenticationException("Token expired or not yet valid (" + cause.getMessage()
                        + "). Obtain a fresh access token from " + issuer + " and retry.");
            }
            if (cause instanceof TokenSignatureInvalidException) {
                throw new AuthenticationException("Token signature is invalid: the token was altered or not signed by "
                        + issuer + ". Use the token exactly as issued.");
            }
            throw new AuthenticationException("Token rejected: " + cause.getMessage() + ". Tokens must be issued by "
                    + issuer + " for audience '" + audience + "' with type Bearer.");
        }
        return toCaller(accessToken);
    }

    private Caller toCaller(AccessToken token) {
        Object groupsClaim = token.getOtherClaims().get("groups");
        List<String> groups = groupsClaim instanceof Collection<?> c
                ? c.stream().filter(String.class::isInstance).map(String.class::cast).toList()
                : List.of();
        boolean admin = token.getRealmAccess() != null && token.getRealmAccess().getRoles() != null
                && token.getRealmAccess().getRoles().contains(Caller.PLATFORM_ADMIN_ROLE);
        String username = token.getPreferredUsername();
        String subject = token.getSubject() != null ? token.getSubject() : username;
        if (subject == null) {
            throw new AuthenticationException("Token names no subject: it has neither 'sub' nor "
                    + "'preferred_username'. Check the client scopes of the Keycloak client that issued it.");
        }
        return new Caller(subject, username, Caller.parseGroups(groups), admin, token.getIssuedFor());
    }

    private VerificationKey key(String kid) {
        VerificationKey key = keys.get(kid);
        if (key != null) {
            return key;
        }
        synchronized (refreshLock) {
            key = keys.get(kid);
            if (key != null) {
                return key;
            }
            Instant now = clock.instant();
            if (lastFetch.equals(Instant.MIN) || !now.isBefore(lastFetch.plus(minRefreshInterval))) {
                lastFetch = now;
                Map<String, VerificationKey> fetched = fetchKeys();
                keys.keySet().retainAll(fetched.keySet());
                keys.putAll(fetched);
                key = keys.get(kid);
            }
        }
        if (key == null) {
            throw new AuthenticationException("Token signing key '" + kid + "' is not a key of realm " + issuer
                    + ". The token was issued by another realm or server; log in against " + issuer + ".");
        }
        return key;
    }

    /** How many times the JWKS was fetched (for tests of the refresh rate limit). */
    int jwksFetches() {
        return fetches.get();
    }

    private Map<String, VerificationKey> fetchKeys() {
        fetches.incrementAndGet();
        HttpResponse<String> response;
        try {
            HttpRequest request = HttpRequest.newBuilder(jwksUri).timeout(Duration.ofSeconds(10))
                    .header("Accept", "application/json").GET().build();
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unreachable(e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw unreachable("HTTP " + response.statusCode(), null);
        }
        try {
            Map<String, VerificationKey> result = parseJwks(response.body());
            LOG.info("Fetched {} signing key(s) from {}", result.size(), jwksUri);
            return result;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw unreachable("unparseable key set: " + e.getMessage(), e);
        }
    }

    private AuthenticationException unreachable(String cause, Throwable e) {
        return new AuthenticationException(AccessException.ErrorCode.EXTERNAL, "Cannot verify the token: the signing "
                + "keys of realm " + issuer + " could not be fetched from " + jwksUri + " (" + cause + "). Check that "
                + "Keycloak is running (infra/bin/services start) and that the issuer URL is right.", e);
    }

    /** Parses a JWKS document into signature keys by kid; encryption keys and unsupported key types are skipped. */
    static Map<String, VerificationKey> parseJwks(String json) throws IOException, GeneralSecurityException {
        JsonNode root = JSON.readTree(json);
        Map<String, VerificationKey> result = new ConcurrentHashMap<>();
        for (JsonNode k : root.path("keys")) {
            String kid = k.path("kid").asText(null);
            String use = k.path("use").asText("sig");
            String kty = k.path("kty").asText("");
            String alg = k.hasNonNull("alg") ? k.get("alg").asText() : null;
            if (kid == null || !use.equals("sig")) {
                continue;
            }
            PublicKey publicKey;
            if (kty.equals("RSA")) {
                publicKey = KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(b64Int(k, "n"), b64Int(k, "e")));
            } else if (kty.equals("EC") && "P-256".equals(k.path("crv").asText())) {
                AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
                params.init(new ECGenParameterSpec("secp256r1"));
                ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
                publicKey = KeyFactory.getInstance("EC").generatePublic(
                        new ECPublicKeySpec(new ECPoint(b64Int(k, "x"), b64Int(k, "y")), spec));
            } else {
                continue;
            }
            result.put(kid, new VerificationKey(kty, alg, publicKey));
        }
        return result;
    }

    private static BigInteger b64Int(JsonNode key, String field) {
        String value = key.path(field).asText("");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("key '" + key.path("kid").asText() + "' lacks '" + field + "'");
        }
        return new BigInteger(1, Base64.getUrlDecoder().decode(value));
    }

    /** A realm public key with its JWK type and declared algorithm (may be null). */
    record VerificationKey(String keyType, String algorithm, PublicKey publicKey) {
        boolean fits(String jwsAlgorithm) {
            if (algorithm != null && !algorithm.equals(jwsAlgorithm)) {
                return false;
            }
            return switch (jwsAlgorithm) {
                case "RS256" -> keyType.equals("RSA");
                case "ES256" -> keyType.equals("EC");
                default -> false;
            };
        }
    }

    /** Signature check with the JDK providers only (no BouncyCastle / Keycloak crypto provider needed). */
    private record JdkVerifierContext(String kid, String algorithm, PublicKey key) implements SignatureVerifierContext {
        @Override
        public String getKid() {
            return kid;
        }

        @Override
        public String getAlgorithm() {
            return algorithm;
        }

        @Override
        public boolean verify(byte[] data, byte[] signature) throws VerificationException {
            try {
                Signature s = Signature.getInstance(switch (algorithm) {
                    case "RS256" -> "SHA256withRSA";
                    case "ES256" -> "SHA256withECDSAinP1363Format";
                    default -> throw new VerificationException("algorithm " + algorithm + " is not accepted");
                });
                s.initVerify(key);
                s.update(data);
                return s.verify(signature);
            } catch (java.security.SignatureException e) {
                return false;
            } catch (GeneralSecurityException e) {
                throw new VerificationException("signature check failed: " + e.getMessage(), e);
            }
        }
    }
}
