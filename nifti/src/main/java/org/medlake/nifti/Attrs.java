package org.medlake.nifti;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import org.medlake.dicom.DicomValues;

/**
 * The NIfTI module's attribute helpers beyond {@link DicomValues}: keywords through its own dictionary data (fast start-up),
 * all values as an array, integers and Siemens/GE private elements. Getters return {@code null} when absent.
 */
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

    /** All values, or {@code null}. */
    static String[] strings(AttributeList list, AttributeTag tag) {
        if (list == null) {
            return null;
        }
        String[] s = Attribute.getStringValues(list, tag);
        return s == null || s.length == 0 ? null : s;
    }

    static Integer integer(AttributeList list, AttributeTag tag) {
        Double d = DicomValues.decimal(list, tag);
        return d == null ? null : (int) Math.round(d);
    }

    /**
     * The private element {@code (group, xxEE)} of the block reserved by {@code creator} (e.g. "SIEMENS CSA HEADER"),
     * found through the private creator element rather than by assuming the block number.
     */
    static Attribute privateElement(AttributeList list, int group, String creator, int element) {
        for (int block = 0x10; block <= 0xFF; block++) {
            String c = DicomValues.string(list, new AttributeTag(group, block));
            if (c != null && c.equalsIgnoreCase(creator)) {
                return list.get(new AttributeTag(group, (block << 8) | (element & 0xFF)));
            }
        }
        return null;
    }
}
