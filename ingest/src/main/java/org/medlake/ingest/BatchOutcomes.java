package org.medlake.ingest;

import java.io.Serializable;
import java.util.ArrayList;
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
     * @return one decision per candidate, in the order of {@code candidates}; the decisions themselves do not
     *     depend on that order
     */
    static List<Decision> decide(List<Candidate> candidates, Map<String, Held> inLake) {
        // Each SOP Instance UID new to the lake is added once: from its candidate with the smallest source URI.
        Map<String, Candidate> first = new HashMap<>(candidates.size() * 2);
        for (Candidate c : candidates) {
            if (!inLake.containsKey(c.sopInstanceUid())) {
                first.merge(c.sopInstanceUid(), c, (a, b) -> b.sourceUri().compareTo(a.sourceUri()) < 0 ? b : a);
            }
        }
        List<Decision> out = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            Held held = inLake.get(c.sopInstanceUid());
            if (held == null) {
                Candidate reference = first.get(c.sopInstanceUid());
                if (reference == c) {
                    out.add(new Decision(c, Outcome.ADD, null));
                    continue;
                }
                held = new Held(reference.sha256(), reference.sourceUri());
            }
            out.add(new Decision(c, held.sha256().equals(c.sha256()) ? Outcome.DUPLICATE : Outcome.CONFLICT, held));
        }
        return out;
    }
}
