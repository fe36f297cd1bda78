package org.medlake.nifti;

import org.medlake.dicom.DicomValues;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * A fast reader for the common case of the header pass: a Part 10 file in explicit or implicit VR little endian
 * (or an encapsulated syntax, which is explicit VR little endian) holding a classic single- or multi-frame image.
 * It fills a PixelMed {@link AttributeList} with what conversion reads (standard top-level elements, the Siemens
 * private groups 0x0019, 0x0029 and 0x0051 and GE's 0x0043; sequences skipped, except that an MRDiffusionSequence
 * hands the file to PixelMed) without PixelMed's per-element reflection and debug
 * strings, which cost more than the rest of a conversion. Returns {@code null} for anything else (enhanced
 * multi-frame, big endian, deflate, character sets other than Latin-1/ASCII/UTF-8, malformed or truncated input),
 * and the caller parses the file with PixelMed as usual.
 */
final class FastHeader {
    /** The parsed header and the offset just after the Pixel Data tag (as PixelMed leaves its stream), or -1. */
    record Parsed(AttributeList list, String transferSyntax, int afterPixelTag) {}

    private static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    private static final String IMPLICIT_LE = "1.2.840.10008.1.2";

    private final byte[] b;
    private final int end;
    private boolean explicit = true;
    private Charset charset = StandardCharsets.ISO_8859_1;

    private FastHeader(byte[] b, int end) {
        this.b = b;
        this.end = end;
    }

    /**
     * @param b the file's first bytes
     * @param fileSize the whole file's size (to tell a short header from a truncated prefix)
     */
    static Parsed parse(byte[] b, long fileSize) {
        if (b.length < 144 || b[128] != 'D' || b[129] != 'I' || b[130] != 'C' || b[131] != 'M') {
            return null;
        }
        try {
            return new FastHeader(b, b.length).run(fileSize);
        } catch (RuntimeException | com.pixelmed.dicom.DicomException e) {
            return null;
        }
    }

    private Parsed run(long fileSize) throws com.pixelmed.dicom.DicomException {
        AttributeList list = new AttributeList();
        int pos = 132;
        String ts = null;
        // File Meta: always explicit VR little endian
        while (pos + 8 <= end && u16(pos) == Tags.META_GROUP) {
            int next = element(list, pos, true);
            if (next < 0) {
                return null;
            }
            if (u16(pos + 2) == Tags.TRANSFER_SYNTAX_ELEMENT) {
                ts = DicomValues.string(list, TagFromName.TransferSyntaxUID);
            }
            pos = next;
        }
        if (ts == null) {
            return null;
        }
        if (ts.equals(IMPLICIT_LE)) {
            explicit = false;
        } else if (!ts.equals(EXPLICIT_LE) && !ts.startsWith("1.2.840.10008.1.2.4.") && !ts.equals(EncapsulatedPixels.RLE)) {
            return null;
        }
        while (true) {
            if (pos == end && fileSize == end) {
                return new Parsed(list, ts, -1); // no Pixel Data: not an image
            }
            if (pos + 8 > end) {
                return null;
            }
            int group = u16(pos), elem = u16(pos + 2);
            if (group == Tags.PIXEL_GROUP && elem == Tags.PIXEL_ELEMENT) {
                return new Parsed(list, ts, pos + 4);
            }
            if (group == Tags.FUNCTIONAL_GROUPS_GROUP || group == Tags.ITEM_GROUP) {
                return null; // functional groups (enhanced) or stray delimiters: PixelMed's job
            }
            int next = element(list, pos, explicit);
            if (next < 0) {
                return null;
            }
            pos = next;
        }
    }

    /** Reads one element at {@code pos} into the list when wanted; returns the next element's offset, -1 on trouble. */
    private int element(AttributeList list, int pos, boolean expl) throws com.pixelmed.dicom.DicomException {
        Header h = header(pos, expl);
        AttributeTag tag = h.tag();
        int group = tag.getGroup(), elem = tag.getElement();
        String vr = h.vr();
        long length = h.length();
        int value = h.value();
        if (tag.equals(TagFromName.MRDiffusionSequence)) {
            return -1; // MRDiffusionSequence in a classic image (b-value, gradient): PixelMed parses the nesting
        }
        if (length == 0xFFFFFFFFL) {
            if (!vr.equals("SQ") && !vr.equals("UN")) {
                return -1;
            }
            return skipUndefined(value);
        }
        long next = value + length;
        if (next > end) {
            return -1;
        }
        if (vr.equals("SQ") || !wanted(group, elem)) {
            return (int) next;
        }
        Attribute a = attribute(tag, vr, value, (int) length, group % 2 == 1);
        if (a != null) {
            list.put(a);
            if (group == Tags.CHARSET_GROUP && elem == Tags.CHARSET_ELEMENT) {
                charset(Attrs.strings(list, TagFromName.SpecificCharacterSet));
            }
        }
        return (int) next;
    }

