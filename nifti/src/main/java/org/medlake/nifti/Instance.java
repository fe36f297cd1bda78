package org.medlake.nifti;

import org.medlake.dicom.DicomValues;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The header of one DICOM file (everything before Pixel Data), read once for grouping and planning; the pixels
 * are read later by {@link PixelReader}. Immutable after construction.
 */
final class Instance {
    final Path path;
    final AttributeList header;
    final String seriesUid;
    final String sopUid;
    final int seriesNumber;
    final int instanceNumber;
    final int rows;
    final int columns;
    final int frames;
    final boolean hasPixels;
    final String transferSyntax;
    /** Byte offset of the native (uncompressed little-endian) pixel data in the file, or -1 (decode with PixelMed). */
    final long pixelOffset;
    /** Length in bytes of the native pixel data, when {@link #pixelOffset} is set. */
    final long pixelLength;
    /** Byte offset of the first item (Basic Offset Table) of encapsulated little-endian pixel data, or -1. */
    final long itemsOffset;
    private CsaHeader csa;

    private Instance(Path path, AttributeList header) {
        this(path, header, new long[] {-1, 0, -1});
    }

    private Instance(Path path, AttributeList header, long[] pixels) {
        this.pixelOffset = pixels[0];
        this.pixelLength = pixels[1];
        this.itemsOffset = pixels[2];
        this.path = path;
        this.header = header;
        this.seriesUid = DicomValues.string(header, TagFromName.SeriesInstanceUID);
        this.sopUid = DicomValues.string(header, TagFromName.SOPInstanceUID);
        Integer sn = Attrs.integer(header, TagFromName.SeriesNumber);
        this.seriesNumber = sn == null ? 0 : sn;
        Integer in = Attrs.integer(header, TagFromName.InstanceNumber);
        this.instanceNumber = in == null ? 0 : in;
        Integer r = Attrs.integer(header, TagFromName.Rows);
        Integer c = Attrs.integer(header, TagFromName.Columns);
        this.rows = r == null ? 0 : r;
        this.columns = c == null ? 0 : c;
        Integer nf = Attrs.integer(header, TagFromName.NumberOfFrames);
        this.frames = nf == null || nf < 1 ? 1 : nf;
        this.hasPixels = rows > 0 && columns > 0;
        this.transferSyntax = DicomValues.string(header, TagFromName.TransferSyntaxUID);
    }

