package org.medlake.dicom;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Hand-made little-endian DICOM encodings for tests that need shapes PixelMed does not write (defined-length
 * sequences and items, UN, private elements, encapsulated pixel data, implicit VR by hand). Tags are PixelMed
 * {@link AttributeTag}s; values are padded to even length as DICOM requires.
 */
final class DicomBytes {
    static final long UNDEFINED = 0xFFFFFFFFL;
    private static final String LONG_VRS = "OB OD OF OL OV OW SQ SV UC UN UR UT UV";

    private DicomBytes() {}

    /** One element; {@code vr} is ignored for implicit VR. */
    static byte[] element(boolean explicit, AttributeTag tag, String vr, byte[] value) {
        return header(explicit, tag, vr, value.length, value);
    }

    /** A string element, padded with a space (a NUL for UI). */
    static byte[] string(boolean explicit, AttributeTag tag, String vr, String value) {
        return string(explicit, tag, vr, value, StandardCharsets.US_ASCII);
    }

    static byte[] string(boolean explicit, AttributeTag tag, String vr, String value, Charset charset) {
        byte[] v = value.getBytes(charset);
        if (v.length % 2 != 0) {
            byte[] padded = new byte[v.length + 1];
            System.arraycopy(v, 0, padded, 0, v.length);
            padded[v.length] = (byte) (vr.equals("UI") ? 0 : ' ');
            v = padded;
        }
        return element(explicit, tag, vr, v);
    }

    /** US values. */
    static byte[] us(boolean explicit, AttributeTag tag, int... values) {
        byte[] v = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            v[2 * i] = (byte) values[i];
            v[2 * i + 1] = (byte) (values[i] >> 8);
        }
        return element(explicit, tag, "US", v);
    }

    /** A sequence of the given items (each the concatenated encoding of its elements). */
    static byte[] sequence(boolean explicit, AttributeTag tag, boolean definedLength, boolean definedItems, byte[]... items) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] item : items) {
            writeTag(body, TagFromName.Item);
            writeU32(body, definedItems ? item.length : UNDEFINED);
            body.writeBytes(item);
            if (!definedItems) {
                writeTag(body, TagFromName.ItemDelimitationItem);
                writeU32(body, 0);
            }
        }
        if (!definedLength) {
            writeTag(body, TagFromName.SequenceDelimitationItem);
            writeU32(body, 0);
        }
        byte[] b = body.toByteArray();
        return header(explicit, tag, "SQ", definedLength ? b.length : UNDEFINED, b);
    }

    /** Encapsulated Pixel Data: an empty offset table, the fragments, the delimiter. */
    static byte[] encapsulatedPixelData(byte[]... fragments) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeTag(body, TagFromName.Item);
        writeU32(body, 0);
        for (byte[] f : fragments) {
            writeTag(body, TagFromName.Item);
            writeU32(body, f.length);
            body.writeBytes(f);
        }
        writeTag(body, TagFromName.SequenceDelimitationItem);
        writeU32(body, 0);
        return header(true, TagFromName.PixelData, "OB", UNDEFINED, body.toByteArray());
    }

    /** Concatenation. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * A Part 10 file: preamble, {@code DICM}, File Meta Information (with its group length) for this transfer syntax
     * and instance, then the data set elements (which must be in ascending tag order and use its encoding).
     */
    static byte[] part10(String transferSyntax, String sopClass, String sopInstance, byte[]... dataSet) {
        byte[] meta = concat(
                element(true, TagFromName.FileMetaInformationVersion, "OB", new byte[] {0, 1}),
                string(true, TagFromName.MediaStorageSOPClassUID, "UI", sopClass),
                string(true, TagFromName.MediaStorageSOPInstanceUID, "UI", sopInstance),
                string(true, TagFromName.TransferSyntaxUID, "UI", transferSyntax));
        byte[] groupLength = {(byte) meta.length, (byte) (meta.length >> 8), (byte) (meta.length >> 16),
                (byte) (meta.length >> 24)};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(element(true, TagFromName.FileMetaInformationGroupLength, "UL", groupLength));
        out.writeBytes(meta);
        for (byte[] e : dataSet) {
            out.writeBytes(e);
        }
        return out.toByteArray();
    }

    private static byte[] header(boolean explicit, AttributeTag tag, String vr, long length, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeTag(out, tag);
        if (!explicit) {
            writeU32(out, length);
        } else if (LONG_VRS.contains(vr)) {
            out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
            out.write(0);
            out.write(0);
            writeU32(out, length);
        } else {
            out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
            out.write((int) length);
            out.write((int) (length >> 8));
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static void writeTag(ByteArrayOutputStream out, AttributeTag tag) {
        out.write(tag.getGroup());
        out.write(tag.getGroup() >> 8);
        out.write(tag.getElement());
        out.write(tag.getElement() >> 8);
    }

    private static void writeU32(ByteArrayOutputStream out, long v) {
        out.write((int) v);
        out.write((int) (v >> 8));
        out.write((int) (v >> 16));
        out.write((int) (v >> 24));
    }
}
