package org.medlake.curation.completeness;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.SequenceAttribute;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;

/**
 * Small null-safe readers over PixelMed {@link AttributeList}s, shared by completeness and QA.
 * Every getter returns {@code null} (never throws) when the attribute is absent, empty or unparsable.
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

    public static String string(AttributeList list, AttributeTag tag) {
        if (list == null) {
            return null;
        }
        String s = Attribute.getSingleStringValueOrNull(list, tag);
        return s == null || s.isBlank() ? null : s.trim();
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
        String s = string(list, tag);
        if (s == null) {
            return null;
        }
        try {
            return (int) Math.round(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public static Double decimal(AttributeList list, AttributeTag tag) {
        double[] v = doubles(list, tag, 1);
        return v == null ? null : v[0];
    }

    /** The attribute's numeric values when it has at least {@code min} finite values, else {@code null}. */
    public static double[] doubles(AttributeList list, AttributeTag tag, int min) {
        if (list == null) {
            return null;
        }
        Attribute a = list.get(tag);
        if (a == null || a.getVM() < min) {
            return null;
        }
        try {
            double[] v = a.getDoubleValues();
            if (v == null || v.length < min) {
                return null;
            }
            for (double d : v) {
                if (!Double.isFinite(d)) {
                    return null;
                }
            }
            return v;
        } catch (Exception e) {
            // A malformed DS value ("1.0.2") reads as absent: the caller reports the attribute as missing.
            return null;
        }
    }

    /** Item {@code index} of a sequence, or {@code null}. */
    public static AttributeList item(AttributeList list, AttributeTag sequence, int index) {
        if (list == null) {
            return null;
        }
        Attribute a = list.get(sequence);
        if (a instanceof SequenceAttribute sq && index < sq.getNumberOfItems()) {
            return sq.getItem(index).getAttributeList();
        }
        return null;
    }

    /** Number of items of a sequence, 0 when absent. */
    public static int items(AttributeList list, AttributeTag sequence) {
        Attribute a = list == null ? null : list.get(sequence);
        return a instanceof SequenceAttribute sq ? sq.getNumberOfItems() : 0;
    }
}