    /**
     * Reads a file's header, stopping at Pixel Data.
     *
     * @throws NiftiException NIFTI_INPUT_NOT_FOUND, NIFTI_BAD_INPUT when it is not DICOM, NIFTI_IO on read errors
     */
    static Instance read(Path path) {
        try {
            // Most headers fit in the first 256 KiB: parse them from memory and note where the pixels start, so the
            // pixel pass can read native data straight from the file instead of parsing it again.
            byte[] prefix;
            long size;
            try (SeekableByteChannel ch = Files.newByteChannel(path)) {
                size = ch.size();
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size, PREFIX));
                while (buf.hasRemaining() && ch.read(buf) >= 0) {
                    // fill
                }
                prefix = buf.array();
            }
            if (!looksLikeDicom(prefix)) {
                throw new NiftiException(NiftiException.ErrorCode.NIFTI_BAD_INPUT, path + " is not DICOM: no 'DICM' "
                        + "marker at byte 128 and it does not start with a DICOM element. Cause: a different file type "
                        + "(NIfTI, text, PDF). Fix: none needed; it is skipped.");
            }
            FastHeader.Parsed fast = FastHeader.parse(prefix, size);
            if (fast != null) {
                long[] layout = fast.afterPixelTag() < 0 ? new long[] {-1, 0, -1}
                        : pixelLayout(prefix, fast.afterPixelTag(), new TransferSyntax(fast.transferSyntax()), size);
                return new Instance(path, fast.list(), layout);
            }
            ByteArrayInputStream bin = new ByteArrayInputStream(prefix);
            AttributeList list = new AttributeList();
            DicomInputStream din = new DicomInputStream(bin);
            try {
                list.read(din, TagFromName.PixelData);
            } catch (IOException | com.pixelmed.dicom.DicomException | RuntimeException e) {
                if (size <= PREFIX) {
                    throw e;
                }
                return readStream(path); // the header runs past the prefix
            }
            int consumed = prefix.length - bin.available();
            if (consumed >= prefix.length && size > PREFIX) {
                return readStream(path); // header longer than the prefix
            }
            TransferSyntax ts = din.getTransferSyntaxToReadDataSet();
            return new Instance(path, list, pixelLayout(prefix, consumed, ts, size));
        } catch (NoSuchFileException e) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_INPUT_NOT_FOUND, "Input file " + path
                    + " does not exist. Cause: a wrong path or a file removed during the run. Fix: check the path.", e);
        } catch (IOException | com.pixelmed.dicom.DicomException | RuntimeException e) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_BAD_INPUT, "Cannot parse " + path + " as DICOM: "
                    + e.getMessage() + ". Cause: not a DICOM file, or a corrupt one. Fix: remove it from the input or "
                    + "re-export it.", e);
        }
    }

    private static final int PREFIX = 256 * 1024;

    /**
     * A Part 10 file ("DICM" at 128), or a raw data set starting with a File Meta or identifying-group element in either byte
     * order. Checked before PixelMed so other files (NIfTI, PDF, text) are rejected without parsing them.
     */
    static boolean looksLikeDicom(byte[] b) {
        if (b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M') {
            return true;
        }
        if (b.length < 8) {
            return false;
        }
        int groupLe = (b[0] & 0xFF) | (b[1] & 0xFF) << 8;
        int groupBe = (b[1] & 0xFF) | (b[0] & 0xFF) << 8;
        return groupLe == Tags.META_GROUP || groupLe == Tags.IDENTIFYING_GROUP || groupBe == Tags.IDENTIFYING_GROUP;
    }

    private static Instance readStream(Path path) throws IOException, com.pixelmed.dicom.DicomException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            AttributeList list = new AttributeList();
            list.read(new DicomInputStream(in), TagFromName.PixelData);
            return new Instance(path, list);
        }
    }

    /**
     * Where the pixel data whose tag PixelMed has just read (it stops right after the tag) lies: {offset, length, -1}
     * of native little-endian data, {-1, 0, items offset} of encapsulated little-endian data, or {-1, 0, -1} for
     * anything else (big endian, deflated, truncated), which PixelMed then decodes.
     */
    private static long[] pixelLayout(byte[] b, int afterTag, TransferSyntax ts, long size) {
        long[] none = {-1, 0, -1};
        if (ts == null || !ts.isLittleEndian() || ts.isDeflated() || afterTag < 4) {
            return none;
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if ((bb.getShort(afterTag - 4) & 0xFFFF) != Tags.PIXEL_GROUP || (bb.getShort(afterTag - 2) & 0xFFFF) != Tags.PIXEL_ELEMENT) {
            return none;
        }
        if (ts.isEncapsulated()) {
            if (!ts.isExplicitVR() || afterTag + 8 > b.length || bb.getInt(afterTag + 4) != -1) {
                return none;
            }
            return new long[] {-1, 0, afterTag + 8L};
        }
        long offset;
        long length;
        if (ts.isExplicitVR()) {
            if (afterTag + 8 > b.length) {
                return none;
            }
            length = bb.getInt(afterTag + 4) & 0xFFFFFFFFL;
            offset = afterTag + 8L;
        } else {
            if (afterTag + 4 > b.length) {
                return none;
            }
            length = bb.getInt(afterTag) & 0xFFFFFFFFL;
            offset = afterTag + 4L;
        }
        if (length == 0xFFFFFFFFL || offset + length > size) {
            return none;
        }
        return new long[] {offset, length, -1};
    }

    /** Builds an instance over an already parsed header (tests). */
    static Instance of(Path path, AttributeList header) {
        return new Instance(path, header);
    }

    CsaHeader csa() {
        CsaHeader c = csa;
        if (c == null) {
            c = CsaHeader.imageHeader(header);
            csa = c;
        }
        return c;
    }

    boolean isEnhanced() {
        return DicomValues.items(header, TagFromName.PerFrameFunctionalGroupsSequence) > 0;
    }

    String manufacturer() {
        String m = DicomValues.string(header, TagFromName.Manufacturer);
        return m == null ? "" : m.toUpperCase(Locale.ROOT);
    }

    boolean isSiemens() {
        return manufacturer().contains("SIEMENS");
    }

    /** ImageType values, upper case; empty when absent. */
    String[] imageType() {
        String[] v = Attrs.strings(header, TagFromName.ImageType);
        if (v == null) {
            return new String[0];
        }
        String[] out = new String[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i].trim().toUpperCase(Locale.ROOT);
        }
        return out;
    }

    boolean isMosaic() {
        for (String t : imageType()) {
            if (t.equals("MOSAIC")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
