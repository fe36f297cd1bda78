package org.medlake.nifti;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Keyword → tag and tag → VR from PixelMed's own data dictionary (its {@code elmdict.xml} resource), read with a
 * line scan instead of PixelMed's DOM parse: building {@link DicomDictionary} takes ~0.2 s, more than converting a
 * small series. Any keyword or tag not found this way is resolved by {@link DicomDictionary} itself, so results never
 * differ from PixelMed's (a test compares them).
 */
final class Dictionary {
    private static final Map<String, AttributeTag> TAGS = new HashMap<>(8192);
    private static final Map<AttributeTag, String> VRS = new HashMap<>(8192);

    static {
        try (InputStream in = DicomDictionary.class.getResourceAsStream("elmdict.xml")) {
            if (in != null) {
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
                String line;
                while ((line = r.readLine()) != null) {
                    String g = field(line, "Group"), e = field(line, "Element"), k = field(line, "Keyword");
                    if (g == null || e == null || k == null || !g.startsWith("0x") || !e.startsWith("0x")) {
                        continue;
                    }
                    // repeating groups and elements (0x60xx, 0x04x0) stand for their first instance, as in PixelMed
                    AttributeTag tag = new AttributeTag(Integer.parseInt(g.substring(2).replace('x', '0'), 16),
                            Integer.parseInt(e.substring(2).replace('x', '0'), 16));
                    TAGS.put(k, tag);
                    String vr = field(line, "VR");
                    if (vr != null && vr.length() == 2) {
                        VRS.put(tag, vr);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            TAGS.clear();
            VRS.clear();
        }
    }

    private Dictionary() {}

    private static String field(String line, String name) {
        int a = line.indexOf("<" + name + ">");
        if (a < 0) {
            return null;
        }
        a += name.length() + 2;
        int b = line.indexOf("</" + name + ">", a);
        return b < 0 ? null : line.substring(a, b).trim();
    }

    /** The tag of a standard keyword. */
    static AttributeTag tag(String keyword) {
        AttributeTag t = TAGS.get(keyword);
        return t != null ? t : DicomDictionary.StandardDictionary.getTagFromName(keyword);
    }

    /** The two-letter VR of a standard tag, or {@code null} when the dictionary does not know it. */
    static String vr(AttributeTag tag) {
        String v = VRS.get(tag);
        if (v != null) {
            return v;
        }
        byte[] b = DicomDictionary.StandardDictionary.getValueRepresentationFromTag(tag);
        return b == null || b.length != 2 ? null : new String(b, StandardCharsets.US_ASCII);
    }
}
