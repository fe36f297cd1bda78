package org.medlake.dicom;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.medlake.lake.Tables.Instances;

/**
 * The header of one DICOM instance as the lake's {@code instances} table stores it: typed key attributes
 * ({@link #COLUMNS}, {@link #toColumns()}) plus the whole data set as DICOM JSON ({@link #headerJson()}). Immutable.
 *
 * <p>Strings are trimmed and {@code null} when absent or empty; multi-valued strings (ImageType, ScanningSequence,
 * SequenceVariant, ConvolutionKernel, SoftwareVersions) are joined with DICOM's {@code \\} delimiter; times (TM, DT)
 * are the raw DICOM strings (e.g. {@code 091500.123}); numbers are {@code null} when absent or invalid; vectors
 * (PixelSpacing, ImagePositionPatient, ImageOrientationPatient) are {@code List<Double>} of the declared length or
 * {@code null}. Geometry and acquisition attributes absent at the top level are taken from the first item of
 * SharedFunctionalGroupsSequence, then PerFrameFunctionalGroupsSequence (enhanced multi-frame objects). PET
 * radiopharmaceutical values come from the first RadiopharmaceuticalInformationSequence item.
 *
 * <p>{@code headerJson}: the whole data set as DICOM JSON (PS3.18 F.2), one object keyed by 8-hex-digit tags,
 * sequences included. File Meta Information (group 0002), group lengths and Pixel Data are left out; other binary
 * values (OB, OW, OF, OD, OL, OV, UN) are {@code InlineBinary} base64 up to 1024 bytes and only {@code {"vr":..}}
 * beyond. Column {@link #HEADER_JSON}.
 *
 * <p>The record components are in {@link #COLUMNS} order, then {@code headerJson}; each component's snake_case name
 * is its column name ({@code xRayTubeCurrent} is {@code x_ray_tube_current}).
 *
 * @see DicomReader
 */
