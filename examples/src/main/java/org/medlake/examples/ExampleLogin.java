package org.medlake.examples;

import org.medlake.sdk.MedlakeClient;

/**
 * The login options the examples share: {@code --api URL} (default {@code $MEDLAKE_API_URL}, else
 * http://127.0.0.1:8080), {@code --issuer URL} (default {@code $MEDLAKE_KEYCLOAK_ISSUER}, else the local realm), and
 * either {@code --user U --password P} (a person) or {@code --client-id C --client-secret S} (a training job's service
 * account).
 */
final class ExampleLogin {
    static final String USAGE = "--api URL [--issuer URL] (--user U --password P | --client-id C --client-secret S)";

    private String api = System.getenv().getOrDefault("MEDLAKE_API_URL", "http://127.0.0.1:8080");
    private String issuer = System.getenv().getOrDefault("MEDLAKE_KEYCLOAK_ISSUER", "http://127.0.0.1:8180/realms/medlake");
    private String user;
    private String password;
    private String clientId;
    private String clientSecret;

    /**
     * Takes {@code args[i]} and its value when it is a login option.
     *
     * @return the index of the last argument taken, or -1 when {@code args[i]} is not a login option
     */
    int accept(String[] args, int i) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
            case "--api" -> api = value;
            case "--issuer" -> issuer = value;
            case "--user" -> user = value;
            case "--password" -> password = value;
            case "--client-id" -> clientId = value;
            case "--client-secret" -> clientSecret = value;
            default -> {
                return -1;
            }
        }
        if (value == null) {
            throw new IllegalArgumentException(args[i] + " needs a value");
        }
        return i + 1;
    }

    /** Exits with a usage error unless a complete pair of credentials was given. */
    void requireComplete() {
        if ((user == null || password == null) && (clientId == null || clientSecret == null)) {
            usage("give --user and --password, or --client-id and --client-secret");
        }
    }

    /** Ends the process with exit code 2 and a one-line usage error. */
    static void usage(String problem) {
        System.err.println("error: " + problem + " (see --help)");
        System.exit(2);
    }

    /** A client logged in with the options given. */
    MedlakeClient connect() {
        return MedlakeClient.create(cfg -> {
            cfg.url(api).issuer(issuer);
            if (user != null) {
                cfg.password(user, password);
            } else {
                cfg.clientCredentials(clientId, clientSecret);
            }
        });
    }
}
