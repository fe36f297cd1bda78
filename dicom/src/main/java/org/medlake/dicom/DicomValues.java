package org.medlake.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;

/**
 * Null-safe reads of attribute values from PixelMed attribute lists. Each getter returns {@code null} (or 0 items)
 * when the list is null, or the attribute is absent, empty or unparsable; none throws.
 */
public final class DicomValues {
    private DicomValues() {}

    /** The first value, trimmed; {@code null} when absent or blank. */
    public static String string(AttributeList list, AttributeTag tag) {
        if (list == null) {
            return null;
        }
        String s = Attribute.getSingleStringValueOrNull(list, tag);
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The first numeric value, or {@code null}. */
    public static Double decimal(AttributeList list, AttributeTag tag) {
        double[] v = doubles(list, tag, 1);
        return v == null ? null : v[0];
    }

    /** The numeric values when there are at least {@code min} finite ones, else {@code null}. */
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
            for (double x : v) {
                if (!Double.isFinite(x)) {
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
        if (!(a instanceof SequenceAttribute sq) || index >= sq.getNumberOfItems()) {
            return null;
        }
        SequenceItem item = sq.getItem(index);
        return item == null ? null : item.getAttributeList();
    }

    /** Number of items of a sequence, 0 when absent. */
    public static int items(AttributeList list, AttributeTag sequence) {
        Attribute a = list == null ? null : list.get(sequence);
        return a instanceof SequenceAttribute sq ? sq.getNumberOfItems() : 0;
    }
}
