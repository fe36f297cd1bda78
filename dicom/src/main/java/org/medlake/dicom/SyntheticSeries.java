package org.medlake.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UIDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes small but valid synthetic Part-10 DICOM series with PixelMed: an axial CT of a simple chest phantom
 * (values in HU through RescaleSlope 1 / RescaleIntercept -1024), a T1-weighted sagittal MR and a DWI-like axial
 * MR (b=0 and b=1000) of a head phantom. Used by tests and by {@code ./medlake demo}.
 *
 * <pre>
 * SyntheticSeries.Patient p = SyntheticSeries.patient("P001", "F", 54);
 * SyntheticSeries.Written ct = SyntheticSeries.ct(p).slices(20).writeTo(dir);
 * SyntheticSeries.DemoSet demo = SyntheticSeries.writeDemoSet(dir, 3);
 * </pre>
 *
 * UIDs come from PixelMed's {@link UIDGenerator}, so every call writes new instances.
 */
public final class SyntheticSeries {
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;
    private static final String[][] MANUFACTURERS = {
        {"SIEMENS", "SOMATOM Force", "MAGNETOM Skyra", "3"},
        {"GE MEDICAL SYSTEMS", "Revolution CT", "SIGNA Premier", "3"},
        {"Philips", "IQon Spectral CT", "Ingenia", "1.5"},
    };

    private SyntheticSeries() {}

    /** Kinds of series this generator can write. */
    public enum Kind {
        /** Axial CT, 64x64, 0.7 mm pixels, 2.5 mm slice spacing. */
        CT("CT", SOPClass.CTImageStorage, 20),
        /** T1-weighted spin-echo sagittal MR. */
        MR_T1_SAG("MR", SOPClass.MRImageStorage, 16),
        /** Diffusion-weighted axial EPI, b=0 and b=1000 at every slice position. */
        MR_DWI("MR", SOPClass.MRImageStorage, 10);

        final String modality;
        final String sopClass;
        final int defaultSlices;

        Kind(String modality, String sopClass, int defaultSlices) {
            this.modality = modality;
            this.sopClass = sopClass;
            this.defaultSlices = defaultSlices;
        }
    }

    /** A synthetic patient. {@code sex} is M, F or O. */
    public record Patient(String id, String name, String sex, int ageYears) {
        public Patient {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
        }
    }

    /** What one {@link Builder#writeTo} call wrote. Lists are in instance-number order. */
    public record Written(String patientId, String studyInstanceUid, String seriesInstanceUid, String modality,
                          String seriesDescription, int seriesNumber, List<Path> files, List<String> sopInstanceUids) {
        public Written {
            files = List.copyOf(files);
            sopInstanceUids = List.copyOf(sopInstanceUids);
        }
    }

    /** What {@link #writeDemoSet} wrote. */
    public record DemoSet(Path root, List<Patient> patients, List<Written> series) {
        public DemoSet {
            patients = List.copyOf(patients);
            series = List.copyOf(series);
        }

        public int instanceCount() {
            return series.stream().mapToInt(s -> s.files().size()).sum();
        }

        public List<Path> files() {
            return series.stream().flatMap(s -> s.files().stream()).toList();
        }
    }

    public static Patient patient(String id, String sex, int ageYears) {
        return new Patient(id, "SYNTHETIC^" + id.replaceAll("[^A-Za-z0-9]", ""), sex, ageYears);
    }

    public static Builder ct(Patient patient) {
        return new Builder(Kind.CT, patient);
    }

    public static Builder mrT1(Patient patient) {
        return new Builder(Kind.MR_T1_SAG, patient);
    }

    public static Builder mrDwi(Patient patient) {
        return new Builder(Kind.MR_DWI, patient);
    }

    public static Builder of(Kind kind, Patient patient) {
        return new Builder(kind, patient);
    }

