package org.medlake.ingest;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, for the readable instances of one run, which are added, which are already in the lake, and which are
 * conflicts: the same SOP Instance UID with other bytes. Within a run the entry with the smallest source URI wins,
 * so the outcome does not depend on task order, and a re-run after a kill decides exactly as the first run did.
 */
final class BatchOutcomes {
    /** What happens to one instance. */
    enum Outcome { ADD, DUPLICATE, CONFLICT }

    /** The identity of one readable instance of the run. */
    record Candidate(String sopInstanceUid, String sha256, String sourceUri) implements Serializable {}

    /** The instance the lake already holds under a SOP Instance UID. */
    record Held(String sha256, String sourceUri) implements Serializable {}

    /** A decision, with the instance a conflict or duplicate was compared to. */
    record Decision(Candidate candidate, Outcome outcome, Held reference) {}

    private BatchOutcomes() {}

    /**
     * @param candidates the run's readable instances, in any order
     * @param inLake what the lake holds for the candidates' SOP Instance UIDs (others may be absent)
     * @return one decision per candidate, ordered by SOP Instance UID then source URI
     */
    static List<Decision> decide(List<Candidate> candidates, Map<String, Held> inLake) {
        List<Candidate> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparing(Candidate::sopInstanceUid).thenComparing(Candidate::sourceUri));
        Map<String, Held> reference = new HashMap<>();
        List<Decision> out = new ArrayList<>(sorted.size());
        for (Candidate c : sorted) {
            Held held = inLake.get(c.sopInstanceUid());
            if (held == null) {
                held = reference.get(c.sopInstanceUid());
            }
            if (held == null) {
                reference.put(c.sopInstanceUid(), new Held(c.sha256(), c.sourceUri()));
                out.add(new Decision(c, Outcome.ADD, null));
            } else if (held.sha256().equals(c.sha256())) {
                out.add(new Decision(c, Outcome.DUPLICATE, held));
            } else {
                out.add(new Decision(c, Outcome.CONFLICT, held));
            }
        }
        return out;
    }
}
