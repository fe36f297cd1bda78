package org.medlake.nifti;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Siemens CSA image header (private element 0x10 of the "SIEMENS CSA HEADER" block in group 0x0029), parsed
 * into name → values. Only the "SV10" layout (syngo MR B13 and later) is understood; anything else, or a
 * malformed header, yields an empty header rather than an error, since every field is optional to the converter.
 */
final class CsaHeader {
    private static final CsaHeader EMPTY = new CsaHeader(Map.of());
    private final Map<String, List<String>> values;

    private CsaHeader(Map<String, List<String>> values) {
        this.values = values;
    }

    /** The CSA image header of an instance, or an empty header when there is none. */
    static CsaHeader imageHeader(AttributeList list) {
        Attribute a = Attrs.privateElement(list, Tags.SIEMENS_CSA_GROUP, "SIEMENS CSA HEADER", 0x10);
        if (a == null) {
            return EMPTY;
        }
        try {
            return parse(a.getByteValues());
        } catch (Exception e) {
            return EMPTY;
        }
    }

    /** Parses SV10 bytes; malformed input yields what was parsed before the damage. */
    static CsaHeader parse(byte[] bytes) {
        if (bytes == null || bytes.length < 16 || bytes[0] != 'S' || bytes[1] != 'V' || bytes[2] != '1' || bytes[3] != '0') {
            return EMPTY;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.position(8);
        int nTags = b.getInt();
        b.getInt();
        Map<String, List<String>> out = new HashMap<>();
        try {
            for (int t = 0; t < nTags && t < 1000; t++) {
                byte[] name = new byte[64];
                b.get(name);
                b.getInt(); // vm
                b.position(b.position() + 4); // vr
                b.getInt(); // syngo data type
                int nItems = b.getInt();
                b.getInt(); // 77 or 205
                List<String> vals = new ArrayList<>();
                for (int i = 0; i < nItems; i++) {
                    b.getInt();
                    int len = b.getInt();
                    b.getInt();
                    b.getInt();
                    if (len < 0 || len > b.remaining()) {
                        throw new IllegalStateException("bad item length");
                    }
                    byte[] v = new byte[len];
                    b.get(v);
                    b.position(b.position() + ((4 - len % 4) % 4));
                    String s = cString(v).trim();
                    if (!s.isEmpty()) {
                        vals.add(s);
                    }
                }
                out.put(cString(name), vals);
            }
        } catch (RuntimeException e) {
            // keep what was read: a damaged tail must not hide the fields before it
        }
        return new CsaHeader(out);
    }

    private static String cString(byte[] v) {
        int n = 0;
        while (n < v.length && v[n] != 0) {
            n++;
        }
        return new String(v, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** The non-empty values of a field, or an empty list. */
    List<String> get(String name) {
        return values.getOrDefault(name, List.of());
    }

    Double decimal(String name) {
        List<String> v = get(name);
        if (v.isEmpty()) {
            return null;
        }
        try {
            return Double.parseDouble(v.get(0));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** All values as numbers, or {@code null} when absent or unparsable. */
    double[] decimals(String name) {
        List<String> v = get(name);
        if (v.isEmpty()) {
            return null;
        }
        double[] d = new double[v.size()];
        try {
            for (int i = 0; i < d.length; i++) {
                d[i] = Double.parseDouble(v.get(i));
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return d;
    }

    boolean isEmpty() {
        return values.isEmpty();
    }
}