    /** A new UID from PixelMed's generator (e.g. to share one study between several builders). */
    public static String newUid() {
        try {
            return new UIDGenerator().getAnotherNewUID();
        } catch (com.pixelmed.dicom.DicomException e) {
            throw new DicomException(ErrorCode.DICOM_INTERNAL, "PixelMed could not generate a UID: " + e.getMessage()
                    + ". This is a bug; please report it.", e);
        }
    }

    /**
     * Writes a demo data set: per patient one CT study (chest CT) and one MR study (T1 sagittal + DWI), in
     * {@code dir/<patient id>/<series number>_<modality>/IMxxxx.dcm}. Patients are {@code DEMO-001...}, with
     * alternating sex, varied ages, study dates and manufacturers.
     */
    public static DemoSet writeDemoSet(Path dir, int patients) {
        if (patients < 1) {
            throw new DicomException(ErrorCode.DICOM_INTERNAL, "writeDemoSet needs at least one patient, got "
                    + patients + ". Pass a positive number.");
        }
        int[] ages = {54, 67, 38, 72, 45, 29, 81, 60};
        List<Patient> ps = new ArrayList<>();
        List<Written> written = new ArrayList<>();
        for (int i = 0; i < patients; i++) {
            Patient p = patient(String.format(Locale.ROOT, "DEMO-%03d", i + 1), i % 2 == 0 ? "F" : "M",
                    ages[i % ages.length] + i / ages.length);
            ps.add(p);
            String[] m = MANUFACTURERS[i % MANUFACTURERS.length];
            LocalDate ctDate = LocalDate.of(2024, 1, 15).plusDays(17L * i);
            Path pdir = dir.resolve(p.id());
            written.add(ct(p).manufacturer(m[0], m[1]).studyDate(ctDate).studyDescription("CT CHEST W/O CONTRAST")
                    .bodyPart("CHEST").seriesNumber(2).writeTo(pdir.resolve("2_CT")));
            String mrStudy = newUid();
            LocalDate mrDate = ctDate.plusDays(9);
            double field = Double.parseDouble(m[3]);
            written.add(mrT1(p).manufacturer(m[0], m[2]).fieldStrength(field).studyInstanceUid(mrStudy).studyDate(mrDate)
                    .studyDescription("MR BRAIN").bodyPart("BRAIN").seriesNumber(3).writeTo(pdir.resolve("3_MR")));
            written.add(mrDwi(p).manufacturer(m[0], m[2]).fieldStrength(field).studyInstanceUid(mrStudy).studyDate(mrDate)
                    .studyDescription("MR BRAIN").bodyPart("BRAIN").seriesNumber(4).writeTo(pdir.resolve("4_MR")));
        }
        return new DemoSet(dir, ps, written);
    }

    /** Configures and writes one series. */
    public static final class Builder {
        private final Kind kind;
        private final Patient patient;
        private int slices;
        private int rows = 64;
        private int columns = 64;
        private String studyUid;
        private String seriesUid;
        private LocalDate studyDate = LocalDate.of(2024, 1, 15);
        private String studyDescription;
        private String seriesDescription;
        private int seriesNumber;
        private String manufacturer = "SIEMENS";
        private String model;
        private String bodyPart;
        private double fieldStrength = 3.0;

        private Builder(Kind kind, Patient patient) {
            this.kind = kind;
            this.patient = Objects.requireNonNull(patient, "patient");
            this.slices = kind.defaultSlices;
            switch (kind) {
                case CT -> {
                    studyDescription = "CT CHEST";
                    seriesDescription = "Thorax 2.5mm";
                    bodyPart = "CHEST";
                    seriesNumber = 2;
                    model = "SOMATOM Force";
                }
                case MR_T1_SAG -> {
                    studyDescription = "MR BRAIN";
                    seriesDescription = "T1w SE SAG";
                    bodyPart = "BRAIN";
                    seriesNumber = 3;
                    model = "MAGNETOM Skyra";
                }
                case MR_DWI -> {
                    studyDescription = "MR BRAIN";
                    seriesDescription = "DWI TRACE b0 b1000";
                    bodyPart = "BRAIN";
                    seriesNumber = 4;
                    model = "MAGNETOM Skyra";
                }
            }
        }