    /** Skips an undefined-length sequence (or UN) starting at its first item; returns the offset after its delimiter. */
    private int skipUndefined(int pos) throws com.pixelmed.dicom.DicomException {
        while (pos + 8 <= end) {
            int group = u16(pos), elem = u16(pos + 2);
            long length = u32(pos + 4);
            if (group != Tags.ITEM_GROUP) {
                return -1;
            }
            if (elem == Tags.SEQUENCE_DELIMITER) {
                return pos + 8;
            }
            if (elem != Tags.ITEM) {
                return -1;
            }
            if (length != 0xFFFFFFFFL) {
                pos += 8 + (int) length;
                continue;
            }
            // item of undefined length: walk its elements (skipping all) up to the item delimiter
            pos += 8;
            while (true) {
                if (pos + 8 > end) {
                    return -1;
                }
                if (u16(pos) == Tags.ITEM_GROUP && u16(pos + 2) == Tags.ITEM_DELIMITER) {
                    pos += 8;
                    break;
                }
                pos = skipElement(pos);
                if (pos < 0) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private int skipElement(int pos) throws com.pixelmed.dicom.DicomException {
        Header h = header(pos, explicit);
        if (h.length() == 0xFFFFFFFFL) {
            return skipUndefined(h.value());
        }
        return h.value() + h.length() > end ? -1 : (int) (h.value() + h.length());
    }

    /** An element's tag, VR, value length and value offset. */
    private record Header(AttributeTag tag, String vr, long length, int value) {}

    /** Decodes the element header at {@code pos}, explicit or implicit VR little endian. */
    private Header header(int pos, boolean expl) {
        AttributeTag tag = new AttributeTag(u16(pos), u16(pos + 2));
        if (!expl) {
            return new Header(tag, implicitVr(tag), u32(pos + 4), pos + 8);
        }
        String vr = new String(b, pos + 4, 2, StandardCharsets.US_ASCII);
        return isLongVr(vr) ? new Header(tag, vr, u32(pos + 8), pos + 12) : new Header(tag, vr, u16(pos + 6), pos + 8);
    }

    /** Standard elements, Siemens' private groups (CSA header, mosaic count) and private creators. */
    private static boolean wanted(int group, int elem) {
        if (group % 2 == 0) {
            return group != Tags.ITEM_GROUP;
        }
        return group == Tags.SIEMENS_MR_GROUP || group == Tags.SIEMENS_CSA_GROUP || group == Tags.SIEMENS_MEDCOM_GROUP
                || group == Tags.GE_PARM_GROUP;
    }

    private static boolean isLongVr(String vr) {
        return switch (vr) {
            case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" -> true;
            default -> false;
        };
    }

    private static String implicitVr(AttributeTag tag) {
        if (tag.getGroup() % 2 == 1) {
            return tag.getElement() >= 0x10 && tag.getElement() <= 0xFF ? "LO" : "UN"; // private creators are LO
        }
        String vr = Dictionary.vr(tag);
        return vr == null ? "UN" : vr;
    }

    private void charset(String[] values) {
        String v = values == null || values.length == 0 ? "" : values[values.length - 1].trim();
        if (values != null && values.length > 1) {
            throw new IllegalStateException("code extensions");
        }
        switch (v) {
            case "", "ISO_IR 6", "ISO_IR 100" -> charset = StandardCharsets.ISO_8859_1;
            case "ISO_IR 192" -> charset = StandardCharsets.UTF_8;
            default -> throw new IllegalStateException("character set " + v + " left to PixelMed");
        }
    }

    private Attribute attribute(AttributeTag tag, String vr, int off, int len, boolean isPrivate)
            throws com.pixelmed.dicom.DicomException {
        switch (vr) {
            case "US", "SS" -> {
                Attribute a = vr.equals("US") ? new com.pixelmed.dicom.UnsignedShortAttribute(tag)
                        : new com.pixelmed.dicom.SignedShortAttribute(tag);
                for (int i = 0; i + 2 <= len; i += 2) {
                    a.addValue(vr.equals("US") ? u16(off + i) : (short) u16(off + i));
                }
                return a;
            }
            case "UL", "SL" -> {
                Attribute a = vr.equals("UL") ? new com.pixelmed.dicom.UnsignedLongAttribute(tag)
                        : new com.pixelmed.dicom.SignedLongAttribute(tag);
                for (int i = 0; i + 4 <= len; i += 4) {
                    a.addValue(vr.equals("UL") ? u32(off + i) : (long) (int) u32(off + i));
                }
                return a;
            }
            case "FL" -> {
                Attribute a = new com.pixelmed.dicom.FloatSingleAttribute(tag);
                for (int i = 0; i + 4 <= len; i += 4) {
                    a.addValue(Float.intBitsToFloat((int) u32(off + i)));
                }
                return a;
            }
            case "FD" -> {
                Attribute a = new com.pixelmed.dicom.FloatDoubleAttribute(tag);
                for (int i = 0; i + 8 <= len; i += 8) {
                    a.addValue(Double.longBitsToDouble(u32(off + i) | u32(off + i + 4) << 32));
                }
                return a;
            }
            case "OB", "UN", "OW", "OF", "OD", "OL", "OV" -> {
                if (!isPrivate) {
                    return null; // standard binary blobs (icons, overlays) are not used
                }
                com.pixelmed.dicom.OtherByteAttribute a = new com.pixelmed.dicom.OtherByteAttribute(tag);
                byte[] v = new byte[len];
                System.arraycopy(b, off, v, 0, len);
                a.setValues(v);
                return a;
            }
            case "AT", "SV", "UV" -> {
                return null;
            }
            default -> {
                Attribute a = stringAttribute(tag, vr);
                if (a == null) {
                    return null;
                }
                String s = new String(b, off, len, vr.equals("UI") ? StandardCharsets.US_ASCII : charset);
                int e = s.length();
                while (e > 0 && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == 0)) {
                    e--;
                }
                s = s.substring(0, e);
                if (s.isEmpty()) {
                    return a;
                }
                if (vr.equals("LT") || vr.equals("ST") || vr.equals("UT") || vr.equals("UR")) {
                    a.addValue(s);
                } else {
                    int from = 0;
                    for (int i = 0; i <= s.length(); i++) {
                        if (i == s.length() || s.charAt(i) == '\\') {
                            a.addValue(s.substring(from, i));
                            from = i + 1;
                        }
                    }
                }
                return a;
            }
        }
    }

    private static Attribute stringAttribute(AttributeTag t, String vr) {
        return switch (vr) {
            case "AE" -> new com.pixelmed.dicom.ApplicationEntityAttribute(t);
            case "AS" -> new com.pixelmed.dicom.AgeStringAttribute(t);
            case "CS" -> new com.pixelmed.dicom.CodeStringAttribute(t);
            case "DA" -> new com.pixelmed.dicom.DateAttribute(t);
            case "DS" -> new com.pixelmed.dicom.DecimalStringAttribute(t);
            case "DT" -> new com.pixelmed.dicom.DateTimeAttribute(t);
            case "IS" -> new com.pixelmed.dicom.IntegerStringAttribute(t);
            case "LO" -> new com.pixelmed.dicom.LongStringAttribute(t);
            case "LT" -> new com.pixelmed.dicom.LongTextAttribute(t);
            case "PN" -> new com.pixelmed.dicom.PersonNameAttribute(t);
            case "SH" -> new com.pixelmed.dicom.ShortStringAttribute(t);
            case "ST" -> new com.pixelmed.dicom.ShortTextAttribute(t);
            case "TM" -> new com.pixelmed.dicom.TimeAttribute(t);
            case "UI" -> new com.pixelmed.dicom.UniqueIdentifierAttribute(t);
            case "UT" -> new com.pixelmed.dicom.UnlimitedTextAttribute(t);
            case "UC" -> new com.pixelmed.dicom.UnlimitedCharactersAttribute(t);
            case "UR" -> new com.pixelmed.dicom.UniversalResourceAttribute(t);
            default -> null;
        };
    }

    private int u16(int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
    }

    private long u32(int p) {
        return ((long) (b[p] & 0xFF)) | (long) (b[p + 1] & 0xFF) << 8 | (long) (b[p + 2] & 0xFF) << 16
                | (long) (b[p + 3] & 0xFF) << 24;
    }
}
