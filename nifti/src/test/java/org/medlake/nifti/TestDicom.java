package org.medlake.nifti;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UIDGenerator;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.IntBinaryOperator;

/**
 * Writes small synthetic DICOM files with PixelMed for the unit tests: classic MR/CT slices with chosen geometry,
 * pixel encoding and keys, and an enhanced MR multi-frame instance. Every file is explicit VR little endian.
 */
public final class TestDicom {
    private static final UIDGenerator UIDS = new UIDGenerator();

    private TestDicom() {}

    public static String uid() {
        try {
            return UIDS.getAnotherNewUID();
        } catch (com.pixelmed.dicom.DicomException e) {
            throw new IllegalStateException(e);
        }
    }

    static AttributeTag kw(String keyword) {
        return DicomDictionary.StandardDictionary.getTagFromName(keyword);
    }

    static void put(AttributeList l, AttributeTag tag, String... values) throws com.pixelmed.dicom.DicomException {
        Attribute a = l.putNewAttribute(tag);
        for (String v : values) {
            a.addValue(v);
        }
    }

    static String ds(double v) {
        String s = String.format(Locale.ROOT, "%.6f", v);
        return s.length() > 16 ? s.substring(0, 16) : s;
    }

    /** One classic slice. {@code pixel} gives the stored 16-bit value at (row, column). */
    public static final class Slice {
        String seriesUid = uid();
        int seriesNumber = 3;
        String description = "synthetic";
        int instanceNumber = 1;
        int rows = 4;
        int columns = 5;
        double[] iop = {1, 0, 0, 0, 1, 0};
        double[] ipp = {0, 0, 0};
        /** {between rows, between columns} as PixelSpacing orders them. */
        double[] spacing = {0.5, 0.8};
        double thickness = 2;
        int bitsStored = 16;
        boolean signed = false;
        Double slope;
        Double intercept;
        Integer echo;
        Integer temporalPosition;
        Double bValue;
        double[] gradient;
        String modality = "MR";
        String acquisitionType;
        IntBinaryOperator pixel = (r, c) -> r * 10 + c;

        AttributeList list() throws com.pixelmed.dicom.DicomException {
            AttributeList l = new AttributeList();
            put(l, TagFromName.SOPClassUID, modality.equals("CT") ? SOPClass.CTImageStorage : SOPClass.MRImageStorage);
            put(l, TagFromName.SOPInstanceUID, uid());
            put(l, TagFromName.StudyInstanceUID, "1.2.3.4");
            put(l, TagFromName.SeriesInstanceUID, seriesUid);
            put(l, TagFromName.Modality, modality);
            put(l, TagFromName.Manufacturer, "ACME");
            put(l, TagFromName.SeriesDescription, description);
            put(l, TagFromName.SeriesNumber, Integer.toString(seriesNumber));
            put(l, TagFromName.InstanceNumber, Integer.toString(instanceNumber));
            put(l, TagFromName.AcquisitionTime, "101500.250");
            put(l, TagFromName.RepetitionTime, "2000");
            put(l, TagFromName.EchoTime, "30");
            put(l, TagFromName.ImageType, "ORIGINAL", "PRIMARY", "M", "ND");
            put(l, TagFromName.ImageOrientationPatient, ds(iop[0]), ds(iop[1]), ds(iop[2]), ds(iop[3]), ds(iop[4]), ds(iop[5]));
            put(l, TagFromName.ImagePositionPatient, ds(ipp[0]), ds(ipp[1]), ds(ipp[2]));
            put(l, TagFromName.PixelSpacing, ds(spacing[0]), ds(spacing[1]));
            put(l, TagFromName.SliceThickness, ds(thickness));
            put(l, TagFromName.SamplesPerPixel, "1");
            put(l, TagFromName.PhotometricInterpretation, "MONOCHROME2");
            put(l, TagFromName.Rows, Integer.toString(rows));
            put(l, TagFromName.Columns, Integer.toString(columns));
            put(l, TagFromName.BitsAllocated, "16");
            put(l, TagFromName.BitsStored, Integer.toString(bitsStored));
            put(l, TagFromName.HighBit, Integer.toString(bitsStored - 1));
            put(l, TagFromName.PixelRepresentation, signed ? "1" : "0");
            if (slope != null) {
                put(l, TagFromName.RescaleSlope, ds(slope));
                put(l, TagFromName.RescaleIntercept, ds(intercept == null ? 0 : intercept));
            }
            if (acquisitionType != null) {
                put(l, kw("MRAcquisitionType"), acquisitionType);
            }
            if (echo != null) {
                put(l, TagFromName.EchoNumbers, echo.toString());
            }
            if (temporalPosition != null) {
                put(l, kw("TemporalPositionIdentifier"), temporalPosition.toString());
            }
            if (bValue != null) {
                put(l, kw("DiffusionBValue"), ds(bValue));
            }
            if (gradient != null) {
                put(l, kw("DiffusionGradientOrientation"), ds(gradient[0]), ds(gradient[1]), ds(gradient[2]));
            }
            short[] px = new short[rows * columns];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < columns; c++) {
                    px[r * columns + c] = (short) pixel.applyAsInt(r, c);
                }
            }
            OtherWordAttribute pd = new OtherWordAttribute(TagFromName.PixelData);
            pd.setValues(px);
            l.put(pd);
            return l;
        }

        Path write(Path file) throws Exception {
            AttributeList l = list();
            FileMetaInformation.addFileMetaInformation(l, TransferSyntax.ExplicitVRLittleEndian, "MEDLAKE");
            l.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
            return file;
        }
    }

    /** Wraps attribute lists as a one-item sequence attribute. */
    static SequenceAttribute seq(AttributeTag tag, AttributeList... items) {
        SequenceAttribute s = new SequenceAttribute(tag);
        for (AttributeList i : items) {
            s.addItem(i);
        }
        return s;
    }
}
