package org.medlake.cohort.cohorts;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.regex.Pattern;
import org.medlake.cohort.CohortException;

/**
 * A cohort: a named query (the JSON criteria language of {@link org.medlake.cohort.query.CriteriaParser}) within a
 * project. The name is unique per project and never changes; so does the query. Immutable.
 *
 * @param cohortId    random UUID, the stable key
 * @param project     the project whose released series the query selects
 * @param name        {@link #NAME_PATTERN}: 1 to 128 characters, letters, digits, {@code . _ -}, starting with a
 *                    letter or digit (safe in URL paths and file names)
 * @param description free text or null
 * @param query       the criteria as compact JSON ({@code {}} = all series)
 * @param createdBy   the creator's user name
 * @param createdAt   creation time (microsecond precision)
 */
public record Cohort(String cohortId, String project, String name, String description, String query, String createdBy,
                     Instant createdAt) {
    /** Allowed cohort names. */
    public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Longest description. */
    public static final int MAX_DESCRIPTION = 2000;

    public Cohort {
        Objects.requireNonNull(cohortId, "cohortId");
        Objects.requireNonNull(project, "project");
        checkName(name);
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(createdBy, "createdBy");
        createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Checks a cohort name.
     *
     * @throws CohortException USER_ERROR naming the rule when the name is null or does not match {@link #NAME_PATTERN}
     */
    public static String checkName(String name) {
        if (name == null || !NAME_PATTERN.matcher(name).matches()) {
            throw new CohortException(CohortException.ErrorCode.USER_ERROR, "Cohort name "
                    + (name == null ? "is missing" : "'" + name + "' is not allowed") + ": a name has 1 to 128 characters "
                    + "(letters, digits, '.', '_', '-') and starts with a letter or digit. Choose a name such as "
                    + "'mr-brain-2024'.");
        }
        return name;
    }
}
