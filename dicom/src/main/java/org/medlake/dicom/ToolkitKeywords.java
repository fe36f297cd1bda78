package org.medlake.dicom;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Tags by keyword for the keywords this PixelMed build's {@code TagFromName} lacks, from PixelMed's own data
 * dictionary ({@code com/pixelmed/dicom/elmdict.xml}). The answers are those of
 * {@link DicomDictionary#getTagFromName}; the difference is the cost: PixelMed's dictionary parses that file with a
 * full XML parser on first use (about 0.2 s of a fresh JVM, before the first header can be read), while this reads
 * its lines once. A keyword the line reading does not find is asked of PixelMed's dictionary.
 */
final class ToolkitKeywords {
    private static final String RESOURCE = "/com/pixelmed/dicom/elmdict.xml";
    private static final Map<String, AttributeTag> BY_KEYWORD = read();

    private ToolkitKeywords() {}

    /**
     * The tag of a DICOM keyword.
     *
     * @throws IllegalStateException if PixelMed's dictionary does not know the keyword
     */
    static AttributeTag tag(String keyword) {
        AttributeTag tag = BY_KEYWORD.get(keyword);
        if (tag == null) {
            tag = DicomDictionary.StandardDictionary.getTagFromName(keyword);
        }
        if (tag == null) {
            throw new IllegalStateException("PixelMed's dictionary does not know the keyword " + keyword);
        }
        return tag;
    }

    /** Every keyword with a plain group and element (repeating groups such as 60xx are left to PixelMed). */
    static Map<String, AttributeTag> all() {
        return Map.copyOf(BY_KEYWORD);
    }

    private static Map<String, AttributeTag> read() {
        Map<String, AttributeTag> out = new HashMap<>(8192);
        InputStream in = DicomDictionary.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            return out; // another PixelMed layout: every lookup goes to its dictionary
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while ((line = r.readLine()) != null) {
                int group = hex(line, "<Group>0x");
                int element = hex(line, "<Element>0x");
                String keyword = between(line, "<Keyword>", "</Keyword>");
                if (group >= 0 && element >= 0 && keyword != null && !keyword.isEmpty()) {
                    out.putIfAbsent(keyword, new AttributeTag(group, element));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read PixelMed's data dictionary " + RESOURCE, e);
        }
        return out;
    }

    /** The four hex digits after {@code marker}, or -1 (absent, or a repeating group such as 60xx). */
    private static int hex(String line, String marker) {
        int at = line.indexOf(marker);
        if (at < 0 || at + marker.length() + 4 > line.length()) {
            return -1;
        }
        int value = 0;
        for (int i = at + marker.length(), end = i + 4; i < end; i++) {
            int d = Character.digit(line.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            value = value * 16 + d;
        }
        return value;
    }

    private static String between(String line, String open, String close) {
        int a = line.indexOf(open);
        if (a < 0) {
            return null;
        }
        int b = line.indexOf(close, a + open.length());
        return b < 0 ? null : line.substring(a + open.length(), b);
    }
}