        /** Slice positions (a DWI series writes two images, b=0 and b=1000, per position). */
        public Builder slices(int n) {
            if (n < 1) throw new IllegalArgumentException("slices must be >= 1, got " + n);
            this.slices = n;
            return this;
        }

        public Builder size(int rows, int columns) {
            if (rows < 8 || columns < 8) throw new IllegalArgumentException("image must be at least 8x8");
            this.rows = rows;
            this.columns = columns;
            return this;
        }

        /** Adds to an existing series instead of starting a new one (e.g. slices that arrive later). */
        public Builder seriesInstanceUid(String uid) {
            this.seriesUid = uid;
            return this;
        }

        public Builder studyInstanceUid(String uid) {
            this.studyUid = uid;
            return this;
        }

        public Builder studyDate(LocalDate date) {
            this.studyDate = Objects.requireNonNull(date);
            return this;
        }

        public Builder studyDescription(String d) {
            this.studyDescription = d;
            return this;
        }

        public Builder seriesDescription(String d) {
            this.seriesDescription = d;
            return this;
        }

        public Builder seriesNumber(int n) {
            this.seriesNumber = n;
            return this;
        }

        public Builder manufacturer(String manufacturer, String model) {
            this.manufacturer = manufacturer;
            this.model = model;
            return this;
        }

        public Builder bodyPart(String bodyPart) {
            this.bodyPart = bodyPart;
            return this;
        }

        /** MR only: MagneticFieldStrength in tesla (1.5 or 3 are realistic). */
        public Builder fieldStrength(double tesla) {
            this.fieldStrength = tesla;
            return this;
        }

        /** Writes the series as {@code dir/IM0001.dcm ...} (creating {@code dir}) and returns what was written. */
        public Written writeTo(Path dir) {
            try {
                Files.createDirectories(dir);
                UIDGenerator uids = new UIDGenerator();
                String study = studyUid != null ? studyUid : uids.getAnotherNewUID();
                String series = seriesUid != null ? seriesUid : uids.getAnotherNewUID();
                String frameOfReference = uids.getAnotherNewUID();
                int[] bValues = kind == Kind.MR_DWI ? new int[] {0, 1000} : new int[] {-1};
                List<Path> files = new ArrayList<>();
                List<String> sops = new ArrayList<>();
                int instance = 0;
                for (int b : bValues) {
                    for (int s = 0; s < slices; s++) {
                        instance++;
                        String sop = uids.getAnotherNewUID();
                        AttributeList list = instance(study, series, frameOfReference, sop, instance, s, b);
                        Path file = dir.resolve(String.format(Locale.ROOT, "IM%04d.dcm", instance));
                        FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "MEDLAKE");
                        list.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
                        files.add(file);
                        sops.add(sop);
                    }
                }
                return new Written(patient.id(), study, series, kind.modality, seriesDescription, seriesNumber, files, sops);
            } catch (IOException e) {
                throw new DicomException(ErrorCode.DICOM_IO, "Cannot write synthetic DICOM files to " + dir + ": " + e
                        + ". Check that the folder is writable and the disk has space.", e);
            } catch (com.pixelmed.dicom.DicomException e) {
                throw new DicomException(ErrorCode.DICOM_INTERNAL, "PixelMed refused a synthetic data set: "
                        + e.getMessage() + ". This is a bug in SyntheticSeries; please report it.", e);
            }
        }

