package org.medlake.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SplitsTest {

    /** 500 patients with 1 to 3 series of 1 to 4 instances each, plus two series without a patient id. */
    private static List<ManifestEntry> entries() {
        List<ManifestEntry> out = new ArrayList<>();
        for (int p = 0; p < 500; p++) {
            for (int s = 0; s <= p % 3; s++) {
                for (int i = 0; i <= (p + s) % 4; i++) {
                    out.add(entry("P" + p, "1.2." + p + "." + s, "1.2." + p + "." + s + "." + i));
                }
            }
        }
        out.add(entry(null, "9.9.1", "9.9.1.1"));
        out.add(entry(null, "9.9.2", "9.9.2.1"));
        return out;
    }

    private static ManifestEntry entry(String patient, String series, String sop) {
        return new ManifestEntry("demo", series, sop, "0".repeat(64), 10, "/api/v1/instances/" + sop + "/file", patient);
    }

    private static CohortManifest manifest(String cohortId, int version, List<ManifestEntry> entries) {
        return new CohortManifest(new CohortVersion(cohortId, "demo", "mr", version, Instant.EPOCH, "alice", 0,
                entries.size(), -1, "x"), "y", entries);
    }

    private static Set<String> patients(List<ManifestEntry> entries) {
        return entries.stream().map(ManifestEntry::patientKey).collect(Collectors.toSet());
    }

    @Test
    void sameInputsGiveTheSameSplitWhateverTheOrder() {
        List<ManifestEntry> shuffled = new ArrayList<>(entries());
        Collections.shuffle(shuffled, new Random(7));
        TrainValTestSplit a = Splits.trainValTest(manifest("c-1", 3, entries()), 42, 0.8, 0.1, 0.1);
        TrainValTestSplit b = Splits.trainValTest(manifest("c-1", 3, shuffled), 42, 0.8, 0.1, 0.1);
        TrainValTestSplit c = Splits.trainValTest("c-1", 3, List.copyOf(shuffled), 42, 0.8, 0.1, 0.1);
        assertThat(b).isEqualTo(a);
        assertThat(c).isEqualTo(a);
    }

    @Test
    void seedCohortAndVersionKeyTheSplit() {
        TrainValTestSplit base = Splits.trainValTest(manifest("c-1", 3, entries()), 42, 0.8, 0.1, 0.1);
        assertThat(Splits.trainValTest(manifest("c-1", 3, entries()), 43, 0.8, 0.1, 0.1).test())
                .isNotEqualTo(base.test());
        assertThat(Splits.trainValTest(manifest("c-2", 3, entries()), 42, 0.8, 0.1, 0.1).test())
                .isNotEqualTo(base.test());
        assertThat(Splits.trainValTest(manifest("c-1", 4, entries()), 42, 0.8, 0.1, 0.1).test())
                .isNotEqualTo(base.test());
    }

    @Test
    void pinnedResultSoEveryMachineAndReleaseAgrees() {
        // The hash recipe is part of the contract: if this changes, splits made earlier can no longer be reproduced.
        List<ManifestEntry> twenty = new ArrayList<>();
        for (int p = 0; p < 20; p++) {
            twenty.add(entry("P" + p, "1.2." + p, "1.2." + p + ".1"));
        }
        TrainValTestSplit s = Splits.trainValTest("c-1", 1, twenty, 1, 0.6, 0.2, 0.2);
        assertThat(s.test()).extracting(ManifestEntry::patientId).containsExactly("P10", "P13", "P16", "P6");
        assertThat(s.train()).hasSize(12);
        assertThat(s.train()).isSortedAccordingTo((x, y) -> {
            int c = x.seriesInstanceUid().compareTo(y.seriesInstanceUid());
            return c != 0 ? c : x.sopInstanceUid().compareTo(y.sopInstanceUid());
        });
    }

    @Test
    void noPatientInTwoSplitsAndNothingLost() {
        TrainValTestSplit s = Splits.trainValTest(manifest("c-1", 1, entries()), 5, 0.8, 0.1, 0.1);
        Set<String> train = patients(s.train());
        Set<String> val = patients(s.validation());
        Set<String> test = patients(s.test());
        assertThat(train).doesNotContainAnyElementsOf(val).doesNotContainAnyElementsOf(test);
        assertThat(val).doesNotContainAnyElementsOf(test);
        assertThat(s.train().size() + s.validation().size() + s.test().size()).isEqualTo(entries().size());
        assertThat(new HashSet<>(entries())).isEqualTo(new HashSet<ManifestEntry>() {{
            addAll(s.train());
            addAll(s.validation());
            addAll(s.test());
        }});
        // series without a patient id stay whole
        assertThat(train.size() + val.size() + test.size()).isEqualTo(502);
    }

    @Test
    void proportionsOfPatientsWithinOnePatient() {
        TrainValTestSplit s = Splits.trainValTest(manifest("c-1", 1, entries()), 5, 0.7, 0.2, 0.1);
        assertThat(patients(s.train()).size()).isBetween(350, 352);
        assertThat(patients(s.validation()).size()).isBetween(99, 101);
        assertThat(patients(s.test()).size()).isBetween(49, 51);
    }

    @Test
    void badFractionsAreAUserError() {
        assertThatThrownBy(() -> Splits.trainValTest(manifest("c", 1, entries()), 1, 0.8, 0.2, 0.1))
                .isInstanceOf(MedlakeException.class).hasMessageContaining("add up to 1")
                .extracting(e -> ((MedlakeException) e).kind()).isEqualTo(MedlakeException.Kind.USER_ERROR);
        assertThatThrownBy(() -> Splits.trainValTest(manifest("c", 1, entries()), 1, 1.2, -0.1, -0.1))
                .isInstanceOf(MedlakeException.class);
    }

    @Test
    void kFoldPutsEveryPatientInExactlyOneValidationFold() {
        List<Fold> folds = Splits.kFold(manifest("c-1", 2, entries()), 5, 9);
        assertThat(folds).hasSize(5);
        List<String> validated = new ArrayList<>();
        for (Fold f : folds) {
            Set<String> val = patients(f.validation());
            validated.addAll(val);
            assertThat(patients(f.train())).doesNotContainAnyElementsOf(val);
            assertThat(f.train().size() + f.validation().size()).isEqualTo(entries().size());
            assertThat(val.size()).isBetween(100, 101);
        }
        assertThat(validated).doesNotHaveDuplicates().hasSize(502);
        List<ManifestEntry> reversed = new ArrayList<>(entries());
        Collections.reverse(reversed);
        assertThat(Splits.kFold(manifest("c-1", 2, reversed), 5, 9)).isEqualTo(folds);
        assertThat(Splits.kFold(manifest("c-1", 2, entries()), 5, 10)).isNotEqualTo(folds);
    }

    @Test
    void kOutOfRangeIsAUserError() {
        assertThatThrownBy(() -> Splits.kFold(manifest("c", 1, entries()), 1, 1))
                .isInstanceOf(MedlakeException.class).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> Splits.kFold(manifest("c", 1, entries().subList(0, 3)), 5, 1))
                .isInstanceOf(MedlakeException.class).hasMessageContaining("patients");
    }
}
