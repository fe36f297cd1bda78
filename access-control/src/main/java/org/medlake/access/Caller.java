package org.medlake.access;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An authenticated caller. Immutable.
 *
 * <p>{@link #projectRoles()} maps each project the caller belongs to onto its highest role there, derived from
 * the token's {@code groups} claim (paths {@code /projects/<project>/<role>}, see {@link #parseGroups}).
 * {@link #platformAdmin()} is true when the realm role {@code platform-admin} is present; it does <em>not</em>
 * add projects: data routes filter by {@link #projects()} only.
 */
public final class Caller {
    /** Realm role that marks a platform administrator. */
    public static final String PLATFORM_ADMIN_ROLE = "platform-admin";

    private final String subject;
    private final String username;
    private final Map<String, ProjectRole> projectRoles;
    private final boolean platformAdmin;
    private final String clientId;

    public Caller(String subject, String username, Map<String, ProjectRole> projectRoles, boolean platformAdmin) {
        this(subject, username, projectRoles, platformAdmin, null);
    }

    /**
     * @param clientId the OAuth client the token was issued to ({@code azp}), or null when unknown
     */
    public Caller(String subject, String username, Map<String, ProjectRole> projectRoles, boolean platformAdmin,
                  String clientId) {
        this.clientId = clientId;
        this.subject = Objects.requireNonNull(subject, "subject");
        this.username = username == null ? subject : username;
        this.projectRoles = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(projectRoles, "projectRoles")));
        this.platformAdmin = platformAdmin;
    }

    /** Token subject ({@code sub}), the stable user id. */
    public String subject() {
        return subject;
    }

    /** {@code preferred_username}, or the subject when absent. */
    public String username() {
        return username;
    }

    /** Project name to highest role, sorted by project; unmodifiable. */
    public Map<String, ProjectRole> projectRoles() {
        return projectRoles;
    }

    /** The projects the caller may read (any role), sorted; unmodifiable. */
    public Set<String> projects() {
        return projectRoles.keySet();
    }

    /** The caller's role in {@code project}, if any. */
    public Optional<ProjectRole> role(String project) {
        return Optional.ofNullable(projectRoles.get(project));
    }

    /** True if the caller has at least {@code role} in {@code project}. */
    public boolean hasRole(String project, ProjectRole role) {
        return role(project).map(r -> r.includes(role)).orElse(false);
    }

    /** The OAuth client the token was issued to ({@code azp}, e.g. {@code medlake-cli}), or null when unknown. */
    public String clientId() {
        return clientId;
    }

    /** True if the caller holds the realm role {@value #PLATFORM_ADMIN_ROLE}. */
    public boolean platformAdmin() {
        return platformAdmin;
    }

    /**
     * Parses group paths into project roles. Only paths of the exact form {@code /projects/<project>/<role>} with
     * role in viewer/editor/admin count (a missing leading slash is tolerated); everything else is ignored. When a
     * caller is in several role groups of one project, the highest role wins.
     */
    public static Map<String, ProjectRole> parseGroups(Collection<String> groups) {
        Map<String, ProjectRole> roles = new TreeMap<>();
        if (groups == null) {
            return roles;
        }
        for (String group : groups) {
            if (group == null) {
                continue;
            }
            String path = group.startsWith("/") ? group.substring(1) : group;
            String[] parts = path.split("/", -1);
            if (parts.length != 3 || !parts[0].equals("projects") || parts[1].isBlank()) {
                continue;
            }
            Optional<ProjectRole> role = ProjectRole.fromName(parts[2]);
            role.ifPresent(r -> roles.merge(parts[1], r, (a, b) -> a.includes(b) ? a : b));
        }
        return roles;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Caller c && c.subject.equals(subject) && c.username.equals(username)
                && c.projectRoles.equals(projectRoles) && c.platformAdmin == platformAdmin;
    }

    @Override
    public int hashCode() {
        return Objects.hash(subject, username, projectRoles, platformAdmin);
    }

    @Override
    public String toString() {
        return "Caller[" + username + " (" + subject + "), projects=" + projectRoles
                + (platformAdmin ? ", platform-admin" : "") + "]";
    }
}