public record InstanceHeader(
        String sopInstanceUid,
        String seriesInstanceUid,
        String studyInstanceUid,
        String sopClassUid,
        String transferSyntaxUid,
        String patientId,
        String patientSex,
        Integer patientAgeYears,
        LocalDate studyDate,
        String studyDescription,
        String seriesDescription,
        Integer seriesNumber,
        Integer instanceNumber,
        String modality,
        String bodyPartExamined,
        String manufacturer,
        Integer rows,
        Integer columns,
        String studyTime,
        LocalDate seriesDate,
        String seriesTime,
        String acquisitionDateTime,
        String accessionNumber,
        String studyId,
        Integer acquisitionNumber,
        String imageType,
        String protocolName,
        String manufacturerModelName,
        String stationName,
        String institutionName,
        String softwareVersions,
        Integer numberOfFrames,
        List<Double> pixelSpacing,
        Double sliceThickness,
        Double spacingBetweenSlices,
        List<Double> imagePositionPatient,
        List<Double> imageOrientationPatient,
        Double sliceLocation,
        String frameOfReferenceUid,
        Integer bitsAllocated,
        Integer bitsStored,
        Integer pixelRepresentation,
        String photometricInterpretation,
        Integer samplesPerPixel,
        Double rescaleSlope,
        Double rescaleIntercept,
        Double kvp,
        Double xRayTubeCurrent,
        Double exposure,
        String convolutionKernel,
        Double ctdiVol,
        Double magneticFieldStrength,
        Double repetitionTime,
        Double echoTime,
        Double inversionTime,
        Double flipAngle,
        String scanningSequence,
        String sequenceVariant,
        String sequenceName,
        String mrAcquisitionType,
        Integer echoTrainLength,
        Double diffusionBValue,
        Double distanceSourceToDetector,
        Double positionerPrimaryAngle,
        Double positionerSecondaryAngle,
        String transducerType,
        String radiopharmaceutical,
        String radionuclide,
        Double radionuclideTotalDose,
        Double radionuclideHalfLife,
        String units,
        String decayCorrection,
        String headerJson) implements Serializable {
    
    /**
     * One typed column: {@code type} is String, Integer, Long, Double, LocalDate or List (then
     * {@code elementType} is the element class, else {@code null}).
     */
    public record Column(String name, Class<?> type, Class<?> elementType) implements Serializable {
        public Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }
    }

    /** Every typed column in order (the names are {@link org.medlake.lake.Tables.Instances} constants). */
    public static final List<Column> COLUMNS = List.of(
            new Column(Instances.SOP_INSTANCE_UID, String.class, null),
            new Column(Instances.SERIES_INSTANCE_UID, String.class, null),
            new Column(Instances.STUDY_INSTANCE_UID, String.class, null),
            new Column(Instances.SOP_CLASS_UID, String.class, null),
            new Column(Instances.TRANSFER_SYNTAX_UID, String.class, null),
            new Column(Instances.PATIENT_ID, String.class, null),
            new Column(Instances.PATIENT_SEX, String.class, null),
            new Column(Instances.PATIENT_AGE_YEARS, Integer.class, null),
            new Column(Instances.STUDY_DATE, LocalDate.class, null),
            new Column(Instances.STUDY_DESCRIPTION, String.class, null),
            new Column(Instances.SERIES_DESCRIPTION, String.class, null),
            new Column(Instances.SERIES_NUMBER, Integer.class, null),
            new Column(Instances.INSTANCE_NUMBER, Integer.class, null),
            new Column(Instances.MODALITY, String.class, null),
            new Column(Instances.BODY_PART_EXAMINED, String.class, null),
            new Column(Instances.MANUFACTURER, String.class, null),
            new Column(Instances.ROWS, Integer.class, null),
            new Column(Instances.COLUMNS, Integer.class, null),
            new Column(Instances.STUDY_TIME, String.class, null),
            new Column(Instances.SERIES_DATE, LocalDate.class, null),
            new Column(Instances.SERIES_TIME, String.class, null),
            new Column(Instances.ACQUISITION_DATE_TIME, String.class, null),
            new Column(Instances.ACCESSION_NUMBER, String.class, null),
            new Column(Instances.STUDY_ID, String.class, null),
            new Column(Instances.ACQUISITION_NUMBER, Integer.class, null),
            new Column(Instances.IMAGE_TYPE, String.class, null),
            new Column(Instances.PROTOCOL_NAME, String.class, null),
            new Column(Instances.MANUFACTURER_MODEL_NAME, String.class, null),
            new Column(Instances.STATION_NAME, String.class, null),
            new Column(Instances.INSTITUTION_NAME, String.class, null),
            new Column(Instances.SOFTWARE_VERSIONS, String.class, null),
            new Column(Instances.NUMBER_OF_FRAMES, Integer.class, null),
            new Column(Instances.PIXEL_SPACING, List.class, Double.class),
            new Column(Instances.SLICE_THICKNESS, Double.class, null),
            new Column(Instances.SPACING_BETWEEN_SLICES, Double.class, null),
            new Column(Instances.IMAGE_POSITION_PATIENT, List.class, Double.class),
            new Column(Instances.IMAGE_ORIENTATION_PATIENT, List.class, Double.class),
            new Column(Instances.SLICE_LOCATION, Double.class, null),
            new Column(Instances.FRAME_OF_REFERENCE_UID, String.class, null),
            new Column(Instances.BITS_ALLOCATED, Integer.class, null),
            new Column(Instances.BITS_STORED, Integer.class, null),
            new Column(Instances.PIXEL_REPRESENTATION, Integer.class, null),
            new Column(Instances.PHOTOMETRIC_INTERPRETATION, String.class, null),
            new Column(Instances.SAMPLES_PER_PIXEL, Integer.class, null),
            new Column(Instances.RESCALE_SLOPE, Double.class, null),
            new Column(Instances.RESCALE_INTERCEPT, Double.class, null),
            new Column(Instances.KVP, Double.class, null),
            new Column(Instances.X_RAY_TUBE_CURRENT, Double.class, null),
            new Column(Instances.EXPOSURE, Double.class, null),
            new Column(Instances.CONVOLUTION_KERNEL, String.class, null),
            new Column(Instances.CTDI_VOL, Double.class, null),
            new Column(Instances.MAGNETIC_FIELD_STRENGTH, Double.class, null),
            new Column(Instances.REPETITION_TIME, Double.class, null),
            new Column(Instances.ECHO_TIME, Double.class, null),
            new Column(Instances.INVERSION_TIME, Double.class, null),
            new Column(Instances.FLIP_ANGLE, Double.class, null),
            new Column(Instances.SCANNING_SEQUENCE, String.class, null),
            new Column(Instances.SEQUENCE_VARIANT, String.class, null),
            new Column(Instances.SEQUENCE_NAME, String.class, null),
            new Column(Instances.MR_ACQUISITION_TYPE, String.class, null),
            new Column(Instances.ECHO_TRAIN_LENGTH, Integer.class, null),
            new Column(Instances.DIFFUSION_B_VALUE, Double.class, null),
            new Column(Instances.DISTANCE_SOURCE_TO_DETECTOR, Double.class, null),
            new Column(Instances.POSITIONER_PRIMARY_ANGLE, Double.class, null),
            new Column(Instances.POSITIONER_SECONDARY_ANGLE, Double.class, null),
            new Column(Instances.TRANSDUCER_TYPE, String.class, null),
            new Column(Instances.RADIOPHARMACEUTICAL, String.class, null),
            new Column(Instances.RADIONUCLIDE, String.class, null),
            new Column(Instances.RADIONUCLIDE_TOTAL_DOSE, Double.class, null),
            new Column(Instances.RADIONUCLIDE_HALF_LIFE, Double.class, null),
            new Column(Instances.UNITS, String.class, null),
            new Column(Instances.DECAY_CORRECTION, String.class, null));

    /** Name of the header JSON column ({@link #headerJson()}, a String); not part of {@link #COLUMNS}. */
    public static final String HEADER_JSON = Instances.HEADER_JSON;

    static final int I_SOP_INSTANCE_UID = 0;
    static final int I_SERIES_INSTANCE_UID = 1;
    static final int I_STUDY_INSTANCE_UID = 2;
    static final int I_SOP_CLASS_UID = 3;
    static final int I_TRANSFER_SYNTAX_UID = 4;
    static final int I_PATIENT_ID = 5;
    static final int I_PATIENT_SEX = 6;
    static final int I_PATIENT_AGE_YEARS = 7;
    static final int I_STUDY_DATE = 8;
    static final int I_STUDY_DESCRIPTION = 9;
    static final int I_SERIES_DESCRIPTION = 10;
    static final int I_SERIES_NUMBER = 11;
    static final int I_INSTANCE_NUMBER = 12;
    static final int I_MODALITY = 13;
    static final int I_BODY_PART_EXAMINED = 14;
    static final int I_MANUFACTURER = 15;
    static final int I_ROWS = 16;
    static final int I_COLUMNS = 17;
    static final int I_STUDY_TIME = 18;
    static final int I_SERIES_DATE = 19;
    static final int I_SERIES_TIME = 20;
    static final int I_ACQUISITION_DATE_TIME = 21;
    static final int I_ACCESSION_NUMBER = 22;
    static final int I_STUDY_ID = 23;
    static final int I_ACQUISITION_NUMBER = 24;
    static final int I_IMAGE_TYPE = 25;
    static final int I_PROTOCOL_NAME = 26;
    static final int I_MANUFACTURER_MODEL_NAME = 27;
    static final int I_STATION_NAME = 28;
    static final int I_INSTITUTION_NAME = 29;
    static final int I_SOFTWARE_VERSIONS = 30;
    static final int I_NUMBER_OF_FRAMES = 31;
    static final int I_PIXEL_SPACING = 32;
    static final int I_SLICE_THICKNESS = 33;
    static final int I_SPACING_BETWEEN_SLICES = 34;
    static final int I_IMAGE_POSITION_PATIENT = 35;
    static final int I_IMAGE_ORIENTATION_PATIENT = 36;
    static final int I_SLICE_LOCATION = 37;
    static final int I_FRAME_OF_REFERENCE_UID = 38;
    static final int I_BITS_ALLOCATED = 39;
    static final int I_BITS_STORED = 40;
    static final int I_PIXEL_REPRESENTATION = 41;
    static final int I_PHOTOMETRIC_INTERPRETATION = 42;
    static final int I_SAMPLES_PER_PIXEL = 43;
    static final int I_RESCALE_SLOPE = 44;
    static final int I_RESCALE_INTERCEPT = 45;
    static final int I_KVP = 46;
    static final int I_X_RAY_TUBE_CURRENT = 47;
    static final int I_EXPOSURE = 48;
    static final int I_CONVOLUTION_KERNEL = 49;
    static final int I_CTDI_VOL = 50;
    static final int I_MAGNETIC_FIELD_STRENGTH = 51;
    static final int I_REPETITION_TIME = 52;
    static final int I_ECHO_TIME = 53;
    static final int I_INVERSION_TIME = 54;
    static final int I_FLIP_ANGLE = 55;
    static final int I_SCANNING_SEQUENCE = 56;
    static final int I_SEQUENCE_VARIANT = 57;
    static final int I_SEQUENCE_NAME = 58;
    static final int I_MR_ACQUISITION_TYPE = 59;
    static final int I_ECHO_TRAIN_LENGTH = 60;
    static final int I_DIFFUSION_B_VALUE = 61;
    static final int I_DISTANCE_SOURCE_TO_DETECTOR = 62;
    static final int I_POSITIONER_PRIMARY_ANGLE = 63;
    static final int I_POSITIONER_SECONDARY_ANGLE = 64;
    static final int I_TRANSDUCER_TYPE = 65;
    static final int I_RADIOPHARMACEUTICAL = 66;
    static final int I_RADIONUCLIDE = 67;
    static final int I_RADIONUCLIDE_TOTAL_DOSE = 68;
    static final int I_RADIONUCLIDE_HALF_LIFE = 69;
    static final int I_UNITS = 70;
    static final int I_DECAY_CORRECTION = 71;

    public InstanceHeader {
        Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
        Objects.requireNonNull(seriesInstanceUid, "seriesInstanceUid");
        Objects.requireNonNull(studyInstanceUid, "studyInstanceUid");
        pixelSpacing = pixelSpacing == null ? null : List.copyOf(pixelSpacing);
        imagePositionPatient = imagePositionPatient == null ? null : List.copyOf(imagePositionPatient);
        imageOrientationPatient = imageOrientationPatient == null ? null : List.copyOf(imageOrientationPatient);
    }

    /** @param values one value per {@link #COLUMNS} entry, of its type or {@code null} */
    @SuppressWarnings("unchecked")
    static InstanceHeader of(Object[] values, String headerJson) {
        if (values.length != COLUMNS.size()) {
            throw new IllegalArgumentException("expected " + COLUMNS.size() + " values, got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null && !COLUMNS.get(i).type().isInstance(values[i])) {
                throw new IllegalArgumentException("column " + COLUMNS.get(i).name() + " expects "
                        + COLUMNS.get(i).type().getSimpleName() + ", got " + values[i].getClass().getSimpleName());
            }
        }
        return new InstanceHeader(
                (String) values[I_SOP_INSTANCE_UID],
                (String) values[I_SERIES_INSTANCE_UID],
                (String) values[I_STUDY_INSTANCE_UID],
                (String) values[I_SOP_CLASS_UID],
                (String) values[I_TRANSFER_SYNTAX_UID],
                (String) values[I_PATIENT_ID],
                (String) values[I_PATIENT_SEX],
                (Integer) values[I_PATIENT_AGE_YEARS],
                (LocalDate) values[I_STUDY_DATE],
                (String) values[I_STUDY_DESCRIPTION],
                (String) values[I_SERIES_DESCRIPTION],
                (Integer) values[I_SERIES_NUMBER],
                (Integer) values[I_INSTANCE_NUMBER],
                (String) values[I_MODALITY],
                (String) values[I_BODY_PART_EXAMINED],
                (String) values[I_MANUFACTURER],
                (Integer) values[I_ROWS],
                (Integer) values[I_COLUMNS],
                (String) values[I_STUDY_TIME],
                (LocalDate) values[I_SERIES_DATE],
                (String) values[I_SERIES_TIME],
                (String) values[I_ACQUISITION_DATE_TIME],
                (String) values[I_ACCESSION_NUMBER],
                (String) values[I_STUDY_ID],
                (Integer) values[I_ACQUISITION_NUMBER],
                (String) values[I_IMAGE_TYPE],
                (String) values[I_PROTOCOL_NAME],
                (String) values[I_MANUFACTURER_MODEL_NAME],
                (String) values[I_STATION_NAME],
                (String) values[I_INSTITUTION_NAME],
                (String) values[I_SOFTWARE_VERSIONS],
                (Integer) values[I_NUMBER_OF_FRAMES],
                (List<Double>) values[I_PIXEL_SPACING],
                (Double) values[I_SLICE_THICKNESS],
                (Double) values[I_SPACING_BETWEEN_SLICES],
                (List<Double>) values[I_IMAGE_POSITION_PATIENT],
                (List<Double>) values[I_IMAGE_ORIENTATION_PATIENT],
                (Double) values[I_SLICE_LOCATION],
                (String) values[I_FRAME_OF_REFERENCE_UID],
                (Integer) values[I_BITS_ALLOCATED],
                (Integer) values[I_BITS_STORED],
                (Integer) values[I_PIXEL_REPRESENTATION],
                (String) values[I_PHOTOMETRIC_INTERPRETATION],
                (Integer) values[I_SAMPLES_PER_PIXEL],
                (Double) values[I_RESCALE_SLOPE],
                (Double) values[I_RESCALE_INTERCEPT],
                (Double) values[I_KVP],
                (Double) values[I_X_RAY_TUBE_CURRENT],
                (Double) values[I_EXPOSURE],
                (String) values[I_CONVOLUTION_KERNEL],
                (Double) values[I_CTDI_VOL],
                (Double) values[I_MAGNETIC_FIELD_STRENGTH],
                (Double) values[I_REPETITION_TIME],
                (Double) values[I_ECHO_TIME],
                (Double) values[I_INVERSION_TIME],
                (Double) values[I_FLIP_ANGLE],
                (String) values[I_SCANNING_SEQUENCE],
                (String) values[I_SEQUENCE_VARIANT],
                (String) values[I_SEQUENCE_NAME],
                (String) values[I_MR_ACQUISITION_TYPE],
                (Integer) values[I_ECHO_TRAIN_LENGTH],
                (Double) values[I_DIFFUSION_B_VALUE],
                (Double) values[I_DISTANCE_SOURCE_TO_DETECTOR],
                (Double) values[I_POSITIONER_PRIMARY_ANGLE],
                (Double) values[I_POSITIONER_SECONDARY_ANGLE],
                (String) values[I_TRANSDUCER_TYPE],
                (String) values[I_RADIOPHARMACEUTICAL],
                (String) values[I_RADIONUCLIDE],
                (Double) values[I_RADIONUCLIDE_TOTAL_DOSE],
                (Double) values[I_RADIONUCLIDE_HALF_LIFE],
                (String) values[I_UNITS],
                (String) values[I_DECAY_CORRECTION],
                headerJson);
    }

    /** The typed column values in {@link #COLUMNS} order (absent values are {@code null}); a fresh array. */
    public Object[] columnValues() {
        return values();
    }

    private Object[] values() {
        return new Object[] {sopInstanceUid, seriesInstanceUid, studyInstanceUid, sopClassUid, transferSyntaxUid, patientId, patientSex, patientAgeYears, studyDate, studyDescription, seriesDescription, seriesNumber, instanceNumber, modality, bodyPartExamined, manufacturer, rows, columns, studyTime, seriesDate, seriesTime, acquisitionDateTime, accessionNumber, studyId, acquisitionNumber, imageType, protocolName, manufacturerModelName, stationName, institutionName, softwareVersions, numberOfFrames, pixelSpacing, sliceThickness, spacingBetweenSlices, imagePositionPatient, imageOrientationPatient, sliceLocation, frameOfReferenceUid, bitsAllocated, bitsStored, pixelRepresentation, photometricInterpretation, samplesPerPixel, rescaleSlope, rescaleIntercept, kvp, xRayTubeCurrent, exposure, convolutionKernel, ctdiVol, magneticFieldStrength, repetitionTime, echoTime, inversionTime, flipAngle, scanningSequence, sequenceVariant, sequenceName, mrAcquisitionType, echoTrainLength, diffusionBValue, distanceSourceToDetector, positionerPrimaryAngle, positionerSecondaryAngle, transducerType, radiopharmaceutical, radionuclide, radionuclideTotalDose, radionuclideHalfLife, units, decayCorrection};
    }

    /** The typed columns by name, in {@link #COLUMNS} order (absent values map to {@code null}). Unmodifiable. */
    public Map<String, Object> toColumns() {
        Object[] values = values();
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            m.put(COLUMNS.get(i).name(), values[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** The value of one column of {@link #COLUMNS} by name. */
    public Object get(String column) {
        for (int i = 0; i < COLUMNS.size(); i++) {
            if (COLUMNS.get(i).name().equals(column)) {
                return values()[i];
            }
        }
        throw new IllegalArgumentException("unknown instances column " + column);
    }
}
