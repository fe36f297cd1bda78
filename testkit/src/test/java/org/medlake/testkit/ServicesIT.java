package org.medlake.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServicesIT {

    @Test
    void elasticsearchClusterIsHealthy() {
        Http.Response health = Http.get(MedlakeServices.elasticsearchUrl() + "/_cluster/health", null);

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asText()).isIn("green", "yellow");
    }

    @Test
    void aliceHasDemoEditorGroupAudienceAndIssuer() {
        Token alice = KeycloakTestRealm.passwordToken("alice", "alice");

        assertThat(alice.issuer()).isEqualTo(KeycloakTestRealm.issuer());
        assertThat(alice.audience()).contains("medlake-api");
        assertThat(alice.groups()).contains("/projects/demo/editor");
        assertThat(alice.preferredUsername()).isEqualTo("alice");
    }

    @Test
    void issuerMatchesContractForLocalKeycloak() {
        if (System.getenv(MedlakeServices.KEYCLOAK_URL_ENV) == null && System.getenv("MEDLAKE_KEYCLOAK_PORT") == null) {
            assertThat(KeycloakTestRealm.issuer()).isEqualTo("http://127.0.0.1:8180/realms/medlake");
        }
    }

    @Test
    void bobHasOtherViewerGroup() {
        assertThat(KeycloakTestRealm.passwordToken("bob", "bob").groups()).contains("/projects/other/viewer");
    }

    @Test
    void adminHasPlatformAdminRole() {
        assertThat(KeycloakTestRealm.passwordToken("admin", "admin").realmRoles()).contains("platform-admin");
    }

    @Test
    void trainerServiceAccountHasDemoViewerGroup() {
        Token trainer = KeycloakTestRealm.trainerToken();

        assertThat(trainer.groups()).contains("/projects/demo/viewer");
        assertThat(trainer.audience()).contains("medlake-api");
    }

    @Test
    void wrongPasswordIsRefused() {
        TokenRequestException refused = catchThrowableOfType(TokenRequestException.class,
                () -> KeycloakTestRealm.passwordToken("alice", "wrong"));

        // Keycloak answers a bad password with 400 invalid_grant (RFC 6749 5.2); 401 is for bad client credentials.
        assertThat(refused).isNotNull();
        assertThat(refused.status()).isIn(400, 401);
        assertThat(refused.body()).contains("invalid_grant");
    }

    @Test
    void shortLivedTokenExpiresQuickly() throws InterruptedException {
        Token token = KeycloakTestRealm.shortLivedToken();

        assertThat(token.expiresAt().getEpochSecond() - token.issuedAt().getEpochSecond()).isBetween(1L, 5L);
        assertThat(token.audience()).contains("medlake-api");
        assertThat(token.groups()).contains("/projects/demo/viewer");
        Thread.sleep(Duration.between(java.time.Instant.now(), token.expiresAt()).plusMillis(1100).toMillis());
        assertThat(token.isExpired()).isTrue();
    }

    @Test
    void freePortIsUsable() {
        assertThat(FreePorts.next()).isBetween(1, 65535);
    }
}
