package org.medlake.dicom;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;

/**
 * The read-only view of one data set (or sequence item) that {@link HeaderExtraction} and {@link DicomJson} work on,
 * so one implementation of each serves both parsers: {@link PixelMedDataSet} over a PixelMed {@code AttributeList}
 * and {@link FastHeaderParser}'s own lightweight model over the file's bytes. Every value accessor has the contract
 * of the PixelMed {@code Attribute} method it is named after, including its quirks and the {@link DicomException} it
 * throws for a value of the wrong type, so both implementations give identical results. One exception:
 * {@link Element#longs()}, {@link Element#doubles()}, {@link Element#bytes()} and {@link Element#tags()} need only
 * serve the VRs whose native values they are (as {@link DicomJson} uses them); for other VRs an implementation may
 * throw {@link DicomException} where PixelMed would convert. Views are read-only and need not outlive the parse that
 * made them.
 */
interface DataSetView {
    /** The element with this tag at this level, or {@code null}. */
    Element get(AttributeTag tag);

    /** Number of elements at this level. */
    int size();

    /** Element {@code i} in ascending tag order (group, then element, both unsigned). */
    Element at(int i);

    /** One data element. */
    interface Element {
        int group();

        int element();

        /** The two-letter VR as PixelMed reports it ({@code Attribute.getVRAsString()}). */
        String vr();

        /** The value length ({@code Attribute.getVL()}). */
        long vl();

        /** {@code Attribute.getStringValues()}: values with PixelMed's padding rules, or {@code null} when empty. */
        String[] strings() throws DicomException;

        /** {@code Attribute.getSingleStringValueOrNull()}: never throws. */
        String singleStringOrNull();

        /** {@code Attribute.getDelimitedStringValuesOrNull()}: never throws. */
        String delimitedStringsOrNull();

        /** {@code Attribute.getLongValues()}. */
        long[] longs() throws DicomException;

        /** {@code Attribute.getDoubleValues()}. */
        double[] doubles() throws DicomException;

        /** {@code Attribute.getByteValues(false)}: the value as little-endian bytes. */
        byte[] bytes() throws DicomException;

        /** AT values as {@code group << 16 | element}, or {@code null} when empty; only for VR AT. */
        int[] tags() throws DicomException;

        /** Number of items of a sequence (0 for anything else). */
        int items();

        /** Item {@code i} of a sequence. */
        DataSetView item(int i);
    }
}
