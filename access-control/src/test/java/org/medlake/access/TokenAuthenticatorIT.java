package org.medlake.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.Token;

/** Verification against the real Keycloak realm {@code medlake} (started by the testkit if needed). */
class TokenAuthenticatorIT {
    private static TokenAuthenticator auth;

    @BeforeAll
    static void realm() {
        auth = new TokenAuthenticator(KeycloakTestRealm.issuer());
    }

    @Test
    void aliceIsEditorOfDemo() {
        Caller alice = auth.authenticate(KeycloakTestRealm.passwordToken("alice", "alice").raw());
        assertThat(alice.username()).isEqualTo("alice");
        assertThat(alice.projectRoles()).containsExactly(java.util.Map.entry("demo", ProjectRole.EDITOR));
        assertThat(alice.platformAdmin()).isFalse();
    }

    @Test
    void bobAdminAndTrainer() {
        assertThat(auth.authenticateHeader("Bearer " + KeycloakTestRealm.passwordToken("bob", "bob").raw()).projects())
                .containsExactly("other");
        Caller admin = auth.authenticate(KeycloakTestRealm.passwordToken("admin", "admin").raw());
        assertThat(admin.platformAdmin()).isTrue();
        assertThat(auth.authenticate(KeycloakTestRealm.trainerToken().raw()).projectRoles())
                .containsEntry("demo", ProjectRole.VIEWER);
    }

    @Test
    void tamperedSignatureIsRejected() {
        String raw = KeycloakTestRealm.passwordToken("alice", "alice").raw();
        int i = raw.lastIndexOf('.') + 10;
        String tampered = raw.substring(0, i) + (raw.charAt(i) == 'A' ? 'B' : 'A') + raw.substring(i + 1);
        assertThatThrownBy(() -> auth.authenticate(tampered)).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("signature is invalid");
    }

    @Test
    void tamperedPayloadIsRejected() {
        String raw = KeycloakTestRealm.passwordToken("bob", "bob").raw();
        String[] parts = raw.split("\\.");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]));
        String forged = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.replace("/projects/other/viewer", "/projects/demo/admin").getBytes());
        assertThatThrownBy(() -> auth.authenticate(parts[0] + "." + forged + "." + parts[2]))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("signature is invalid");
    }

    @Test
    void expiredTokenIsRejected() throws Exception {
        Token t = KeycloakTestRealm.shortLivedToken();
        assertThat(auth.authenticate(t.raw()).projects()).contains("demo");
        long waitMs = t.expiresAt().toEpochMilli() - Instant.now().toEpochMilli() + 1100;
        Thread.sleep(Math.max(0, waitMs));
        assertThatThrownBy(() -> auth.authenticate(t.raw())).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void tokenOfAnotherRealmIsRejected() {
        assertThatThrownBy(() -> auth.authenticate(KeycloakTestRealm.masterAdminToken()))
                .isInstanceOf(AuthenticationException.class);
    }

    @Test
    void wrongAudienceIsRejected() {
        TokenAuthenticator other = new TokenAuthenticator(KeycloakTestRealm.issuer(), "some-other-api",
                java.net.http.HttpClient.newHttpClient(), java.time.Duration.ofSeconds(10));
        assertThatThrownBy(() -> other.authenticate(KeycloakTestRealm.passwordToken("alice", "alice").raw()))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("audience");
    }

    @Test
    void unknownKidRefetchesTheKeySetAtMostOncePerInterval() throws Exception {
        TokenAuthenticator a = new TokenAuthenticator(KeycloakTestRealm.issuer(), TokenAuthenticator.DEFAULT_AUDIENCE,
                java.net.http.HttpClient.newHttpClient(), java.time.Duration.ofSeconds(2));
        String raw = KeycloakTestRealm.passwordToken("alice", "alice").raw();
        assertThat(a.authenticate(raw).username()).isEqualTo("alice");
        assertThat(a.jwksFetches()).isEqualTo(1);
        assertThat(a.authenticate(raw).username()).isEqualTo("alice"); // cached by kid
        assertThat(a.jwksFetches()).isEqualTo(1);
        String[] p = raw.split("\\.");
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String unknown = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"rotated-away\"}".getBytes())
                + "." + p[1] + "." + p[2];
        // An unknown kid (as after a key rotation) refetches the key set: once, then not again within the interval.
        Thread.sleep(2100);
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> a.authenticate(unknown)).isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("rotated-away");
        }
        assertThat(a.jwksFetches()).isEqualTo(2);
        Thread.sleep(2100);
        assertThatThrownBy(() -> a.authenticate(unknown)).isInstanceOf(AuthenticationException.class);
        assertThat(a.jwksFetches()).isEqualTo(3);
        assertThat(a.authenticate(raw).username()).isEqualTo("alice"); // known keys survive the refetches
        assertThat(a.jwksFetches()).isEqualTo(3);
    }
}
