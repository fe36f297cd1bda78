package org.medlake.deid;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.TagFromName;
import org.medlake.deid.DeidProfile.Action;
import org.medlake.deid.DeidProfile.Kind;
import org.medlake.deid.DeidProfile.Rule;
import org.medlake.deid.Finding.Severity;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Verifies one DICOM instance against a {@link DeidProfile} (PS3.15 Annex E) and returns a {@link DeidReport}.
 * Pure: it reads the list and never changes it. Thread-safe.
 *
 * <p>What it checks, and the policy where Annex E leaves room for judgement:
 * <ul>
 *   <li><b>Declaration.</b> Options are read from DeidentificationMethodCodeSequence (DCM codes of CID 7050) and
 *   change the expected action of the attributes they cover (e.g. 113107 makes dates "C", 113108 keeps sex and age).
 *   An instance that declares nothing (PatientIdentityRemoved not YES, no 113100) is REVIEW at least, and every
 *   listed attribute with a value FAILs because its value must be presumed original.</li>
 *   <li><b>Attributes, at any depth.</b> Every listed attribute is checked wherever it occurs: top level and inside
 *   sequence items at any depth. "X" with a value FAILs. "Z"/"D" accept a dummy in a declared instance, except where
 *   a value is positively identifying: a person-shaped name, a date or time without a temporal option, a patient
 *   characteristic without 113108, or an identifier pattern found in it. UIDs ("U") are not judged: whether a UID
 *   was regenerated is not determinable from one instance.</li>
 *   <li><b>Descriptors</b> (X, or C under 113105): scanned as free text; a hit FAILs; a clean one without 113105
 *   declared is REVIEW, since Annex E would have removed or cleaned it.</li>
 *   <li><b>Free text</b> (LT/ST/UT anywhere, and other strings for the patient's own name words) is scanned for
 *   names, dates, IDs, phones, e-mail and street addresses.</li>
 *   <li><b>Private elements</b> FAIL unless 113111 is declared and the element is on the profile's safe-private
 *   list; unlisted elements with purely numeric VRs under 113111 are REVIEW (they cannot spell a name, but Annex E
 *   still asks for them to be known safe). Reported once per private block.</li>
 *   <li><b>Burned-in text.</b> BurnedInAnnotation YES FAILs: the header says identifying text is in the pixels and
 *   no header check can clear it. A missing BurnedInAnnotation on a modality prone to burned-in text
 *   (US, SC, XA, DX, CR, RF, ES, XC, OT, GM, SM, or a Secondary Capture SOP class) is REVIEW.</li>
 *   <li><b>PatientIdentityRemoved</b> YES together with any FAIL on identifying data (every FAIL except the private
 *   block rules) adds a FAIL on (0012,0062) itself.</li>
 * </ul>
 */
public final class DeidChecker {
    static final String E_1 = "PS3.15 E.1.1: a de-identifier shall set PatientIdentityRemoved (0012,0062) YES and "
            + "DeidentificationMethod (0012,0063) or DeidentificationMethodCodeSequence (0012,0064)";
    static final String E_1_1_PRIVATE = "PS3.15 E.1-1 Private attributes: X; E.3.10 Retain Safe Private Option (113111) "
            + "keeps only private attributes known to be safe";
    static final String E_3_1 = "PS3.15 E.3.1 Clean Pixel Data Option (113101); BurnedInAnnotation (0028,0301)";
    static final String E_3_6 = "PS3.15 E.3.6 Retain Longitudinal Temporal Information Modified Dates Option (113107): "
            + "LongitudinalTemporalInformationModified (0028,0303) shall be MODIFIED";
    static final String E_3_FREE_TEXT = "PS3.15 E.3.5 Clean Descriptors / E.3.4 Clean Structured Content: free text "
            + "shall not contain identifying information";

    private static final Set<String> BURNED_IN_PRONE = Set.of("US", "SC", "XA", "DX", "CR", "RF", "ES", "XC", "OT", "GM", "SM",
            "IVUS", "DOC");
    private static final Set<String> NUMERIC_VRS = Set.of("SS", "US", "SL", "UL", "FL", "FD", "DS", "IS", "SV", "UV", "AT");
    private static final Set<String> FREE_TEXT_VRS = Set.of("LT", "ST", "UT");
    private static final Set<String> SHORT_TEXT_VRS = Set.of("LO", "SH", "PN");
    private static final Set<String> DUMMY_NAMES = Set.of("ANON", "ANONYMOUS", "ANONYMIZED", "ANONYMISED", "REMOVED",
            "UNKNOWN", "DEIDENTIFIED", "DE-IDENTIFIED", "REDACTED", "NONE", "PATIENT", "NAME");
    private static final Pattern NAME_PART = Pattern.compile("[\\p{L}][\\p{L}'. -]*");
    // Attributes that carry the de-identification record itself; the checker reads them instead of judging them.
    private static final Set<AttributeTag> RECORD = Set.of(TagFromName.PatientIdentityRemoved,
            TagFromName.DeidentificationMethod, TagFromName.DeidentificationMethodCodeSequence,
            TagFromName.LongitudinalTemporalInformationModified, TagFromName.BurnedInAnnotation);

    private final DeidProfile profile;

    /** A checker for the built-in profile. */
    public DeidChecker() {
        this(DeidProfile.builtIn());
    }

    public DeidChecker(DeidProfile profile) {
        this.profile = Objects.requireNonNull(profile, "profile");
    }

    public DeidProfile profile() {
        return profile;
    }

    /** Checks one instance. Never throws for odd content; unreadable values are treated as text. */
    public DeidReport check(AttributeList list) {
        Objects.requireNonNull(list, "list");
        Set<DeidOption> options = declaredOptions(list);
        boolean pirYes = "YES".equalsIgnoreCase(str(list, TagFromName.PatientIdentityRemoved));
        boolean declared = pirYes || options.contains(DeidOption.BASIC_PROFILE);
        Run run = new Run(options, declared, nameTokens(str(list, TagFromName.PatientName)));

        walk(list, "/", run);
        reportPrivateBlocks(run);
        checkBurnedIn(list, run);
        checkDeclaration(list, options, pirYes, run);
        return new DeidReport(str(list, TagFromName.SOPInstanceUID), run.findings, options);
    }

    /** The CID 7050 options in DeidentificationMethodCodeSequence (DCM scheme), in any order. */
    public static Set<DeidOption> declaredOptions(AttributeList list) {
        Set<DeidOption> out = EnumSet.noneOf(DeidOption.class);
        Attribute a = list.get(TagFromName.DeidentificationMethodCodeSequence);
        if (a instanceof SequenceAttribute seq) {
            for (Iterator<SequenceItem> it = seq.iterator(); it.hasNext(); ) {
                AttributeList item = it.next().getAttributeList();
                String scheme = str(item, TagFromName.CodingSchemeDesignator);
                if (scheme.isEmpty() || "DCM".equalsIgnoreCase(scheme)) {
                    DeidOption.ofCode(str(item, TagFromName.CodeValue)).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /** State of one check. */
    private static final class Run {
        final Set<DeidOption> options;
        final boolean declared;
        final List<String> nameTokens;
        final List<Finding> findings = new ArrayList<>();
        final Map<String, PrivateBlock> privateBlocks = new LinkedHashMap<>();

        Run(Set<DeidOption> options, boolean declared, List<String> nameTokens) {
            this.options = options;
            this.declared = declared;
            this.nameTokens = nameTokens;
        }

        void add(Severity s, AttributeTag tag, String keyword, String location, String rule, String basis, String reason,
                String hint) {
            findings.add(new Finding(s, tagString(tag), keyword, location, rule, basis, reason, hint));
        }
    }

    /** Private elements of one block (group, creator) at one location. */
    private static final class PrivateBlock {
        final String location;
        final int group;
        final int block;
        final String creator;
        int unsafeNumeric;
        int unsafeOther;
        final Set<String> vrs = new java.util.TreeSet<>();

        PrivateBlock(String location, int group, int block, String creator) {
            this.location = location;
            this.group = group;
            this.block = block;
            this.creator = creator;
        }
    }

    private void walk(AttributeList list, String location, Run run) {
        for (Attribute a : list.values()) {
            AttributeTag tag = a.getTag();
            if (tag.isGroupLength() || tag.isFileMetaInformationGroup() || RECORD.contains(tag)
                    || tag.equals(TagFromName.PixelData)) {
                continue;
            }
            if (tag.isPrivate()) {
                notePrivate(list, a, location, run);
                continue;
            }
            Rule rule = profile.rule(tag).orElse(null);
            if (rule != null) {
                checkRule(rule, a, location, run);
            } else if (a instanceof SequenceAttribute seq) {
                descend(seq, keyword(tag), location, run);
            } else {
                scanUnlisted(a, location, run);
            }
        }
    }

    private void descend(SequenceAttribute seq, String keyword, String location, Run run) {
        int i = 1;
        for (Iterator<SequenceItem> it = seq.iterator(); it.hasNext(); i++) {
            AttributeList item = it.next().getAttributeList();
            if (item != null) {
                walk(item, location + (location.endsWith("/") ? "" : "/") + keyword + "[" + i + "]", run);
            }
        }
    }

    private void checkRule(Rule rule, Attribute a, String location, Run run) {
        if (a instanceof SequenceAttribute seq) {
            checkSequenceRule(rule, seq, location, run);
            return;
        }
        String value = joined(a);
        if (value.isBlank()) {
            return; // empty (Z) or harmless: nothing identifying is left
        }
        Action option = rule.optionAction(run.options);
        if (option == Action.K) {
            return;
        }
        if (option == Action.C) {
            if (isTextual(rule.kind())) {
                scanText(rule, a, value, location, run, FreeTextScanner.scan(value, run.nameTokens));
            }
            return;
        }
        Set<Action> basic = rule.basic();
        if (basic.contains(Action.U)) {
            return; // not determinable from one instance whether a UID was regenerated
        }
        if (rule.kind() == Kind.DESCRIPTOR) {
            List<FreeTextScanner.Match> hits = FreeTextScanner.scan(value, run.nameTokens);
            if (!hits.isEmpty()) {
                scanText(rule, a, value, location, run, hits);
            } else if (!basic.contains(Action.K)) {
                run.add(Severity.REVIEW, a.getTag(), rule.keyword(), location, "E1-1-DESCRIPTOR", rule.basis(),
                        "Descriptor retained without the Clean Descriptors Option (113105). The free-text scan found "
                                + "no identifier, but Annex E removes it unless it is cleaned. Fix: review the text, then "
                                + "remove it or declare 113105 after cleaning.", Redaction.hint(value));
            }
            return;
        }
        if (basic.equals(EnumSet.of(Action.X))) {
            run.add(Severity.FAIL, a.getTag(), rule.keyword(), location, "E1-1-X", rule.basis(),
                    "Present with a value; Annex E removes this attribute" + optionsNote(rule) + ". Fix: remove it.",
                    Redaction.hint(value));
            return;
        }
        // Z or D: a dummy value is allowed, so judge whether this value is a dummy.
        if (!run.declared) {
            run.add(Severity.FAIL, a.getTag(), rule.keyword(), location, "E1-1-UNDECLARED", rule.basis(),
                    "Present with a value, and the instance does not declare de-identification (PatientIdentityRemoved "
                            + "is not YES, no 113100), so the value is presumed original. Fix: de-identify the instance.",
                    Redaction.hint(value));
            return;
        }
        switch (rule.kind()) {
            case NAME -> {
                if (looksLikePersonName(value)) {
                    run.add(Severity.FAIL, a.getTag(), rule.keyword(), location, "E1-1-NAME", rule.basis(),
                            "Holds a value shaped like a real person name (two or more alphabetic name parts), not a "
                                    + "dummy. Fix: replace it with an empty value or a pseudonym.", Redaction.hint(value));
                }
            }
            case DATE, TIME, DATETIME -> run.add(Severity.FAIL, a.getTag(), rule.keyword(), location, "E1-1-DATE",
                    rule.basis(), "A " + rule.kind().name().toLowerCase(Locale.ROOT) + " is retained but neither 113106 "
                            + "(full dates) nor 113107 (modified dates) is declared. Fix: empty it, or shift dates and "
                            + "declare 113107.", Redaction.hint(value));
            case CHARACTERISTIC -> run.add(Severity.FAIL, a.getTag(), rule.keyword(), location, "E1-1-CHARACTERISTIC",
                    rule.basis(), "A patient characteristic is retained without the Retain Patient Characteristics "
                            + "Option (113108). Fix: empty it or declare 113108.", Redaction.hint(value));
            default -> {
                List<FreeTextScanner.Match> hits = FreeTextScanner.scan(value, run.nameTokens);
                hits.removeIf(m -> m.kind() == FreeTextScanner.Kind.ID); // dummies are often digit strings too
                if (!hits.isEmpty()) {
                    scanText(rule, a, value, location, run, hits);
                }
            }
        }
    }

    private void checkSequenceRule(Rule rule, SequenceAttribute seq, String location, Run run) {
        Action option = rule.optionAction(run.options);
        if (option == null && rule.basic().equals(EnumSet.of(Action.X)) && seq.getNumberOfItems() > 0) {
            run.add(Severity.FAIL, seq.getTag(), rule.keyword(), location, "E1-1-X", rule.basis(),
                    "Sequence present with " + seq.getNumberOfItems() + " item(s); Annex E removes it" + optionsNote(rule)
                            + ". Fix: remove the sequence.", seq.getNumberOfItems() + " item(s)");
            return;
        }
        descend(seq, rule.keyword(), location, run);
    }

    private void scanUnlisted(Attribute a, String location, Run run) {
        String vr = a.getVRAsString();
        List<FreeTextScanner.Match> hits;
        if (FREE_TEXT_VRS.contains(vr)) {
            hits = FreeTextScanner.scan(joined(a), run.nameTokens);
        } else if (SHORT_TEXT_VRS.contains(vr) && !run.nameTokens.isEmpty()) {
            hits = FreeTextScanner.scanShort(joined(a), run.nameTokens);
        } else if (SHORT_TEXT_VRS.contains(vr)) {
            hits = FreeTextScanner.scanShort(joined(a), List.of());
        } else {
            return;
        }
        String value = joined(a);
        for (FreeTextScanner.Match m : hits) {
            run.add(Severity.FAIL, a.getTag(), keyword(a.getTag()), location, "FT-" + m.kind(), E_3_FREE_TEXT,
                    "Free text contains " + article(m.kind()) + " pattern. Fix: remove or clean the text.",
                    Redaction.textHint(m, value));
        }
    }

    private static void scanText(Rule rule, Attribute a, String value, String location, Run run,
            List<FreeTextScanner.Match> hits) {
        for (FreeTextScanner.Match m : hits) {
            run.add(Severity.FAIL, a.getTag(), rule.keyword(), location, "FT-" + m.kind(), rule.basis() + "; " + E_3_FREE_TEXT,
                    "Text contains " + article(m.kind()) + " pattern. Fix: remove the attribute or clean the text.",
                    Redaction.textHint(m, value));
        }
    }

    private static String article(FreeTextScanner.Kind k) {
        return switch (k) {
            case NAME -> "a person-name";
            case DATE -> "a date";
            case ID -> "an identifier-like";
            case PHONE -> "a phone-number";
            case EMAIL -> "an e-mail";
            case ADDRESS -> "a street-address";
        };
    }

    private static String optionsNote(Rule rule) {
        if (rule.options().isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(", and none of the options that would keep it (");
        rule.options().keySet().forEach(o -> b.append(o.code()).append(' '));
        return b.toString().trim() + ") is declared";
    }

    private static boolean isTextual(Kind k) {
        return k != Kind.DATE && k != Kind.TIME && k != Kind.DATETIME && k != Kind.UID && k != Kind.SEQUENCE;
    }

    private void notePrivate(AttributeList list, Attribute a, String location, Run run) {
        AttributeTag tag = a.getTag();
        int element = tag.getElement();
        if (tag.isPrivateCreator() || element < 0x1000) {
            return; // creators label blocks; they are judged with their block
        }
        int block = element >> 8;
        String creator = str(list, new AttributeTag(tag.getGroup(), block));
        boolean safe = run.options.contains(DeidOption.RETAIN_SAFE_PRIVATE) && profile.isSafePrivate(creator, element & 0xFF);
        if (safe) {
            return;
        }
        String key = location + "|" + tag.getGroup() + "|" + block;
        PrivateBlock b = run.privateBlocks.computeIfAbsent(key,
                k -> new PrivateBlock(location, tag.getGroup(), block, creator.isEmpty() ? "(no private creator)" : creator));
        String vr = a.getVRAsString();
        b.vrs.add(vr);
        if (NUMERIC_VRS.contains(vr)) {
            b.unsafeNumeric++;
        } else {
            b.unsafeOther++;
        }
    }

    private void reportPrivateBlocks(Run run) {
        boolean safeOption = run.options.contains(DeidOption.RETAIN_SAFE_PRIVATE);
        for (PrivateBlock b : run.privateBlocks.values()) {
            String tag = String.format("(%04X,%02Xxx)", b.group, b.block);
            int n = b.unsafeNumeric + b.unsafeOther;
            String hint = n + " element(s), VRs " + String.join("/", b.vrs);
            if (!safeOption) {
                run.findings.add(new Finding(Severity.FAIL, tag, b.creator, b.location, "PRIV-REMOVE", E_1_1_PRIVATE,
                        n + " private element(s) retained and 113111 (Retain Safe Private) is not declared. Fix: remove "
                                + "private attributes, or keep only safe ones and declare 113111.", hint));
            } else if (b.unsafeOther > 0) {
                run.findings.add(new Finding(Severity.FAIL, tag, b.creator, b.location, "PRIV-UNLISTED", E_1_1_PRIVATE,
                        b.unsafeOther + " private text/binary element(s) retained that are not on the safe-private list of "
                                + "the profile. Fix: remove them, or add them to the safe list after review.", hint));
            } else {
                run.findings.add(new Finding(Severity.REVIEW, tag, b.creator, b.location, "PRIV-UNLISTED-NUMERIC",
                        E_1_1_PRIVATE, b.unsafeNumeric + " numeric private element(s) retained that are not on the "
                                + "safe-private list. Numbers cannot spell a name, but their safety is not established. "
                                + "Fix: review and extend the safe list, or remove them.", hint));
            }
        }
    }

    private static void checkBurnedIn(AttributeList list, Run run) {
        String bia = str(list, TagFromName.BurnedInAnnotation).toUpperCase(Locale.ROOT);
        String modality = str(list, TagFromName.Modality).toUpperCase(Locale.ROOT);
        String sopClass = str(list, TagFromName.SOPClassUID);
        boolean secondaryCapture = sopClass.startsWith("1.2.840.10008.5.1.4.1.1.7");
        if ("YES".equals(bia)) {
            run.add(Severity.FAIL, TagFromName.BurnedInAnnotation, "BurnedInAnnotation", "/", "BIA-YES", E_3_1,
                    "BurnedInAnnotation is YES: identifying text is in the pixel data, which a header check cannot "
                            + "clear. Fix: clean the pixels (113101), then set BurnedInAnnotation to NO.", "YES");
        } else if (bia.isEmpty() && (BURNED_IN_PRONE.contains(modality) || secondaryCapture)) {
            run.add(Severity.REVIEW, TagFromName.BurnedInAnnotation, "BurnedInAnnotation", "/", "BIA-MISSING", E_3_1,
                    "BurnedInAnnotation is absent and modality " + (modality.isEmpty() ? "(none)" : modality)
                            + (secondaryCapture ? " (Secondary Capture)" : "") + " often carries burned-in text. Fix: "
                            + "inspect the pixels and set BurnedInAnnotation.", "absent");
        }
    }

    private static void checkDeclaration(AttributeList list, Set<DeidOption> options, boolean pirYes, Run run) {
        if (pirYes) {
            // Identifying data only: unlisted private elements are unverified, not proven identifying.
            List<Finding> fails = run.findings.stream().filter(f -> f.severity() == Severity.FAIL)
                    .filter(f -> !f.rule().startsWith("PRIV-")).toList();
            if (!fails.isEmpty()) {
                Set<String> keywords = new LinkedHashSet<>();
                fails.forEach(f -> keywords.add(f.keyword()));
                run.add(Severity.FAIL, TagFromName.PatientIdentityRemoved, "PatientIdentityRemoved", "/", "PIR-LIE", E_1,
                        "PatientIdentityRemoved is YES but " + fails.size() + " failing finding(s) remain ("
                                + String.join(", ", keywords) + "). Fix: finish de-identification or set it to NO.", "YES");
            }
            if (str(list, TagFromName.DeidentificationMethod).isEmpty() && options.isEmpty()) {
                run.add(Severity.REVIEW, TagFromName.DeidentificationMethod, "DeidentificationMethod", "/", "METHOD-MISSING",
                        E_1, "PatientIdentityRemoved is YES but neither DeidentificationMethod nor its code sequence says "
                                + "how. Fix: record the method and the options used.", "absent");
            }
        } else if (options.contains(DeidOption.BASIC_PROFILE)) {
            run.add(Severity.REVIEW, TagFromName.PatientIdentityRemoved, "PatientIdentityRemoved", "/", "PIR-MISSING", E_1,
                    "113100 is declared but PatientIdentityRemoved is not YES. Fix: set PatientIdentityRemoved to YES.",
                    Redaction.hint(str(list, TagFromName.PatientIdentityRemoved)));
        } else {
            run.add(Severity.REVIEW, TagFromName.PatientIdentityRemoved, "PatientIdentityRemoved", "/", "NOT-DECLARED",
                    E_1, "The instance does not declare de-identification (no PatientIdentityRemoved YES, no 113100). "
                            + "Fix: de-identify it and record the method.", Redaction.hint(str(list, TagFromName.PatientIdentityRemoved)));
        }
        if (options.contains(DeidOption.RETAIN_MODIFIED_DATES)
                && !"MODIFIED".equalsIgnoreCase(str(list, TagFromName.LongitudinalTemporalInformationModified))) {
            run.add(Severity.REVIEW, TagFromName.LongitudinalTemporalInformationModified,
                    "LongitudinalTemporalInformationModified", "/", "DATES-NOT-MARKED", E_3_6,
                    "113107 is declared but LongitudinalTemporalInformationModified is not MODIFIED, so it is unclear "
                            + "whether the retained dates were shifted. Fix: set it to MODIFIED after shifting.",
                    Redaction.hint(str(list, TagFromName.LongitudinalTemporalInformationModified)));
        }
    }

    /**
     * Whether a PN value looks like a real person's name rather than a dummy: two or more alphabetic components
     * ({@code DOE^JANE}) or, in one component, two or more capitalised words ({@code Jane Doe}).
     */
    static boolean looksLikePersonName(String pn) {
        String v = pn.trim();
        if (v.isEmpty() || DUMMY_NAMES.contains(v.toUpperCase(Locale.ROOT).replace("^", ""))) {
            return false;
        }
        String first = v.split("=")[0]; // alphabetic representation only
        String[] parts = first.split("\\^");
        int alphabetic = 0;
        for (String p : parts) {
            String t = p.trim();
            if (t.length() >= 1 && NAME_PART.matcher(t).matches() && !DUMMY_NAMES.contains(t.toUpperCase(Locale.ROOT))) {
                alphabetic++;
            }
        }
        if (alphabetic >= 2) {
            return true;
        }
        return parts.length == 1 && first.trim().matches("\\p{Lu}[\\p{L}'-]+(\\s+\\p{Lu}[\\p{L}'.-]*)+");
    }

    /** Words of a person-shaped patient name, 3+ letters, to find in other text. Empty for dummies. */
    static List<String> nameTokens(String patientName) {
        if (!looksLikePersonName(patientName)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String w : patientName.split("[\\^=\\s]+")) {
            if (w.length() >= 3 && w.chars().allMatch(Character::isLetter)) {
                out.add(w);
            }
        }
        return out;
    }

    /** The tag as {@code (gggg,eeee)}, upper-case hex. */
    public static String tagString(AttributeTag tag) {
        return String.format("(%04X,%04X)", tag.getGroup(), tag.getElement());
    }

    static String keyword(AttributeTag tag) {
        String n = AttributeList.getDictionary().getNameFromTag(tag);
        return n == null ? tagString(tag) : n;
    }

    static String str(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).trim();
    }

    static String joined(Attribute a) {
        try {
            String[] v = a.getStringValues();
            return v == null ? "" : String.join("\\", v).trim();
        } catch (DicomException e) {
            return "";
        }
    }
}
