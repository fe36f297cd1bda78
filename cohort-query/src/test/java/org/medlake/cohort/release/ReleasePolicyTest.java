package org.medlake.cohort.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.cohort.release.ReleasePolicy.Outcome.DEID_FAIL;
import static org.medlake.cohort.release.ReleasePolicy.Outcome.NOT_CURATED;
import static org.medlake.cohort.release.ReleasePolicy.Outcome.RELEASED;
import static org.medlake.cohort.release.ReleasePolicy.Outcome.RELEASED_BY_OVERRIDE;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medlake.cohort.release.ReleasePolicy.Curation;
import org.medlake.cohort.release.ReleasePolicy.Override;

class ReleasePolicyTest {
    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    private static Curation curated(String status) {
        return new Curation("S", status, "fp-2");
    }

    private static Override row(String fp, String action, int minutes) {
        return new Override("S", fp, action, T0.plusSeconds(60L * minutes));
    }

    @Test
    void passAndReviewAreReleasedFailIsNot() {
        assertThat(ReleasePolicy.decide(curated("PASS"), List.of())).isEqualTo(RELEASED);
        assertThat(ReleasePolicy.decide(curated("REVIEW"), List.of())).isEqualTo(RELEASED);
        assertThat(ReleasePolicy.decide(curated("FAIL"), List.of())).isEqualTo(DEID_FAIL);
    }

    @Test
    void neverCuratedIsNotReleasedEvenWithAnOverride() {
        assertThat(ReleasePolicy.decide(null, List.of(row("fp-2", "OVERRIDE", 1)))).isEqualTo(NOT_CURATED);
        assertThat(NOT_CURATED.released()).isFalse();
    }

    @Test
    void overrideForTheCurrentFingerprintReleasesAFailedSeries() {
        ReleasePolicy.Outcome o = ReleasePolicy.decide(curated("FAIL"), List.of(row("fp-2", "OVERRIDE", 1)));
        assertThat(o).isEqualTo(RELEASED_BY_OVERRIDE);
        assertThat(o.released()).isTrue();
        assertThat(o.byOverride()).isTrue();
        assertThat(RELEASED.byOverride()).isFalse();
    }

    @Test
    void overrideForAStaleFingerprintDoesNotCount() {
        assertThat(ReleasePolicy.decide(curated("FAIL"), List.of(row("fp-1", "OVERRIDE", 1)))).isEqualTo(DEID_FAIL);
        // a newer override for an old fingerprint does not shadow an older one for the current fingerprint
        assertThat(ReleasePolicy.decide(curated("FAIL"), List.of(row("fp-2", "OVERRIDE", 1), row("fp-1", "REVOKE", 5))))
                .isEqualTo(RELEASED_BY_OVERRIDE);
    }

    @Test
    void latestRowByTimeWinsWhateverTheOrder() {
        List<Override> revoked = List.of(row("fp-2", "REVOKE", 9), row("fp-2", "OVERRIDE", 1));
        assertThat(ReleasePolicy.decide(curated("FAIL"), revoked)).isEqualTo(DEID_FAIL);
        List<Override> reinstated = List.of(row("fp-2", "OVERRIDE", 10), row("fp-2", "REVOKE", 9), row("fp-2", "OVERRIDE", 1));
        assertThat(ReleasePolicy.decide(curated("FAIL"), reinstated)).isEqualTo(RELEASED_BY_OVERRIDE);
    }

    @Test
    void revokeWinsATie() {
        assertThat(ReleasePolicy.decide(curated("FAIL"), List.of(row("fp-2", "OVERRIDE", 3), row("fp-2", "REVOKE", 3))))
                .isEqualTo(DEID_FAIL);
    }

    @Test
    void otherSeriesAndMissingFingerprintsAreIgnored() {
        assertThat(ReleasePolicy.decide(curated("FAIL"), List.of(new Override("T", "fp-2", "OVERRIDE", T0)))).isEqualTo(DEID_FAIL);
        assertThat(ReleasePolicy.decide(new Curation("S", "FAIL", null), List.of(new Override("S", null, "OVERRIDE", T0))))
                .isEqualTo(DEID_FAIL);
    }

    @Test
    void revokeOnAPassingSeriesChangesNothing() {
        assertThat(ReleasePolicy.decide(curated("PASS"), List.of(row("fp-2", "REVOKE", 1)))).isEqualTo(RELEASED);
    }
}
