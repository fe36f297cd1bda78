package org.medlake.deid;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.TagFromName;
import org.medlake.deid.DeidException;
import org.medlake.deid.DeidException.ErrorCode;
import org.medlake.deid.DeidProfile.Action;
import org.medlake.deid.DeidProfile.Kind;
import org.medlake.deid.DeidProfile.Rule;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Applies a {@link DeidProfile} to an instance and checks the result with {@link DeidChecker}.
 *
 * <p>Declares 113100 with 113105 (descriptors kept only when the free-text scan finds nothing in them), 113107
 * (dates shifted per patient), 113108 (age, sex, size and weight kept: cohorts are built on them) and 113111 (only the
 * profile's safe private elements kept). Everything derived is
 * deterministic in the project secret, so separate runs and separate machines agree:
 * <ul>
 *   <li>PatientID and PatientName become the pseudonym {@code ML-} + 12 hex digits of HMAC-SHA256(secret, PatientID);
 *   <li>all dates of a patient move by the same number of days, 1..365 either way, from the same HMAC;
 *   <li>every UID the profile marks "U" becomes {@code 2.25.<128 bits of HMAC(secret, UID)>}, so references between
 *   instances stay consistent.
 * </ul>
 * Pixel data is not touched: burned-in text is left to the checker's BurnedInAnnotation rules, and an instance
 * with BurnedInAnnotation YES gets PatientIdentityRemoved NO (its header is clean, its pixels are not). Not thread-safe per
 * call on the same list; the instance itself holds only the key and is safe to share.
 */
public final class Deidentifier {
    /** Options this de-identifier declares. */
    public static final Set<DeidOption> DECLARED = Set.copyOf(EnumSet.of(DeidOption.BASIC_PROFILE,
            DeidOption.CLEAN_DESCRIPTORS, DeidOption.RETAIN_MODIFIED_DATES, DeidOption.RETAIN_SAFE_PRIVATE,
            DeidOption.RETAIN_PATIENT_CHARACTERISTICS));
    static final String DUMMY_NAME = "ANONYMIZED";
    static final String DUMMY_TEXT = "REMOVED";
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;

    /**
     * The outcome of one instance.
     *
     * @param pseudonym the PatientID/PatientName written
     * @param dateShiftDays the days added to every date
     * @param report the checker's verdict on the de-identified instance
     */
    public record Result(String pseudonym, int dateShiftDays, DeidReport report) {}

    private final DeidProfile profile;
    private final DeidChecker checker;
    private final SecretKeySpec key;

    /**
     * @param profile the rule set to apply
     * @param secret the project secret, at least 16 bytes; keep it out of the data: whoever holds it can link
     *     pseudonyms to patient IDs by trying candidates
     */
    public Deidentifier(DeidProfile profile, byte[] secret) {
        this.profile = Objects.requireNonNull(profile, "profile");
        if (secret == null || secret.length < 16) {
            throw new DeidException(ErrorCode.DEID_BAD_ARGUMENT, "The de-identification secret is "
                    + (secret == null ? "missing" : secret.length + " bytes") + "; pseudonyms from a short secret can be "
                    + "brute-forced. Fix: pass a secret of at least 16 random bytes.");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.checker = new DeidChecker(profile);
    }

    /** The stable pseudonym for a PatientID. */
    public String pseudonym(String patientId) {
        return "ML-" + HexFormat.of().withUpperCase().formatHex(hmac("pid|" + nz(patientId)), 0, 6);
    }

    /** The stable date shift, in days, for a PatientID: never 0, within +-365. */
    public int dateShiftDays(String patientId) {
        int v = ByteBuffer.wrap(hmac("shift|" + nz(patientId))).getInt();
        int days = Math.floorMod(v, 365) + 1;
        return (v & 0x8000_0000) != 0 ? -days : days;
    }

    /** The replacement for a UID: {@code 2.25.} and a decimal 128-bit number, at most 44 characters. */
    public String remapUid(String uid) {
        byte[] h = hmac("uid|" + uid.trim());
        return "2.25." + new BigInteger(1, java.util.Arrays.copyOf(h, 16));
    }

    /**
     * De-identifies {@code list} in place (file meta information included, if present) and checks the result.
     * Safe to call on a list already de-identified by this class with the same secret only for idempotent parts;
     * call it once per original instance.
     */
    public Result apply(AttributeList list) {
        String patientId = DeidChecker.str(list, TagFromName.PatientID);
        String pseudonym = pseudonym(patientId);
        int shift = dateShiftDays(patientId);
        Ctx ctx = new Ctx(pseudonym, shift, DeidChecker.nameTokens(DeidChecker.str(list, TagFromName.PatientName)));
        try {
            clean(list, ctx, true);
            // Header cleaning cannot remove text burned into the pixels; claiming YES then would be false.
            boolean burnedIn = "YES".equalsIgnoreCase(DeidChecker.str(list, TagFromName.BurnedInAnnotation));
            set(list, TagFromName.PatientIdentityRemoved, burnedIn ? "NO" : "YES");
            Attribute method = AttributeFactory.newAttribute(TagFromName.DeidentificationMethod);
            method.addValue("medlake " + profile.name() + " v" + profile.version());
            list.put(method);
            SequenceAttribute codes = new SequenceAttribute(TagFromName.DeidentificationMethodCodeSequence);
            for (DeidOption o : DeidOption.values()) {
                if (DECLARED.contains(o)) {
                    AttributeList item = new AttributeList();
                    set(item, TagFromName.CodeValue, o.code());
                    set(item, TagFromName.CodingSchemeDesignator, "DCM");
                    set(item, TagFromName.CodeMeaning, o.meaning());
                    codes.addItem(item);
                }
            }
            list.put(codes);
            set(list, TagFromName.LongitudinalTemporalInformationModified, "MODIFIED");
        } catch (DicomException e) {
            throw new DeidException(ErrorCode.DEID_INTERNAL, "De-identification could not rewrite an attribute: "
                    + e.getMessage() + ". Fix: report this with the instance's SOP class.", e);
        }
        return new Result(pseudonym, shift, checker.check(list));
    }

    private record Ctx(String pseudonym, int shift, List<String> nameTokens) {}

    private void clean(AttributeList list, Ctx ctx, boolean top) throws DicomException {
        for (Attribute a : new ArrayList<>(list.values())) {
            AttributeTag tag = a.getTag();
            if (tag.isPrivate()) {
                if (!tag.isPrivateCreator() && !keepPrivate(list, tag)) {
                    list.remove(tag);
                }
                continue;
            }
            if (top && (tag.equals(TagFromName.PatientID) || tag.equals(TagFromName.PatientName))) {
                replace(a, ctx.pseudonym());
                continue;
            }
            Rule rule = profile.rule(tag).orElse(null);
            if (rule == null) {
                if (a instanceof SequenceAttribute seq) {
                    cleanItems(seq, ctx);
                } else if (Set.of("LT", "ST", "UT").contains(a.getVRAsString())) {
                    if (!FreeTextScanner.scan(DeidChecker.joined(a), ctx.nameTokens()).isEmpty()) {
                        list.remove(tag);
                    }
                } else if (Set.of("LO", "SH", "PN").contains(a.getVRAsString())
                        && !FreeTextScanner.scanShort(DeidChecker.joined(a), ctx.nameTokens()).isEmpty()) {
                    list.remove(tag);
                }
                continue;
            }
            applyRule(list, a, rule, ctx);
        }
        dropEmptyPrivateCreators(list);
    }

    private void applyRule(AttributeList list, Attribute a, Rule rule, Ctx ctx) throws DicomException {
        Action option = rule.optionAction(DECLARED);
        if (option == Action.K) {
            return;
        }
        if (option == Action.C) {
            switch (rule.kind()) {
                case DATE, DATETIME -> shiftDates(list, a, ctx.shift());
                case TIME -> { } // times of day stay; the day moved
                default -> {
                    if (!FreeTextScanner.scan(DeidChecker.joined(a), ctx.nameTokens()).isEmpty()) {
                        list.remove(a.getTag());
                    }
                }
            }
            return;
        }
        Set<Action> basic = rule.basic();
        if (basic.contains(Action.U)) {
            String[] values = a.getStringValues();
            if (values != null && values.length > 0) {
                a.removeValues();
                for (String v : values) {
                    a.addValue(v.isBlank() ? v : remapUid(v));
                }
            }
        } else if (basic.contains(Action.X) || a instanceof SequenceAttribute) {
            list.remove(a.getTag());
        } else if (basic.contains(Action.Z)) {
            a.removeValues();
        } else {
            replace(a, rule.kind() == Kind.NAME ? DUMMY_NAME : DUMMY_TEXT);
        }
    }

    private void cleanItems(SequenceAttribute seq, Ctx ctx) throws DicomException {
        for (Iterator<SequenceItem> it = seq.iterator(); it.hasNext(); ) {
            AttributeList item = it.next().getAttributeList();
            if (item != null) {
                clean(item, ctx, false);
            }
        }
    }

    private boolean keepPrivate(AttributeList list, AttributeTag tag) {
        int element = tag.getElement();
        if (element < 0x1000) {
            return false;
        }
        String creator = DeidChecker.str(list, new AttributeTag(tag.getGroup(), element >> 8));
        return profile.isSafePrivate(creator, element & 0xFF);
    }

    private static void dropEmptyPrivateCreators(AttributeList list) {
        for (Attribute a : new ArrayList<>(list.values())) {
            AttributeTag t = a.getTag();
            if (t.isPrivateCreator()) {
                int block = t.getElement();
                boolean used = list.keySet().stream().anyMatch(k -> k.getGroup() == t.getGroup() && !k.isPrivateCreator()
                        && k.getElement() >= 0x1000 && (k.getElement() >> 8) == block);
                if (!used) {
                    list.remove(t);
                }
            }
        }
    }

    private static void shiftDates(AttributeList list, Attribute a, int days) throws DicomException {
        String[] values = a.getStringValues();
        if (values == null || values.length == 0) {
            return;
        }
        List<String> shifted = new ArrayList<>();
        for (String v : values) {
            String t = v.trim();
            if (t.length() < 8) {
                list.remove(a.getTag()); // not a full date: cannot shift, so do not keep
                return;
            }
            try {
                shifted.add(LocalDate.parse(t.substring(0, 8), DA).plusDays(days).format(DA) + t.substring(8));
            } catch (DateTimeParseException e) {
                list.remove(a.getTag());
                return;
            }
        }
        a.removeValues();
        for (String s : shifted) {
            a.addValue(s);
        }
    }

    private static void replace(Attribute a, String value) throws DicomException {
        a.removeValues();
        a.addValue(value);
    }

    private static void set(AttributeList list, AttributeTag tag, String value) throws DicomException {
        Attribute a = AttributeFactory.newAttribute(tag);
        a.addValue(value);
        list.put(a);
    }

    private byte[] hmac(String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new DeidException(ErrorCode.DEID_INTERNAL, "HmacSHA256 is unavailable: " + e
                    + ". Fix: run on a standard Java 17 runtime.", e);
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s.trim();
    }
}
