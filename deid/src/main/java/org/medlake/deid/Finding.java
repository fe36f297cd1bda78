package org.medlake.deid;

import java.util.Objects;

/**
 * One problem the checker found in an instance. It never carries the identifying value itself: {@link #hint()} is a
 * redacted description (first character and length, or a pattern class).
 *
 * @param severity {@link Severity#FAIL} (identifying data present) or {@link Severity#REVIEW} (a human has to look)
 * @param tag the element tag as {@code (gggg,eeee)}; for a block of private elements {@code (gggg,xxxx)} style
 *     {@code (0019,10xx)}
 * @param keyword the DICOM keyword, or the private creator for private elements
 * @param location where it was found: {@code /} for the top-level dataset, otherwise the sequence path such as
 *     {@code /RequestAttributesSequence[1]/ReferencedStudySequence[2]}
 * @param rule medlake's rule id, stable across releases (e.g. {@code E1-1-X})
 * @param basis the PS3.15 Annex E text the rule rests on
 * @param reason why this is a problem and what to do about it
 * @param hint a redacted description of the offending value, never the value
 */
public record Finding(Severity severity, String tag, String keyword, String location, String rule, String basis,
        String reason, String hint) {

    /** How serious a finding is. */
    public enum Severity { FAIL, REVIEW }

    public Finding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(keyword, "keyword");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(hint, "hint");
    }
}
