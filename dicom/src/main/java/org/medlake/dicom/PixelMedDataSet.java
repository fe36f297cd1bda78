package org.medlake.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.AttributeTagAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;

/** {@link DataSetView} over a PixelMed {@link AttributeList}: every accessor delegates to the attribute's own method. */
final class PixelMedDataSet implements DataSetView {
    private final AttributeList list;
    private Attribute[] ordered;

    private PixelMedDataSet(AttributeList list) {
        this.list = list;
    }

    static PixelMedDataSet of(AttributeList list) {
        return new PixelMedDataSet(list);
    }

    @Override
    public Element get(AttributeTag tag) {
        Attribute a = list.get(tag);
        return a == null ? null : new PixelMedElement(a);
    }

    @Override
    public int size() {
        return list.size();
    }

    @Override
    public Element at(int i) {
        if (ordered == null) {
            ordered = list.values().toArray(new Attribute[0]); // the TreeMap's ascending tag order
        }
        return new PixelMedElement(ordered[i]);
    }

    private record PixelMedElement(Attribute a) implements Element {
        @Override
        public int group() {
            return a.getTag().getGroup();
        }

        @Override
        public int element() {
            return a.getTag().getElement();
        }

        @Override
        public String vr() {
            return a.getVRAsString();
        }

        @Override
        public long vl() {
            return a.getVL();
        }

        @Override
        public String[] strings() throws DicomException {
            return a.getStringValues();
        }

        @Override
        public String singleStringOrNull() {
            return a.getSingleStringValueOrNull();
        }

        @Override
        public String delimitedStringsOrNull() {
            return a.getDelimitedStringValuesOrNull();
        }

        @Override
        public long[] longs() throws DicomException {
            return a.getLongValues();
        }

        @Override
        public double[] doubles() throws DicomException {
            return a.getDoubleValues();
        }

        @Override
        public byte[] bytes() throws DicomException {
            return a.getByteValues(false);
        }

        @Override
        public int[] tags() throws DicomException {
            AttributeTag[] t = ((AttributeTagAttribute) a).getAttributeTagValues();
            if (t == null) {
                return null;
            }
            int[] out = new int[t.length];
            for (int i = 0; i < t.length; i++) {
                out[i] = t[i].getGroup() << 16 | t[i].getElement();
            }
            return out;
        }

        @Override
        public int items() {
            return a instanceof SequenceAttribute sq ? sq.getNumberOfItems() : 0;
        }

        @Override
        public DataSetView item(int i) {
            return new PixelMedDataSet(((SequenceAttribute) a).getItem(i).getAttributeList());
        }
    }
}
