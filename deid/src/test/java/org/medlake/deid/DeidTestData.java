package org.medlake.deid;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UIDGenerator;

import java.io.File;
import java.io.UncheckedIOException;
import java.util.List;

/** Builds small AttributeLists for the de-id tests, with identifiers planted exactly where a test wants them. */
public final class DeidTestData {
    private DeidTestData() {}

    /**
     * A de-identified-looking MR instance: PatientIdentityRemoved YES, 113100 plus {@code options}, pseudonymous
     * name/ID, no dates, BurnedInAnnotation NO. Checks PASS when {@code options} need nothing more.
     */
    public static AttributeList clean(DeidOption... options) {
        AttributeList l = new AttributeList();
        put(l, TagFromName.SOPClassUID, SOPClass.MRImageStorage);
        put(l, TagFromName.SOPInstanceUID, uid());
        put(l, TagFromName.StudyInstanceUID, uid());
        put(l, TagFromName.SeriesInstanceUID, uid());
        put(l, TagFromName.Modality, "MR");
        put(l, TagFromName.Manufacturer, "ACME");
        put(l, TagFromName.PatientName, "ML-0A1B2C3D4E5F");
        put(l, TagFromName.PatientID, "ML-0A1B2C3D4E5F");
        empty(l, TagFromName.PatientBirthDate);
        empty(l, TagFromName.PatientSex);
        empty(l, TagFromName.StudyDate);
        empty(l, TagFromName.ReferringPhysicianName);
        empty(l, TagFromName.AccessionNumber);
        put(l, TagFromName.SeriesNumber, "3");
        put(l, TagFromName.BurnedInAnnotation, "NO");
        put(l, TagFromName.PatientIdentityRemoved, "YES");
        put(l, TagFromName.DeidentificationMethod, "test");
        SequenceAttribute codes = new SequenceAttribute(TagFromName.DeidentificationMethodCodeSequence);
        codes.addItem(code(DeidOption.BASIC_PROFILE));
        for (DeidOption o : options) {
            codes.addItem(code(o));
        }
        l.put(codes);
        for (DeidOption o : options) {
            if (o == DeidOption.RETAIN_MODIFIED_DATES) {
                put(l, TagFromName.LongitudinalTemporalInformationModified, "MODIFIED");
            }
        }
        return l;
    }

    /** A raw instance as a scanner writes it: real-looking identity, dates, private tags, no de-id declaration. */
    public static AttributeList raw(String patientId, String patientName, String studyUid, String studyDate) {
        AttributeList l = new AttributeList();
        put(l, TagFromName.SOPClassUID, SOPClass.MRImageStorage);
        put(l, TagFromName.SOPInstanceUID, uid());
        put(l, TagFromName.StudyInstanceUID, studyUid);
        put(l, TagFromName.SeriesInstanceUID, uid());
        put(l, TagFromName.FrameOfReferenceUID, uid());
        put(l, TagFromName.Modality, "MR");
        put(l, TagFromName.PatientName, patientName);
        put(l, TagFromName.PatientID, patientId);
        put(l, TagFromName.PatientBirthDate, "19700412");
        put(l, TagFromName.PatientSex, "F");
        put(l, TagFromName.PatientAge, "054Y");
        put(l, TagFromName.PatientAddress, "12 Elm Street, Springfield");
        put(l, TagFromName.OtherPatientIDs, "H-998877");
        put(l, TagFromName.StudyDate, studyDate);
        put(l, TagFromName.SeriesDate, studyDate);
        put(l, TagFromName.AcquisitionDateTime, studyDate + "101500");
        put(l, TagFromName.StudyTime, "101112");
        put(l, TagFromName.AccessionNumber, "A20240001");
        put(l, TagFromName.InstitutionName, "Springfield General Hospital");
        put(l, TagFromName.ReferringPhysicianName, "HIBBERT^JULIUS");
        put(l, TagFromName.OperatorsName, "SMITH^WAYLON");
        put(l, TagFromName.DeviceSerialNumber, "SN-4471");
        put(l, TagFromName.StationName, "MRI-3T-NORTH");
        put(l, TagFromName.StudyDescription, "BRAIN W/O CONTRAST");
        put(l, TagFromName.SeriesDescription, "T1 SAG");
        put(l, TagFromName.ImageComments, "Pt " + patientName.replace('^', ' ') + " tel 617-555-0134");
        put(l, TagFromName.SeriesNumber, "3");
        SequenceAttribute req = new SequenceAttribute(TagFromName.RequestAttributesSequence);
        AttributeList item = new AttributeList();
        put(item, TagFromName.RequestedProcedureID, "RP123456");
        req.addItem(item);
        l.put(req);
        SequenceAttribute ref = new SequenceAttribute(TagFromName.ReferencedImageSequence);
        AttributeList refItem = new AttributeList();
        put(refItem, TagFromName.ReferencedSOPClassUID, SOPClass.MRImageStorage);
        put(refItem, TagFromName.ReferencedSOPInstanceUID, "1.2.3.4.5.6");
        ref.addItem(refItem);
        l.put(ref);
        privateBlock(l, 0x0019, "GEMS_ACQU_01", 0x9C, "LO", "efgre3d");
        privateBlock(l, 0x0029, "ACME PRIVATE", 0x10, "LO", patientName);
        return l;
    }