        private AttributeList instance(String study, String series, String frameOfReference, String sop, int instance,
                                       int slice, int bValue) throws com.pixelmed.dicom.DicomException {
            AttributeList l = new AttributeList();
            String date = DA.format(studyDate);
            put(l, TagFromName.SpecificCharacterSet, "ISO_IR 100");
            put(l, TagFromName.SOPClassUID, kind.sopClass);
            put(l, TagFromName.SOPInstanceUID, sop);
            put(l, TagFromName.StudyInstanceUID, study);
            put(l, TagFromName.SeriesInstanceUID, series);
            put(l, TagFromName.FrameOfReferenceUID, frameOfReference);
            put(l, TagFromName.PositionReferenceIndicator, "");
            put(l, TagFromName.Modality, kind.modality);
            put(l, TagFromName.PatientName, patient.name());
            put(l, TagFromName.PatientID, patient.id());
            put(l, TagFromName.PatientSex, patient.sex());
            put(l, TagFromName.PatientAge, String.format(Locale.ROOT, "%03dY", patient.ageYears()));
            put(l, TagFromName.PatientBirthDate, DA.format(studyDate.minusYears(patient.ageYears()).minusDays(40)));
            put(l, TagFromName.StudyDate, date);
            put(l, TagFromName.StudyTime, kind == Kind.CT ? "091500" : "141000");
            put(l, TagFromName.SeriesDate, date);
            put(l, TagFromName.ContentDate, date);
            put(l, TagFromName.ContentTime, String.format(Locale.ROOT, "%02d%02d%02d", kind == Kind.CT ? 9 : 14,
                    15 + seriesNumber, instance % 60));
            put(l, TagFromName.StudyID, "1");
            put(l, TagFromName.AccessionNumber, "ACC" + patient.id().replaceAll("[^A-Za-z0-9]", "") + kind.modality);
            put(l, TagFromName.ReferringPhysicianName, "");
            put(l, TagFromName.StudyDescription, studyDescription);
            put(l, TagFromName.SeriesDescription, seriesDescription);
            put(l, TagFromName.ProtocolName, seriesDescription);
            put(l, TagFromName.SeriesNumber, Integer.toString(seriesNumber));
            put(l, TagFromName.InstanceNumber, Integer.toString(instance));
            put(l, TagFromName.AcquisitionNumber, "1");
            put(l, TagFromName.Manufacturer, manufacturer);
            put(l, TagFromName.ManufacturerModelName, model);
            put(l, TagFromName.InstitutionName, "medlake synthetic hospital");
            put(l, TagFromName.BodyPartExamined, bodyPart);
            put(l, TagFromName.PatientPosition, "HFS");
            put(l, TagFromName.SamplesPerPixel, "1");
            put(l, TagFromName.PhotometricInterpretation, "MONOCHROME2");
            put(l, TagFromName.Rows, Integer.toString(rows));
            put(l, TagFromName.Columns, Integer.toString(columns));
            put(l, TagFromName.BitsAllocated, "16");
            put(l, TagFromName.BitsStored, "12");
            put(l, TagFromName.HighBit, "11");
            put(l, TagFromName.PixelRepresentation, "0");

            short[] pixels = new short[rows * columns];
            switch (kind) {
                case CT -> {
                    double pixel = 0.7, spacing = 2.5;
                    double z = -spacing * (slices - 1) / 2.0 + slice * spacing;
                    put(l, TagFromName.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
                    put(l, TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "1", "0");
                    put(l, TagFromName.ImagePositionPatient, ds(-pixel * (columns - 1) / 2), ds(-pixel * (rows - 1) / 2), ds(z));
                    put(l, TagFromName.SliceLocation, ds(z));
                    put(l, TagFromName.SliceThickness, "2.5");
                    put(l, TagFromName.SpacingBetweenSlices, "2.5");
                    put(l, TagFromName.PixelSpacing, ds(pixel), ds(pixel));
                    put(l, TagFromName.RescaleIntercept, "-1024");
                    put(l, TagFromName.RescaleSlope, "1");
                    put(l, TagFromName.RescaleType, "HU");
                    put(l, TagFromName.WindowCenter, "-600");
                    put(l, TagFromName.WindowWidth, "1600");
                    put(l, TagFromName.ConvolutionKernel, "B30f");
                    put(l, keyword("KVP"), "120");
                    double zRel = slices == 1 ? 0 : (slice - (slices - 1) / 2.0) / ((slices - 1) / 2.0);
                    for (int r = 0; r < rows; r++) {
                        for (int c = 0; c < columns; c++) {
                            int hu = chestHu((c - (columns - 1) / 2.0) / (columns / 2.0), (r - (rows - 1) / 2.0) / (rows / 2.0), zRel);
                            pixels[r * columns + c] = (short) Math.max(0, Math.min(4095, hu + 1024));
                        }
                    }
                }
                case MR_T1_SAG -> {
                    double pixel = 3.75, spacing = 4.4;
                    double x = -spacing * (slices - 1) / 2.0 + slice * spacing;
                    put(l, TagFromName.ImageType, "ORIGINAL", "PRIMARY", "M", "ND");
                    put(l, TagFromName.ImageOrientationPatient, "0", "1", "0", "0", "0", "-1");
                    put(l, TagFromName.ImagePositionPatient, ds(x), ds(-pixel * (columns - 1) / 2), ds(pixel * (rows - 1) / 2));
                    put(l, TagFromName.SliceLocation, ds(x));
                    put(l, TagFromName.SliceThickness, "4");
                    put(l, TagFromName.SpacingBetweenSlices, "4.4");
                    put(l, TagFromName.PixelSpacing, ds(pixel), ds(pixel));
                    mr(l, "SE", "SP", "2D", 500, 10, 90, 1, "*se2d1");
                    put(l, TagFromName.WindowCenter, "700");
                    put(l, TagFromName.WindowWidth, "1400");
                    double xRel = slices == 1 ? 0 : (slice - (slices - 1) / 2.0) / ((slices - 1) / 2.0);
                    for (int r = 0; r < rows; r++) {
                        for (int c = 0; c < columns; c++) {
                            pixels[r * columns + c] = (short) headT1((c - (columns - 1) / 2.0) / (columns / 2.0),
                                    (r - (rows - 1) / 2.0) / (rows / 2.0), xRel);
                        }
                    }
                }
                case MR_DWI -> {
                    double pixel = 3.75, spacing = 5.0;
                    double z = -spacing * (slices - 1) / 2.0 + slice * spacing;
                    put(l, TagFromName.ImageType, "ORIGINAL", "PRIMARY", "DIFFUSION", "TRACEW");
                    put(l, TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "1", "0");
                    put(l, TagFromName.ImagePositionPatient, ds(-pixel * (columns - 1) / 2), ds(-pixel * (rows - 1) / 2), ds(z));
                    put(l, TagFromName.SliceLocation, ds(z));
                    put(l, TagFromName.SliceThickness, "5");
                    put(l, TagFromName.SpacingBetweenSlices, "5");
                    put(l, TagFromName.PixelSpacing, ds(pixel), ds(pixel));
                    mr(l, "EP", "SK\\SP", "2D", 4000, 80, 90, 1, "*ep_b" + bValue + "t");
                    put(l, keyword("DiffusionBValue"), Integer.toString(bValue));
                    put(l, TagFromName.WindowCenter, bValue == 0 ? "500" : "250");
                    put(l, TagFromName.WindowWidth, bValue == 0 ? "1000" : "500");
                    double zRel = slices == 1 ? 0 : (slice - (slices - 1) / 2.0) / ((slices - 1) / 2.0);
                    for (int r = 0; r < rows; r++) {
                        for (int c = 0; c < columns; c++) {
                            pixels[r * columns + c] = (short) headDwi((c - (columns - 1) / 2.0) / (columns / 2.0),
                                    (r - (rows - 1) / 2.0) / (rows / 2.0), zRel, bValue);
                        }
                    }
                }
            }
            OtherWordAttribute pixelData = new OtherWordAttribute(TagFromName.PixelData);
            pixelData.setValues(pixels);
            l.put(pixelData);
            return l;
        }

        private void mr(AttributeList l, String scanningSequence, String variant, String acquisitionType, double tr,
                        double te, double flip, int echoTrain, String sequenceName) throws com.pixelmed.dicom.DicomException {
            put(l, keyword("ScanningSequence"), scanningSequence.split("\\\\"));
            put(l, keyword("SequenceVariant"), variant.split("\\\\"));
            put(l, TagFromName.MRAcquisitionType, acquisitionType);
            put(l, keyword("SequenceName"), sequenceName);
            put(l, TagFromName.RepetitionTime, ds(tr));
            put(l, TagFromName.EchoTime, ds(te));
            put(l, keyword("FlipAngle"), ds(flip));
            put(l, TagFromName.EchoTrainLength, Integer.toString(echoTrain));
            put(l, keyword("MagneticFieldStrength"), ds(fieldStrength));
            put(l, keyword("ImagingFrequency"), ds(Math.round(fieldStrength * 42.577478 * 1e4) / 1e4));
        }
    }

