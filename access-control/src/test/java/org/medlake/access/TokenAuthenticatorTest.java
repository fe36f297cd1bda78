package org.medlake.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks that run before any key is fetched: nothing listens on the issuer used here. */
class TokenAuthenticatorTest {
    private static final String ISSUER = "http://127.0.0.1:9/realms/medlake";
    private final TokenAuthenticator auth = new TokenAuthenticator(ISSUER);

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String token(String headerJson) {
        long exp = System.currentTimeMillis() / 1000 + 300;
        String payload = "{\"iss\":\"" + ISSUER + "\",\"aud\":\"medlake-api\",\"typ\":\"Bearer\",\"sub\":\"x\",\"exp\":" + exp
                + ",\"groups\":[\"/projects/demo/admin\"]}";
        return b64(headerJson) + "." + b64(payload) + "." + b64("sig");
    }

    @Test
    void rejectsAlgNone() {
        String unsigned = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64("{\"sub\":\"x\"}") + ".";
        assertThatThrownBy(() -> auth.authenticate(unsigned))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("'none' is not accepted");
    }

    @Test
    void rejectsHmacAlgorithms() {
        for (String alg : new String[] {"HS256", "HS384", "HS512", "RS512", "PS256"}) {
            assertThatThrownBy(() -> auth.authenticate(token("{\"alg\":\"" + alg + "\",\"kid\":\"k\"}")))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("'" + alg + "' is not accepted")
                    .satisfies(e -> assertThat(((AccessException) e).code()).isEqualTo(AccessException.ErrorCode.USER_ERROR));
        }
    }

    @Test
    void rejectsMissingKid() {
        assertThatThrownBy(() -> auth.authenticate(token("{\"alg\":\"RS256\"}")))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("no key id");
    }

    @Test
    void rejectsMalformedAndMissingTokens() {
        assertThatThrownBy(() -> auth.authenticate("not-a-jwt")).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("Malformed");
        assertThatThrownBy(() -> auth.authenticateHeader(null)).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("no Authorization header");
        assertThatThrownBy(() -> auth.authenticateHeader("Basic YWxpY2U6YWxpY2U=")).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("only 'Bearer <token>'");
    }

    @Test
    void unreachableRealmIsAnExternalAuthenticationFailure() {
        assertThatThrownBy(() -> auth.authenticate(token("{\"alg\":\"RS256\",\"kid\":\"k1\"}")))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("could not be fetched")
                .satisfies(e -> assertThat(((AccessException) e).code()).isEqualTo(AccessException.ErrorCode.EXTERNAL));
    }

    @Test
    void parsesJwksSkippingEncryptionKeys() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair kp = gen.generateKeyPair();
        RSAPublicKey pub = (RSAPublicKey) kp.getPublic();
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        String n = enc.encodeToString(pub.getModulus().toByteArray());
        String e = enc.encodeToString(pub.getPublicExponent().toByteArray());
        String jwks = "{\"keys\":[{\"kid\":\"s1\",\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\"" + n + "\",\"e\":\"" + e
                + "\"},{\"kid\":\"e1\",\"kty\":\"RSA\",\"alg\":\"RSA-OAEP\",\"use\":\"enc\",\"n\":\"" + n + "\",\"e\":\"" + e + "\"}]}";
        Map<String, TokenAuthenticator.VerificationKey> keys = TokenAuthenticator.parseJwks(jwks);
        assertThat(keys).containsOnlyKeys("s1");
        assertThat(keys.get("s1").publicKey()).isEqualTo(pub);
        assertThat(keys.get("s1").fits("RS256")).isTrue();
        assertThat(keys.get("s1").fits("ES256")).isFalse();
    }
}
