package org.medlake.access;

import java.util.Locale;
import java.util.Optional;

/**
 * A caller's role inside one project, from the Keycloak group path {@code /projects/<project>/<role>}.
 * Roles are ordered: {@code VIEWER < EDITOR < ADMIN}; a higher role includes every right of the lower ones.
 */
public enum ProjectRole {
    VIEWER, EDITOR, ADMIN;

    /** The role named {@code name} (case-insensitive), or empty if it is not one of viewer/editor/admin. */
    public static Optional<ProjectRole> fromName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "viewer" -> Optional.of(VIEWER);
            case "editor" -> Optional.of(EDITOR);
            case "admin" -> Optional.of(ADMIN);
            default -> Optional.empty();
        };
    }

    /** True if this role grants at least the rights of {@code other}. */
    public boolean includes(ProjectRole other) {
        return compareTo(other) >= 0;
    }

    /** The lower-case name used in group paths. */
    public String groupName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