    /** Chest phantom in HU: air outside, soft-tissue body with a bony rim, two lungs and a lesion near mid-volume. */
    static int chestHu(double u, double v, double z) {
        double body = u * u / 0.85 + v * v / 0.55;
        if (body > 1) return -1000;
        if (body > 0.85) return 700;
        double lung = Math.min(sq((Math.abs(u) - 0.42) / 0.28) + sq(v / 0.42), 9);
        if (lung < 1) {
            double lesion = sq((u - 0.45) / 0.08) + sq((v + 0.1) / 0.08) + sq(z / 0.35);
            return lesion < 1 ? 45 : -850;
        }
        if (sq(u / 0.12) + sq((v - 0.05) / 0.12) < 1) return 50;
        return 40;
    }

    /** T1 head phantom: fat-bright scalp, grey/white matter, dark CSF in the ventricles. */
    static int headT1(double u, double v, double x) {
        double head = sq(u / 0.8) + sq(v / 0.9) + sq(x / 1.4);
        if (head > 1) return 0;
        if (head > 0.85) return 1500;
        if (head > 0.75) return 150;
        if (sq(u / 0.18) + sq(v / 0.25) + sq(x / 0.5) < 1) return 250;
        return head > 0.6 ? 650 : 850;
    }

    /** DWI head phantom: S = S0 * exp(-b * ADC), ADC 0.0008 mm²/s for tissue, 0.003 mm²/s for CSF. */
    static int headDwi(double u, double v, double z, int b) {
        double head = sq(u / 0.75) + sq(v / 0.9) + sq(z / 1.3);
        if (head > 1) return 5;
        boolean csf = sq(u / 0.15) + sq(v / 0.3) < 1 || head > 0.85;
        double s0 = csf ? 1000 : 600;
        double adc = csf ? 0.003 : 0.0008;
        return (int) Math.round(s0 * Math.exp(-b * adc));
    }

    private static double sq(double d) {
        return d * d;
    }

    private static String ds(double d) {
        String s = String.format(Locale.ROOT, "%.4f", d).replaceAll("0+$", "").replaceAll("\\.$", "");
        return s.equals("-0") ? "0" : s;
    }

    /** Keywords missing from this PixelMed build's {@code TagFromName} are looked up in its dictionary by name. */
    private static AttributeTag keyword(String keyword) {
        AttributeTag tag = DicomDictionary.StandardDictionary.getTagFromName(keyword);
        if (tag == null) {
            throw new DicomException(ErrorCode.DICOM_INTERNAL, "PixelMed's dictionary does not know the keyword "
                    + keyword + ". This is a bug in SyntheticSeries; please report it.");
        }
        return tag;
    }

    private static void put(AttributeList l, AttributeTag tag, String... values) throws com.pixelmed.dicom.DicomException {
        Attribute a = l.putNewAttribute(tag);
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                a.addValue(v);
            }
        }
    }
}
