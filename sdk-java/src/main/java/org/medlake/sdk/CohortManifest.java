package org.medlake.sdk;

import java.util.List;

/**
 * The manifest of a frozen cohort version: every instance, sorted by series then SOP Instance UID as the server
 * sends them. The content depends only on the frozen version.
 *
 * @param version the frozen version it lists
 * @param sha256 lower-case hex SHA-256 of the manifest document as the server sent it (its {@code ETag})
 * @param entries the instances
 */
public record CohortManifest(CohortVersion version, String sha256, List<ManifestEntry> entries) {

    /** Copies {@code entries} so the value stays immutable. */
    public CohortManifest {
        entries = List.copyOf(entries);
    }
}