    public static AttributeList code(DeidOption o) {
        AttributeList item = new AttributeList();
        put(item, TagFromName.CodeValue, o.code());
        put(item, TagFromName.CodingSchemeDesignator, "DCM");
        put(item, TagFromName.CodeMeaning, o.meaning());
        return item;
    }

    /** Puts creator {@code (group,0010)} and element {@code (group,10xx)} with the given VR. */
    public static void privateBlock(AttributeList l, int group, String creator, int lowByte, String vr, String value) {
        try {
            Attribute c = AttributeFactory.newAttribute(new AttributeTag(group, 0x0010), "LO".getBytes());
            c.addValue(creator);
            l.put(c);
            Attribute a = AttributeFactory.newAttribute(new AttributeTag(group, 0x1000 | lowByte), vr.getBytes());
            a.addValue(value);
            l.put(a);
        } catch (DicomException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void put(AttributeList l, AttributeTag tag, String... values) {
        try {
            Attribute a = AttributeFactory.newAttribute(tag);
            for (String v : values) {
                a.addValue(v);
            }
            l.put(a);
        } catch (DicomException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void empty(AttributeList l, AttributeTag tag) {
        put(l, tag);
    }

    /** Wraps {@code items} into a sequence attribute with one item each. */
    public static SequenceAttribute seq(AttributeTag tag, AttributeList... items) {
        SequenceAttribute s = new SequenceAttribute(tag);
        for (AttributeList i : items) {
            s.addItem(i);
        }
        return s;
    }

    public static AttributeList item(AttributeTag tag, String value) {
        AttributeList l = new AttributeList();
        put(l, tag, value);
        return l;
    }

    public static String uid() {
        try {
            return new UIDGenerator().getAnotherNewUID();
        } catch (DicomException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code list} as a Part-10 file with 4x4 pixels (explicit VR little endian). */
    public static File write(AttributeList list, File file) {
        try {
            if (list.get(TagFromName.PixelData) == null) {
                put(list, TagFromName.Rows, "4");
                put(list, TagFromName.Columns, "4");
                put(list, TagFromName.BitsAllocated, "16");
                put(list, TagFromName.BitsStored, "16");
                put(list, TagFromName.HighBit, "15");
                put(list, TagFromName.PixelRepresentation, "0");
                put(list, TagFromName.SamplesPerPixel, "1");
                put(list, TagFromName.PhotometricInterpretation, "MONOCHROME2");
                OtherWordAttribute px = new OtherWordAttribute(TagFromName.PixelData);
                px.setValues(new short[16]);
                list.put(px);
            }
            list.removeGroupLengthAttributes();
            list.remove(TagFromName.MediaStorageSOPInstanceUID);
            FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "MEDLAKE");
            list.write(file, TransferSyntax.ExplicitVRLittleEndian, true, true);
            return file;
        } catch (DicomException e) {
            throw new IllegalStateException(e);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static AttributeList read(File f) {
        try {
            AttributeList l = new AttributeList();
            l.read(f);
            return l;
        } catch (DicomException e) {
            throw new IllegalStateException(e);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All the text a report would print: reasons, hints, locations. */
    public static String printed(DeidReport r) {
        StringBuilder b = new StringBuilder();
        for (Finding f : r.findings()) {
            b.append(String.join("|", List.of(f.tag(), f.keyword(), f.location(), f.rule(), f.basis(), f.reason(), f.hint())))
                    .append('\n');
        }
        return b.toString();
    }
}
