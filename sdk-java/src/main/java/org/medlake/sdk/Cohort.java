package org.medlake.sdk;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A named cohort of a project: a stored query plus its frozen versions. Frozen versions never change.
 *
 * @param cohortId the server-assigned, never reused id of the cohort
 * @param project the project the cohort belongs to
 * @param name the cohort's name, unique in the project
 * @param description free text, may be {@code null}
 * @param query the stored query as a JSON-ready tree (maps and lists)
 * @param createdBy user name of the creator
 * @param createdAt when it was created
 * @param versions the frozen versions, oldest first (their {@link CohortVersion#sizeBytes()} is -1: the listing does
 *     not report it; {@link MedlakeClient#cohortVersion} does)
 */
public record Cohort(
        String cohortId,
        String project,
        String name,
        String description,
        Object query,
        String createdBy,
        Instant createdAt,
        List<CohortVersion> versions) {

    /** Copies {@code versions} so the value stays immutable. */
    public Cohort {
        versions = List.copyOf(versions);
    }

    /** The newest frozen version, empty when the cohort was never frozen. */
    public Optional<CohortVersion> latestVersion() {
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }
}
