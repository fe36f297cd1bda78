package org.medlake.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallerTest {
    @Test
    void parsesProjectRoleGroupPaths() {
        Map<String, ProjectRole> roles = Caller.parseGroups(List.of("/projects/demo/editor", "/projects/other/viewer"));
        assertThat(roles).containsExactly(Map.entry("demo", ProjectRole.EDITOR), Map.entry("other", ProjectRole.VIEWER));
    }

    @Test
    void highestRoleWinsWithinAProject() {
        assertThat(Caller.parseGroups(List.of("/projects/demo/viewer", "/projects/demo/admin", "/projects/demo/editor")))
                .containsExactly(Map.entry("demo", ProjectRole.ADMIN));
    }

    @Test
    void ignoresUnrelatedAndMalformedGroups() {
        assertThat(Caller.parseGroups(Arrays.asList(null, "/projects", "/projects/demo", "/projects//viewer",
                "/projects/demo/owner", "/teams/demo/viewer", "/projects/demo/viewer/extra", "admins"))).isEmpty();
        assertThat(Caller.parseGroups(null)).isEmpty();
    }

    @Test
    void toleratesMissingLeadingSlashAndCase() {
        assertThat(Caller.parseGroups(List.of("projects/demo/Viewer"))).containsEntry("demo", ProjectRole.VIEWER);
    }

    @Test
    void callerIsImmutableAndAnswersRoles() {
        Caller c = new Caller("sub-1", "alice", Caller.parseGroups(List.of("/projects/demo/editor")), false);
        assertThat(c.projects()).containsExactly("demo");
        assertThat(c.hasRole("demo", ProjectRole.VIEWER)).isTrue();
        assertThat(c.hasRole("demo", ProjectRole.ADMIN)).isFalse();
        assertThat(c.hasRole("other", ProjectRole.VIEWER)).isFalse();
        assertThat(c.platformAdmin()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.projects().add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
