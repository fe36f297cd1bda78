package org.medlake.dicom;

import static org.medlake.dicom.InstanceHeader.*;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;
import org.medlake.dicom.DataSetView.Element;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps a parsed data set to the typed values of {@link InstanceHeader#COLUMNS}. Works on a {@link DataSetView}, so the
 * PixelMed path and the fast path share it. Stateless; tags resolved once.
 */
final class HeaderExtraction {
    private static final AttributeTag ACQUISITION_DATETIME = keyword("AcquisitionDateTime");
    private static final AttributeTag ACQUISITION_DATE = keyword("AcquisitionDate");
    private static final AttributeTag ACQUISITION_TIME = keyword("AcquisitionTime");
    private static final AttributeTag SOFTWARE_VERSIONS_TAG = keyword("SoftwareVersions");
    private static final AttributeTag STATION_NAME_TAG = keyword("StationName");
    private static final AttributeTag KVP_TAG = keyword("KVP");
    private static final AttributeTag X_RAY_TUBE_CURRENT_TAG = keyword("XRayTubeCurrent");
    private static final AttributeTag EXPOSURE_TAG = keyword("Exposure");
    private static final AttributeTag CTDI_VOL_TAG = keyword("CTDIvol");
    private static final AttributeTag MAGNETIC_FIELD_STRENGTH_TAG = keyword("MagneticFieldStrength");
    private static final AttributeTag INVERSION_TIME_TAG = keyword("InversionTime");
    private static final AttributeTag FLIP_ANGLE_TAG = keyword("FlipAngle");
    private static final AttributeTag SCANNING_SEQUENCE_TAG = keyword("ScanningSequence");
    private static final AttributeTag SEQUENCE_VARIANT_TAG = keyword("SequenceVariant");
    private static final AttributeTag SEQUENCE_NAME_TAG = keyword("SequenceName");
    private static final AttributeTag EFFECTIVE_ECHO_TIME = keyword("EffectiveEchoTime");
    private static final AttributeTag DIFFUSION_B_VALUE_TAG = keyword("DiffusionBValue");
    private static final AttributeTag DISTANCE_SOURCE_TO_DETECTOR_TAG = keyword("DistanceSourceToDetector");
    private static final AttributeTag POSITIONER_PRIMARY_ANGLE_TAG = keyword("PositionerPrimaryAngle");
    private static final AttributeTag POSITIONER_SECONDARY_ANGLE_TAG = keyword("PositionerSecondaryAngle");
    private static final AttributeTag TRANSDUCER_TYPE_TAG = keyword("TransducerType");
    private static final AttributeTag RADIOPHARMACEUTICAL_INFORMATION_SEQUENCE = keyword("RadiopharmaceuticalInformationSequence");
    private static final AttributeTag RADIOPHARMACEUTICAL_TAG = keyword("Radiopharmaceutical");
    private static final AttributeTag RADIONUCLIDE_CODE_SEQUENCE = keyword("RadionuclideCodeSequence");
    private static final AttributeTag CODE_MEANING = keyword("CodeMeaning");
    private static final AttributeTag RADIONUCLIDE_TOTAL_DOSE_TAG = keyword("RadionuclideTotalDose");
    private static final AttributeTag RADIONUCLIDE_HALF_LIFE_TAG = keyword("RadionuclideHalfLife");
    private static final AttributeTag UNITS_TAG = keyword("Units");
    private static final AttributeTag DECAY_CORRECTION_TAG = keyword("DecayCorrection");
    private static final AttributeTag SHARED_FUNCTIONAL_GROUPS = keyword("SharedFunctionalGroupsSequence");
    private static final AttributeTag PER_FRAME_FUNCTIONAL_GROUPS = keyword("PerFrameFunctionalGroupsSequence");
    private static final AttributeTag[] FUNCTIONAL_GROUPS = {SHARED_FUNCTIONAL_GROUPS, PER_FRAME_FUNCTIONAL_GROUPS};

    private HeaderExtraction() {}

    static Object[] extract(DataSetView l, String transferSyntaxUid) {
        Object[] v = new Object[COLUMNS.size()];
        v[I_SOP_INSTANCE_UID] = str(l, TagFromName.SOPInstanceUID);
        v[I_SERIES_INSTANCE_UID] = str(l, TagFromName.SeriesInstanceUID);
        v[I_STUDY_INSTANCE_UID] = str(l, TagFromName.StudyInstanceUID);
        v[I_SOP_CLASS_UID] = str(l, TagFromName.SOPClassUID);
        v[I_TRANSFER_SYNTAX_UID] = transferSyntaxUid;
        v[I_PATIENT_ID] = str(l, TagFromName.PatientID);
        v[I_PATIENT_SEX] = str(l, TagFromName.PatientSex);
        v[I_PATIENT_AGE_YEARS] = DicomReader.ageInYears(str(l, TagFromName.PatientAge));
        v[I_STUDY_DATE] = DicomReader.date(str(l, TagFromName.StudyDate));
        v[I_STUDY_DESCRIPTION] = str(l, TagFromName.StudyDescription);
        v[I_SERIES_DESCRIPTION] = str(l, TagFromName.SeriesDescription);
        v[I_SERIES_NUMBER] = integer(l.get(TagFromName.SeriesNumber));
        v[I_INSTANCE_NUMBER] = integer(l.get(TagFromName.InstanceNumber));
        v[I_MODALITY] = str(l, TagFromName.Modality);
        v[I_BODY_PART_EXAMINED] = str(l, TagFromName.BodyPartExamined);
        v[I_MANUFACTURER] = str(l, TagFromName.Manufacturer);
        v[I_ROWS] = integer(l.get(TagFromName.Rows));
        v[I_COLUMNS] = integer(l.get(TagFromName.Columns));

        v[I_STUDY_TIME] = str(l, TagFromName.StudyTime);
        v[I_SERIES_DATE] = DicomReader.date(str(l, TagFromName.SeriesDate));
        v[I_SERIES_TIME] = str(l, TagFromName.SeriesTime);
        String dt = str(l, ACQUISITION_DATETIME);
        if (dt == null) {
            String d = str(l, ACQUISITION_DATE);
            String t = str(l, ACQUISITION_TIME);
            dt = d == null ? null : t == null ? d : d + t;
        }
        v[I_ACQUISITION_DATE_TIME] = dt;
        v[I_ACCESSION_NUMBER] = str(l, TagFromName.AccessionNumber);
        v[I_STUDY_ID] = str(l, TagFromName.StudyID);
        v[I_ACQUISITION_NUMBER] = integer(l.get(TagFromName.AcquisitionNumber));
        v[I_IMAGE_TYPE] = joined(l.get(TagFromName.ImageType));
        v[I_PROTOCOL_NAME] = str(l, TagFromName.ProtocolName);
        v[I_MANUFACTURER_MODEL_NAME] = str(l, TagFromName.ManufacturerModelName);
        v[I_STATION_NAME] = str(l, STATION_NAME_TAG);
        v[I_INSTITUTION_NAME] = str(l, TagFromName.InstitutionName);
        v[I_SOFTWARE_VERSIONS] = joined(l.get(SOFTWARE_VERSIONS_TAG));

        v[I_NUMBER_OF_FRAMES] = integer(l.get(TagFromName.NumberOfFrames));
        v[I_PIXEL_SPACING] = doubles(fg(l, TagFromName.PixelSpacing), 2);
        v[I_SLICE_THICKNESS] = dbl(fg(l, TagFromName.SliceThickness));
        v[I_SPACING_BETWEEN_SLICES] = dbl(fg(l, TagFromName.SpacingBetweenSlices));
        v[I_IMAGE_POSITION_PATIENT] = doubles(fg(l, TagFromName.ImagePositionPatient), 3);
        v[I_IMAGE_ORIENTATION_PATIENT] = doubles(fg(l, TagFromName.ImageOrientationPatient), 6);
        v[I_SLICE_LOCATION] = dbl(l.get(TagFromName.SliceLocation));
        v[I_FRAME_OF_REFERENCE_UID] = str(l, TagFromName.FrameOfReferenceUID);
        v[I_BITS_ALLOCATED] = integer(l.get(TagFromName.BitsAllocated));
        v[I_BITS_STORED] = integer(l.get(TagFromName.BitsStored));
        v[I_PIXEL_REPRESENTATION] = integer(l.get(TagFromName.PixelRepresentation));
        v[I_PHOTOMETRIC_INTERPRETATION] = str(l, TagFromName.PhotometricInterpretation);
        v[I_SAMPLES_PER_PIXEL] = integer(l.get(TagFromName.SamplesPerPixel));
        v[I_RESCALE_SLOPE] = dbl(fg(l, TagFromName.RescaleSlope));
        v[I_RESCALE_INTERCEPT] = dbl(fg(l, TagFromName.RescaleIntercept));

        v[I_KVP] = dbl(fg(l, KVP_TAG));
        v[I_X_RAY_TUBE_CURRENT] = dbl(fg(l, X_RAY_TUBE_CURRENT_TAG));
        v[I_EXPOSURE] = dbl(fg(l, EXPOSURE_TAG));
        v[I_CONVOLUTION_KERNEL] = joined(fg(l, TagFromName.ConvolutionKernel));
        v[I_CTDI_VOL] = dbl(fg(l, CTDI_VOL_TAG));

        v[I_MAGNETIC_FIELD_STRENGTH] = dbl(l.get(MAGNETIC_FIELD_STRENGTH_TAG));
        v[I_REPETITION_TIME] = dbl(fg(l, TagFromName.RepetitionTime));
        Element te = l.get(TagFromName.EchoTime);
        v[I_ECHO_TIME] = dbl(te != null ? te : fg(l, EFFECTIVE_ECHO_TIME));
        v[I_INVERSION_TIME] = dbl(fg(l, INVERSION_TIME_TAG));
        v[I_FLIP_ANGLE] = dbl(fg(l, FLIP_ANGLE_TAG));
        v[I_SCANNING_SEQUENCE] = joined(l.get(SCANNING_SEQUENCE_TAG));
        v[I_SEQUENCE_VARIANT] = joined(l.get(SEQUENCE_VARIANT_TAG));
        v[I_SEQUENCE_NAME] = str(l, SEQUENCE_NAME_TAG);
        v[I_MR_ACQUISITION_TYPE] = str(fg(l, TagFromName.MRAcquisitionType));
        v[I_ECHO_TRAIN_LENGTH] = integer(fg(l, TagFromName.EchoTrainLength));
        v[I_DIFFUSION_B_VALUE] = dbl(fg(l, DIFFUSION_B_VALUE_TAG));

        v[I_DISTANCE_SOURCE_TO_DETECTOR] = dbl(fg(l, DISTANCE_SOURCE_TO_DETECTOR_TAG));
        v[I_POSITIONER_PRIMARY_ANGLE] = dbl(fg(l, POSITIONER_PRIMARY_ANGLE_TAG));
        v[I_POSITIONER_SECONDARY_ANGLE] = dbl(fg(l, POSITIONER_SECONDARY_ANGLE_TAG));
        v[I_TRANSDUCER_TYPE] = str(l, TRANSDUCER_TYPE_TAG);

        DataSetView rp = firstItem(l, RADIOPHARMACEUTICAL_INFORMATION_SEQUENCE);
        if (rp != null) {
            v[I_RADIOPHARMACEUTICAL] = str(rp, RADIOPHARMACEUTICAL_TAG);
            DataSetView nuclide = firstItem(rp, RADIONUCLIDE_CODE_SEQUENCE);
            v[I_RADIONUCLIDE] = nuclide == null ? null : str(nuclide, CODE_MEANING);
            v[I_RADIONUCLIDE_TOTAL_DOSE] = dbl(rp.get(RADIONUCLIDE_TOTAL_DOSE_TAG));
            v[I_RADIONUCLIDE_HALF_LIFE] = dbl(rp.get(RADIONUCLIDE_HALF_LIFE_TAG));
        }
        v[I_UNITS] = str(l, UNITS_TAG);
        v[I_DECAY_CORRECTION] = str(l, DECAY_CORRECTION_TAG);
        return v;
    }

    /**
     * The attribute at the top level or else in a functional group macro of the first item of
     * SharedFunctionalGroupsSequence, then PerFrameFunctionalGroupsSequence (enhanced multi-frame objects).
     */
    static Element fg(DataSetView l, AttributeTag tag) {
        Element a = l.get(tag);
        if (a != null) {
            return a;
        }
        for (AttributeTag groups : FUNCTIONAL_GROUPS) {
            DataSetView item = firstItem(l, groups);
            if (item == null) {
                continue;
            }
            for (int i = 0, n = item.size(); i < n; i++) {
                Element macro = item.at(i);
                if (macro.items() > 0) {
                    Element found = macro.item(0).get(tag);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    private static DataSetView firstItem(DataSetView l, AttributeTag tag) {
        Element a = l.get(tag);
        return a != null && a.items() > 0 ? a.item(0) : null;
    }

    private static String str(DataSetView l, AttributeTag tag) {
        return str(l.get(tag));
    }

    static String str(Element a) {
        if (a == null) {
            return null;
        }
        String v = a.singleStringOrNull();
        if (v == null) {
            return null;
        }
        v = v.trim();
        return v.isEmpty() ? null : v;
    }

    private static String joined(Element a) {
        if (a == null) {
            return null;
        }
        String v = a.delimitedStringsOrNull();
        if (v == null) {
            return null;
        }
        v = v.trim();
        return v.isEmpty() || v.chars().allMatch(c -> c == '\\' || c == ' ') ? null : v;
    }

    static Integer integer(Element a) {
        String v = str(a);
        if (v == null) {
            return null;
        }
        try {
            return Integer.valueOf(v.startsWith("+") ? v.substring(1) : v);
        } catch (NumberFormatException e) {
            Double d = parseDouble(v);
            return d == null || Math.abs(d) > Integer.MAX_VALUE ? null : (int) (double) d;
        }
    }

    static Double dbl(Element a) {
        return parseDouble(str(a));
    }

    private static Double parseDouble(String v) {
        if (v == null || v.isEmpty()) {
            return null;
        }
        char c = v.charAt(0);
        // Double.parseDouble accepts "NaN", "Infinity", hex floats and a trailing 'd'/'f': accept only decimals
        if (!(c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'))) {
            return null;
        }
        char last = v.charAt(v.length() - 1);
        if (!(last == '.' || (last >= '0' && last <= '9'))) {
            return null;
        }
        try {
            double d = Double.parseDouble(v);
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Exactly {@code n} decimal values, or {@code null}. */
    private static List<Double> doubles(Element a, int n) {
        if (a == null) {
            return null;
        }
        String[] s;
        try {
            s = a.strings();
        } catch (com.pixelmed.dicom.DicomException | RuntimeException e) {
            return null;
        }
        if (s == null || s.length != n) {
            return null;
        }
        List<Double> out = new ArrayList<>(n);
        for (String x : s) {
            Double d = parseDouble(x == null ? null : x.trim());
            if (d == null) {
                return null;
            }
            out.add(d);
        }
        return List.copyOf(out);
    }

    /** Keywords missing from this PixelMed build's {@code TagFromName}, from the toolkit's data dictionary. */
    static AttributeTag keyword(String keyword) {
        return ToolkitKeywords.tag(keyword);
    }
}
