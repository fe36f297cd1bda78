package org.medlake.deid;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The verdict on one instance: {@link Status#PASS} with no findings, {@link Status#REVIEW} when only review
 * findings exist, {@link Status#FAIL} when at least one finding fails. Immutable.
 */
public final class DeidReport {
    /** Overall verdict of one instance. */
    public enum Status { PASS, REVIEW, FAIL }

    private final String sopInstanceUid;
    private final List<Finding> findings;
    private final Set<DeidOption> declaredOptions;

    /**
     * @param sopInstanceUid the instance's SOPInstanceUID, or an empty string when it has none
     * @param findings the findings, in the order they were found
     * @param declaredOptions the options the instance declared in DeidentificationMethodCodeSequence
     */
    public DeidReport(String sopInstanceUid, List<Finding> findings, Set<DeidOption> declaredOptions) {
        this.sopInstanceUid = Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
        this.findings = List.copyOf(findings);
        this.declaredOptions = Set.copyOf(declaredOptions);
    }

    public String sopInstanceUid() {
        return sopInstanceUid;
    }

    /** Findings in discovery order (unmodifiable). */
    public List<Finding> findings() {
        return findings;
    }

    /** The CID 7050 options the instance declared (unmodifiable). */
    public Set<DeidOption> declaredOptions() {
        return declaredOptions;
    }

    /** FAIL if any finding fails, else REVIEW if any finding exists, else PASS. */
    public Status status() {
        if (findings.stream().anyMatch(f -> f.severity() == Finding.Severity.FAIL)) {
            return Status.FAIL;
        }
        return findings.isEmpty() ? Status.PASS : Status.REVIEW;
    }

    /** The distinct keywords of the findings, sorted, for summaries. */
    public Set<String> findingKeywords() {
        return findings.stream().map(Finding::keyword).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** Findings with this rule id. */
    public List<Finding> findingsWithRule(String rule) {
        return findings.stream().filter(f -> f.rule().equals(rule)).toList();
    }

    @Override
    public String toString() {
        return "DeidReport[" + status() + ", " + findings.size() + " finding(s), sop=" + sopInstanceUid + "]";
    }
}
