package org.medlake.sdk;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable client configuration, built with {@link MedlakeClient#create}'s builder.
 *
 * @param url the medlake API base URL, e.g. {@code http://127.0.0.1:8080}
 * @param issuer the OpenID Connect issuer (Keycloak realm URL) that issues tokens; required unless a fixed
 *     {@link #accessToken} is given
 * @param clientId OAuth client id: a confidential client for {@link Builder#clientCredentials}, or the public
 *     CLI client ({@code medlake-cli}) for {@link Builder#password}
 * @param clientSecret secret of a confidential client, else {@code null}
 * @param username user name for the password grant, else {@code null}
 * @param password password for the password grant, else {@code null}
 * @param accessToken a fixed bearer token (no refresh), else {@code null}
 * @param timeout per-request timeout
 * @param cacheDir directory of the verified local file cache ({@link MedlakeClient#fetch}); default
 *     {@code ~/.cache/medlake} (the {@code user.home} system property)
 * @param maxAttempts attempts of an idempotent request before a transient failure (I/O error, 502, 503, 504, 429)
 *     is reported, at least 1; default 5
 * @param retryBaseDelay delay before the first retry; each next one doubles it (at most 30 s), with random jitter
 *     of up to half of it; a 429's {@code Retry-After} is honoured when longer. Default 200 ms
 */
public record MedlakeConfig(
        URI url,
        URI issuer,
        String clientId,
        String clientSecret,
        String username,
        String password,
        String accessToken,
        Duration timeout,
        Path cacheDir,
        int maxAttempts,
        Duration retryBaseDelay) {

    /** The public client people log in with. */
    public static final String CLI_CLIENT_ID = "medlake-cli";

    /** The configuration of earlier releases, with the default cache directory and retries. */
    public MedlakeConfig(URI url, URI issuer, String clientId, String clientSecret, String username, String password,
            String accessToken, Duration timeout) {
        this(url, issuer, clientId, clientSecret, username, password, accessToken, timeout, defaultCacheDir(),
                DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_BASE_DELAY);
    }

    /** Default {@link #maxAttempts}. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** Default {@link #retryBaseDelay}. */
    public static final Duration DEFAULT_RETRY_BASE_DELAY = Duration.ofMillis(200);

    /** {@code ~/.cache/medlake}. */
    public static Path defaultCacheDir() {
        return Path.of(System.getProperty("user.home"), ".cache", "medlake");
    }

    static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        // Never print secrets.
        return "MedlakeConfig[url=" + url + ", issuer=" + issuer + ", clientId=" + clientId
                + ", username=" + username + "]";
    }

    /** Collects the settings of a {@link MedlakeConfig}. */
    public static final class Builder {
        private URI url;
        private URI issuer;
        private String clientId;
        private String clientSecret;
        private String username;
        private String password;
        private String accessToken;
        private Duration timeout = Duration.ofSeconds(60);
        private Path cacheDir = defaultCacheDir();
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration retryBaseDelay = DEFAULT_RETRY_BASE_DELAY;

        private Builder() {}

        /** The medlake API base URL. */
        public Builder url(String url) {
            this.url = URI.create(stripSlash(url));
            return this;
        }

        /** The OpenID Connect issuer, e.g. {@code http://127.0.0.1:8180/realms/medlake}. */
        public Builder issuer(String issuer) {
            this.issuer = URI.create(stripSlash(issuer));
            return this;
        }

        /** Authenticate as a service account (training jobs). */
        public Builder clientCredentials(String clientId, String clientSecret) {
            this.clientId = Objects.requireNonNull(clientId, "clientId");
            this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
            return this;
        }

        /** Authenticate as a person with the password grant of the public CLI client. */
        public Builder password(String username, String password) {
            this.clientId = CLI_CLIENT_ID;
            this.username = Objects.requireNonNull(username, "username");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** Use a bearer token obtained elsewhere; it is not refreshed. */
        public Builder accessToken(String token) {
            this.accessToken = Objects.requireNonNull(token, "token");
            return this;
        }

        /** Per-request timeout (default 60 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Directory of the verified file cache (default {@code ~/.cache/medlake}); created when first used. */
        public Builder cacheDir(Path cacheDir) {
            this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
            return this;
        }

        /**
         * Retries of transient failures: {@code maxAttempts} attempts in all (1 = no retry), the first retry after
         * {@code baseDelay}, doubling each time.
         */
        public Builder retries(int maxAttempts, Duration baseDelay) {
            if (maxAttempts < 1 || baseDelay.isNegative()) {
                throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0, "retries(" + maxAttempts + ", "
                        + baseDelay + ") is not valid: maxAttempts must be at least 1 and the delay not negative.");
            }
            this.maxAttempts = maxAttempts;
            this.retryBaseDelay = baseDelay;
            return this;
        }

        MedlakeConfig build() {
            if (url == null) {
                throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0,
                        "No medlake API URL configured. Call url(\"http://host:8080\") on the builder.");
            }
            boolean grant = clientSecret != null || password != null;
            if (accessToken == null && !grant) {
                throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0,
                        "No way to authenticate configured. Call clientCredentials(id, secret), "
                                + "password(user, password) or accessToken(token) on the builder.");
            }
            if (grant && issuer == null) {
                throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0,
                        "A login was configured but no token issuer. Call issuer(\"http://host:8180/realms/medlake\").");
            }
            return new MedlakeConfig(url, issuer, clientId, clientSecret, username, password, accessToken, timeout,
                    cacheDir, maxAttempts, retryBaseDelay);
        }

        private static String stripSlash(String s) {
            Objects.requireNonNull(s, "url");
            return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        }
    }
}
