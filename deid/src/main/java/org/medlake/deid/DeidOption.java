package org.medlake.deid;

import java.util.Arrays;
import java.util.Optional;

/**
 * The de-identification options of DICOM PS3.16 CID 7050 (coding scheme DCM), as they appear in
 * DeidentificationMethodCodeSequence (0012,0064). {@link #code()} is the CodeValue, {@link #meaning()} the
 * CodeMeaning.
 */
public enum DeidOption {
    BASIC_PROFILE("113100", "Basic Application Confidentiality Profile"),
    CLEAN_PIXEL_DATA("113101", "Clean Pixel Data Option"),
    CLEAN_RECOGNIZABLE_VISUAL_FEATURES("113102", "Clean Recognizable Visual Features Option"),
    CLEAN_GRAPHICS("113103", "Clean Graphics Option"),
    CLEAN_STRUCTURED_CONTENT("113104", "Clean Structured Content Option"),
    CLEAN_DESCRIPTORS("113105", "Clean Descriptors Option"),
    RETAIN_FULL_DATES("113106", "Retain Longitudinal Temporal Information Full Dates Option"),
    RETAIN_MODIFIED_DATES("113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
    RETAIN_PATIENT_CHARACTERISTICS("113108", "Retain Patient Characteristics Option"),
    RETAIN_DEVICE_IDENTITY("113109", "Retain Device Identity Option"),
    RETAIN_UIDS("113110", "Retain UIDs Option"),
    RETAIN_SAFE_PRIVATE("113111", "Retain Safe Private Option"),
    RETAIN_INSTITUTION_IDENTITY("113112", "Retain Institution Identity Option");

    private final String code;
    private final String meaning;

    DeidOption(String code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** The DCM code value, e.g. {@code 113107}. */
    public String code() {
        return code;
    }

    /** The code meaning as PS3.16 spells it. */
    public String meaning() {
        return meaning;
    }

    /** The option with this DCM code value, if it is one of CID 7050. */
    public static Optional<DeidOption> ofCode(String code) {
        return Arrays.stream(values()).filter(o -> o.code.equals(code)).findFirst();
    }
}
