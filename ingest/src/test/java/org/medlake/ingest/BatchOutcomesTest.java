package org.medlake.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medlake.ingest.BatchOutcomes.Candidate;
import org.medlake.ingest.BatchOutcomes.Decision;
import org.medlake.ingest.BatchOutcomes.Held;
import org.medlake.ingest.BatchOutcomes.Outcome;

class BatchOutcomesTest {
    @Test
    void newInstancesAreAddedOnce_andTheSmallestSourceWinsWhateverTheOrder() {
        List<Candidate> batch = List.of(
                new Candidate("1.2.3", "aaa", "file:/b/copy.dcm"),
                new Candidate("1.2.3", "aaa", "file:/a/orig.dcm"),
                new Candidate("1.2.4", "bbb", "file:/a/other.dcm"));

        List<Decision> decisions = BatchOutcomes.decide(batch, Map.of());

        assertThat(decisions).extracting(d -> d.candidate().sourceUri(), Decision::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple("file:/b/copy.dcm", Outcome.DUPLICATE),
                org.assertj.core.groups.Tuple.tuple("file:/a/orig.dcm", Outcome.ADD),
                org.assertj.core.groups.Tuple.tuple("file:/a/other.dcm", Outcome.ADD));
        assertThat(decisions.get(0).reference()).isEqualTo(new Held("aaa", "file:/a/orig.dcm"));
        assertThat(BatchOutcomes.decide(List.of(batch.get(2), batch.get(1), batch.get(0)), Map.of()))
                .containsExactly(decisions.get(2), decisions.get(1), decisions.get(0));
    }

    @Test
    void otherBytesUnderAKnownUidAreConflicts_againstTheLakeFirst() {
        Map<String, Held> lake = Map.of("1.2.3", new Held("aaa", "file:/old.dcm"));
        List<Decision> decisions = BatchOutcomes.decide(List.of(
                new Candidate("1.2.3", "aaa", "file:/same.dcm"),
                new Candidate("1.2.3", "zzz", "file:/changed.dcm"),
                new Candidate("1.2.5", "ccc", "file:/new1.dcm"),
                new Candidate("1.2.5", "ddd", "file:/new2.dcm")), lake);

        assertThat(decisions).extracting(d -> d.candidate().sourceUri(), Decision::outcome, Decision::reference)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("file:/same.dcm", Outcome.DUPLICATE, lake.get("1.2.3")),
                        org.assertj.core.groups.Tuple.tuple("file:/changed.dcm", Outcome.CONFLICT, lake.get("1.2.3")),
                        org.assertj.core.groups.Tuple.tuple("file:/new1.dcm", Outcome.ADD, null),
                        org.assertj.core.groups.Tuple.tuple("file:/new2.dcm", Outcome.CONFLICT, new Held("ccc", "file:/new1.dcm")));
    }
}
