package org.medlake.curation.classify;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a DICOM header with PixelMed, stopping at the top-level Pixel Data (as {@code org.medlake.dicom.DicomReader}
 * does), and drops large binary blobs the classifier never reads (e.g. Siemens CSA headers, icon pixels) so that many
 * headers fit in memory. Not thread-safe per call; stateless otherwise.
 */
final class HeaderReader {
    /** Binary values larger than this are dropped after reading; vendor numbers we read are a few bytes. */
    private static final int MAX_BINARY_BYTES = 1024;

    private HeaderReader() {}

    /** Thrown when an entry is not a readable DICOM data set; the message says why. */
    static final class NotDicomException extends Exception {
        private static final long serialVersionUID = 1L;

        NotDicomException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static AttributeList read(InputStream raw) throws NotDicomException {
        BufferedInputStream in = new BufferedInputStream(raw, 64 * 1024);
        byte[] head;
        try {
            in.mark(256);
            head = in.readNBytes(132);
            in.reset();
        } catch (IOException e) {
            throw new NotDicomException("cannot read it (" + e.getMessage() + ")", e);
        }
        boolean part10 = head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        if (!part10 && !looksLikeRawDataSet(head)) {
            throw new NotDicomException(head.length == 0 ? "it is empty" : "it has no DICM marker and does not start "
                    + "with a DICOM data element", null);
        }
        AttributeList list = new AttributeList();
        try {
            list.read(new DicomInputStream(in), (l, tag, offset) -> l == list && tag.equals(TagFromName.PixelData));
        } catch (IOException | com.pixelmed.dicom.DicomException | RuntimeException e) {
            if (list.get(TagFromName.SeriesInstanceUID) == null) {
                throw new NotDicomException("PixelMed could not parse it (" + e.getMessage() + ")", e);
            }
            // A header that is complete up to the failure (e.g. truncated pixel data) still classifies.
        }
        if (list.get(TagFromName.SeriesInstanceUID) == null) {
            throw new NotDicomException("it has no SeriesInstanceUID (not an instance of a series, e.g. a DICOMDIR)", null);
        }
        prune(list);
        return list;
    }

    private static void prune(AttributeList list) {
        List<AttributeTag> drop = new ArrayList<>();
        for (Object o : list.values()) {
            Attribute a = (Attribute) o;
            if (a instanceof SequenceAttribute s) {
                for (int i = 0; i < s.getNumberOfItems(); i++) {
                    prune(s.getItem(i).getAttributeList());
                }
            } else if (a.getVL() > MAX_BINARY_BYTES && isBinary(a)) {
                drop.add(a.getTag());
            }
        }
        drop.forEach(list::remove);
    }

    private static boolean isBinary(Attribute a) {
        String vr = new String(a.getVR(), java.nio.charset.StandardCharsets.US_ASCII);
        return vr.equals("OB") || vr.equals("OW") || vr.equals("UN") || vr.equals("OF") || vr.equals("OD");
    }

    /** A data set without preamble normally starts with group 0002, 0004 or 0008 (either byte order). */
    private static boolean looksLikeRawDataSet(byte[] head) {
        if (head.length < 8) {
            return false;
        }
        int le = (head[0] & 0xff) | (head[1] & 0xff) << 8;
        int be = (head[0] & 0xff) << 8 | (head[1] & 0xff);
        return le == 0x0002 || le == 0x0004 || le == 0x0008 || be == 0x0002 || be == 0x0004 || be == 0x0008;
    }
}
