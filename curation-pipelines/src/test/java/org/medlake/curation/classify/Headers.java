package org.medlake.curation.classify;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds synthetic instance headers of one series with PixelMed, attribute by attribute, for tests. Every instance
 * gets the common attributes; {@link #slices(int)} x {@link #repeats(int)} instances are made, each with its own
 * ImagePositionPatient (one per slice) and TemporalPositionIdentifier (one per repeat) unless told otherwise.
 */
final class Headers {
    /** Per-instance customisation: slice index, repeat index (0-based), the instance's list. */
    interface PerInstance {
        void apply(int slice, int repeat, AttributeList l) throws DicomException;
    }

    private final Map<AttributeTag, String[]> common = new LinkedHashMap<>();
    private final List<PerInstance> perInstance = new ArrayList<>();
    private final String seriesUid;
    private int slices = 1;
    private int repeats = 1;
    private boolean temporal = false;

    private Headers(String modality, String seriesUid) {
        this.seriesUid = seriesUid;
        set(TagFromName.Modality, modality);
        set(TagFromName.SeriesInstanceUID, seriesUid);
        set(TagFromName.StudyInstanceUID, seriesUid + ".0");
        set(TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "1", "0");
        set(TagFromName.Rows, "64");
        set(TagFromName.Columns, "64");
    }

    static Headers series(String modality) {
        return new Headers(modality, "1.2.826.0.1.3680043.10.543." + Math.abs(System.nanoTime() % 1_000_000_000L));
    }

    Headers set(AttributeTag tag, String... values) {
        common.put(tag, values);
        return this;
    }

    Headers slices(int n) {
        slices = n;
        return this;
    }

    /** Repeated measurements of every slice (time points); adds TemporalPositionIdentifier when {@code temporal}. */
    Headers repeats(int n, boolean temporal) {
        repeats = n;
        this.temporal = temporal;
        return this;
    }

    Headers each(PerInstance p) {
        perInstance.add(p);
        return this;
    }

    String seriesUid() {
        return seriesUid;
    }

    List<AttributeList> build() {
        List<AttributeList> out = new ArrayList<>();
        int instance = 0;
        try {
            for (int r = 0; r < repeats; r++) {
                for (int s = 0; s < slices; s++) {
                    instance++;
                    AttributeList l = new AttributeList();
                    for (Map.Entry<AttributeTag, String[]> e : common.entrySet()) {
                        put(l, e.getKey(), e.getValue());
                    }
                    put(l, TagFromName.SOPInstanceUID, seriesUid + "." + instance);
                    put(l, TagFromName.InstanceNumber, Integer.toString(instance));
                    put(l, TagFromName.ImagePositionPatient, "0", "0", String.format(Locale.ROOT, "%.1f", s * 4.0));
                    if (temporal) {
                        put(l, Tags.TEMPORAL_POSITION_IDENTIFIER, Integer.toString(r + 1));
                    }
                    for (PerInstance p : perInstance) {
                        p.apply(s, r, l);
                    }
                    out.add(l);
                }
            }
        } catch (DicomException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    static void put(AttributeList l, AttributeTag tag, String... values) throws DicomException {
        l.remove(tag);
        Attribute a = l.putNewAttribute(tag);
        for (String v : values) {
            a.addValue(v);
        }
    }

    /** Puts a private element with its creator in block 0x10 (VR given explicitly, as an explicit-VR file would). */
    static void putPrivate(AttributeList l, Tags.PrivateTag p, byte[] vr, String value) throws DicomException {
        Attribute creator = new com.pixelmed.dicom.LongStringAttribute(p.creatorTag(0x10));
        creator.addValue(p.creator());
        l.put(creator);
        Attribute a = switch (new String(vr, java.nio.charset.StandardCharsets.US_ASCII)) {
            case "IS" -> new com.pixelmed.dicom.IntegerStringAttribute(p.tag(0x10));
            case "FL" -> new com.pixelmed.dicom.FloatSingleAttribute(p.tag(0x10));
            default -> new com.pixelmed.dicom.CodeStringAttribute(p.tag(0x10));
        };
        a.addValue(value);
        l.put(a);
    }

    /** A sequence with one item holding the given attributes. */
    static SequenceAttribute sequenceOf(AttributeTag tag, AttributeList item) {
        SequenceAttribute s = new SequenceAttribute(tag);
        s.addItem(item);
        return s;
    }

    static AttributeList item(Object... tagValuePairs) throws DicomException {
        AttributeList l = new AttributeList();
        for (int i = 0; i < tagValuePairs.length; i += 2) {
            Object v = tagValuePairs[i + 1];
            if (v instanceof Attribute a) {
                l.put(a);
            } else {
                put(l, (AttributeTag) tagValuePairs[i], ((String) v).split("\\\\"));
            }
        }
        return l;
    }
}
