package org.medlake.cohort.cohorts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CohortDiffTest {
    private static Member m(String series, String sop, String sha) {
        return new Member("demo", series, null, sop, sha, 1, "objects/x", null);
    }

    @Test
    void namesAddedRemovedAndChangedSeriesAndInstances() {
        List<Member> from = List.of(m("A", "a1", "1"), m("A", "a2", "2"), m("B", "b1", "1"), m("C", "c1", "1"));
        List<Member> to = List.of(m("A", "a1", "1"), m("A", "a2", "X"), m("A", "a3", "3"), m("C", "c1", "1"), m("D", "d1", "1"));
        CohortDiff d = CohortDiff.between(from, to);
        assertThat(d.seriesAdded()).containsExactly("D");
        assertThat(d.seriesRemoved()).containsExactly("B");
        assertThat(d.seriesUnchanged()).isEqualTo(1);
        assertThat(d.seriesChanged()).singleElement().isEqualTo(
                new CohortDiff.SeriesChange("A", List.of("a3"), List.of(), List.of("a2")));
        assertThat(d.identical()).isFalse();
        assertThat(CohortDiff.between(from, rev(from)).identical()).isTrue();
    }

    @Test
    void fingerprintIgnoresOrderButNotBytes() {
        List<Member> a = List.of(m("A", "a1", "1"), m("B", "b1", "2"));
        assertThat(Member.fingerprint(a)).isEqualTo(Member.fingerprint(rev(a)));
        assertThat(Member.fingerprint(a)).isNotEqualTo(Member.fingerprint(List.of(m("A", "a1", "1"), m("B", "b1", "3"))));
    }

    private static <T> List<T> rev(List<T> l) {
        List<T> r = new java.util.ArrayList<>(l);
        java.util.Collections.reverse(r);
        return r;
    }
}
