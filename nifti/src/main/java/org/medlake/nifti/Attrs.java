package org.medlake.nifti;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;

/** Null-safe readers over PixelMed attribute lists. Getters return {@code null} (never throw) when absent or unparsable. */
final class Attrs {
    private Attrs() {}

    /** Resolves a standard keyword through PixelMed's dictionary data (for keywords this PixelMed lacks as constants). */
    static AttributeTag keyword(String keyword) {
        AttributeTag tag = Dictionary.tag(keyword);
        if (tag == null) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_INTERNAL, "PixelMed's dictionary does not know "
                    + "the keyword " + keyword + ". Cause: an older PixelMed on the class path. Fix: use the PixelMed "
                    + "version of the parent pom.");
        }
        return tag;
    }

    static String string(AttributeList list, AttributeTag tag) {
        if (list == null) {
            return null;
        }
        String s = Attribute.getSingleStringValueOrNull(list, tag);
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** All values, or {@code null}. */
    static String[] strings(AttributeList list, AttributeTag tag) {
        if (list == null) {
            return null;
        }
        String[] s = Attribute.getStringValues(list, tag);
        return s == null || s.length == 0 ? null : s;
    }

    static Integer integer(AttributeList list, AttributeTag tag) {
        Double d = decimal(list, tag);
        return d == null ? null : (int) Math.round(d);
    }

    static Double decimal(AttributeList list, AttributeTag tag) {
        double[] v = doubles(list, tag, 1);
        return v == null ? null : v[0];
    }

    /** Numeric values when there are at least {@code min} finite ones, else {@code null}. */
    static double[] doubles(AttributeList list, AttributeTag tag, int min) {
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
            for (double x : v) {
                if (!Double.isFinite(x)) {
                    return null;
                }
            }
            return v;
        } catch (Exception e) {
            return null;
        }
    }

    /** Item {@code i} of a sequence, or {@code null}. */
    static AttributeList item(AttributeList list, AttributeTag sequence, int i) {
        if (list == null) {
            return null;
        }
        Attribute a = list.get(sequence);
        if (!(a instanceof SequenceAttribute sq) || i >= sq.getNumberOfItems()) {
            return null;
        }
        SequenceItem item = sq.getItem(i);
        return item == null ? null : item.getAttributeList();
    }

    static int items(AttributeList list, AttributeTag sequence) {
        Attribute a = list == null ? null : list.get(sequence);
        return a instanceof SequenceAttribute sq ? sq.getNumberOfItems() : 0;
    }

    /**
     * The private element {@code (group, xxEE)} of the block reserved by {@code creator} (e.g. "SIEMENS CSA HEADER"),
     * found through the private creator element rather than by assuming the block number.
     */
    static Attribute privateElement(AttributeList list, int group, String creator, int element) {
        for (int block = 0x10; block <= 0xFF; block++) {
            String c = string(list, new AttributeTag(group, block));
            if (c != null && c.equalsIgnoreCase(creator)) {
                return list.get(new AttributeTag(group, (block << 8) | (element & 0xFF)));
            }
        }
        return null;
    }
}
