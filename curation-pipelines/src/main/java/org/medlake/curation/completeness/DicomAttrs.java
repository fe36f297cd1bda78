package org.medlake.curation.completeness;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import org.medlake.dicom.DicomValues;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;

/**
 * Curation's attribute helpers beyond {@link DicomValues}, shared by completeness and QA: keywords this PixelMed
 * lacks as constants, values joined with a backslash, and integers parsed from their text. Every getter returns
 * {@code null} (never throws) when the attribute is absent, empty or unparsable.
 */
public final class DicomAttrs {
    /** Keywords that this PixelMed build's {@code TagFromName} lacks, resolved from its dictionary by name. */
    public static final AttributeTag TEMPORAL_POSITION_IDENTIFIER = keyword("TemporalPositionIdentifier");
    public static final AttributeTag NUMBER_OF_TEMPORAL_POSITIONS = keyword("NumberOfTemporalPositions");
    public static final AttributeTag IMAGES_IN_ACQUISITION = keyword("ImagesInAcquisition");
    public static final AttributeTag EFFECTIVE_ECHO_TIME = keyword("EffectiveEchoTime");
    public static final AttributeTag IN_PLANE_PHASE_ENCODING_DIRECTION = keyword("InPlanePhaseEncodingDirection");
    public static final AttributeTag SCANNING_SEQUENCE = keyword("ScanningSequence");
    public static final AttributeTag SEQUENCE_NAME = keyword("SequenceName");
    public static final AttributeTag DIFFUSION_B_VALUE = keyword("DiffusionBValue");

    private DicomAttrs() {}

    /** Resolves a standard keyword through PixelMed's dictionary (never a hand-typed tag). */
    public static AttributeTag keyword(String keyword) {
        AttributeTag tag = DicomDictionary.StandardDictionary.getTagFromName(keyword);
        if (tag == null) {
            throw new CurationException(ErrorCode.CURATION_INTERNAL, "PixelMed's dictionary does not know the keyword "
                    + keyword + ". Cause: an older PixelMed on the class path. Fix: use the PixelMed version of the parent pom.");
        }
        return tag;
    }

    /** All values joined with a backslash, or {@code null}. */
    public static String strings(AttributeList list, AttributeTag tag) {
        if (list == null) {
            return null;
        }
        String s = Attribute.getDelimitedStringValuesOrNull(list, tag);
        return s == null || s.isBlank() ? null : s.trim();
    }

    public static Integer integer(AttributeList list, AttributeTag tag) {
        String s = DicomValues.string(list, tag);
        if (s == null) {
            return null;
        }
        try {
            return (int) Math.round(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
