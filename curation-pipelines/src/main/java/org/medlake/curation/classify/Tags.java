package org.medlake.curation.classify;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.TagFromName;

/**
 * Every DICOM tag the classifier reads, in one place. Standard tags come from PixelMed's {@link TagFromName}; the
 * keywords this PixelMed build's {@code TagFromName} lacks are looked up by name in its standard dictionary (never
 * typed as hex). Vendor private tags are described by group, private creator and element offset, because their
 * element number depends on the block the private creator reserved in each file.
 */
final class Tags {
    private Tags() {}

    static final AttributeTag MODALITY = TagFromName.Modality;
    static final AttributeTag SOP_CLASS_UID = TagFromName.SOPClassUID;
    static final AttributeTag SERIES_INSTANCE_UID = TagFromName.SeriesInstanceUID;
    static final AttributeTag MANUFACTURER = TagFromName.Manufacturer;
    static final AttributeTag IMAGE_TYPE = TagFromName.ImageType;
    static final AttributeTag SERIES_DESCRIPTION = TagFromName.SeriesDescription;
    static final AttributeTag PROTOCOL_NAME = TagFromName.ProtocolName;
    static final AttributeTag BODY_PART_EXAMINED = TagFromName.BodyPartExamined;
    static final AttributeTag VIEW_POSITION = TagFromName.ViewPosition;
    static final AttributeTag IMAGE_LATERALITY = TagFromName.ImageLaterality;
    static final AttributeTag LATERALITY = keyword("Laterality");
    static final AttributeTag ROWS = TagFromName.Rows;
    static final AttributeTag COLUMNS = TagFromName.Columns;
    static final AttributeTag NUMBER_OF_FRAMES = TagFromName.NumberOfFrames;
    static final AttributeTag IMAGE_POSITION_PATIENT = TagFromName.ImagePositionPatient;
    static final AttributeTag IMAGE_ORIENTATION_PATIENT = TagFromName.ImageOrientationPatient;
    static final AttributeTag ACQUISITION_NUMBER = TagFromName.AcquisitionNumber;
    static final AttributeTag TEMPORAL_POSITION_IDENTIFIER = keyword("TemporalPositionIdentifier");
    static final AttributeTag NUMBER_OF_TEMPORAL_POSITIONS = keyword("NumberOfTemporalPositions");

    // MR acquisition
    static final AttributeTag SCANNING_SEQUENCE = keyword("ScanningSequence");
    static final AttributeTag SEQUENCE_VARIANT = keyword("SequenceVariant");
    static final AttributeTag SCAN_OPTIONS = keyword("ScanOptions");
    static final AttributeTag MR_ACQUISITION_TYPE = TagFromName.MRAcquisitionType;
    static final AttributeTag SEQUENCE_NAME = keyword("SequenceName");
    static final AttributeTag PULSE_SEQUENCE_NAME = TagFromName.PulseSequenceName;
    static final AttributeTag ACQUISITION_CONTRAST = keyword("AcquisitionContrast");
    static final AttributeTag ECHO_PULSE_SEQUENCE = keyword("EchoPulseSequence");
    static final AttributeTag INVERSION_RECOVERY = keyword("InversionRecovery");
    static final AttributeTag ECHO_PLANAR_PULSE_SEQUENCE = keyword("EchoPlanarPulseSequence");
    static final AttributeTag REPETITION_TIME = TagFromName.RepetitionTime;
    static final AttributeTag ECHO_TIME = keyword("EchoTime");
    static final AttributeTag EFFECTIVE_ECHO_TIME = keyword("EffectiveEchoTime");
    static final AttributeTag INVERSION_TIME = keyword("InversionTime");
    static final AttributeTag INVERSION_TIMES = keyword("InversionTimes");
    static final AttributeTag FLIP_ANGLE = keyword("FlipAngle");
    static final AttributeTag ECHO_TRAIN_LENGTH = TagFromName.EchoTrainLength;
    static final AttributeTag MAGNETIC_FIELD_STRENGTH = keyword("MagneticFieldStrength");
    static final AttributeTag DIFFUSION_B_VALUE = keyword("DiffusionBValue");
    static final AttributeTag DIFFUSION_DIRECTIONALITY = keyword("DiffusionDirectionality");
    static final AttributeTag ARTERIAL_SPIN_LABELING_CONTRAST = keyword("ArterialSpinLabelingContrast");
    static final AttributeTag ASL_TECHNIQUE_DESCRIPTION = keyword("ASLTechniqueDescription");

    // Enhanced multi-frame functional groups
    static final AttributeTag SHARED_FUNCTIONAL_GROUPS = TagFromName.SharedFunctionalGroupsSequence;
    static final AttributeTag PER_FRAME_FUNCTIONAL_GROUPS = TagFromName.PerFrameFunctionalGroupsSequence;
    static final AttributeTag MR_TIMING_SEQUENCE = TagFromName.MRTimingAndRelatedParametersSequence;
    static final AttributeTag MR_ECHO_SEQUENCE = TagFromName.MREchoSequence;
    static final AttributeTag MR_DIFFUSION_SEQUENCE = TagFromName.MRDiffusionSequence;
    static final AttributeTag MR_MODIFIER_SEQUENCE = TagFromName.MRModifierSequence;
    static final AttributeTag MR_IMAGE_FRAME_TYPE_SEQUENCE = TagFromName.MRImageFrameTypeSequence;
    static final AttributeTag CT_IMAGE_FRAME_TYPE_SEQUENCE = keyword("CTImageFrameTypeSequence");
    static final AttributeTag FRAME_TYPE = TagFromName.FrameType;
    static final AttributeTag FRAME_CONTENT_SEQUENCE = TagFromName.FrameContentSequence;
    static final AttributeTag TEMPORAL_POSITION_INDEX = TagFromName.TemporalPositionIndex;
    static final AttributeTag PLANE_POSITION_SEQUENCE = TagFromName.PlanePositionSequence;
    static final AttributeTag PLANE_ORIENTATION_SEQUENCE = TagFromName.PlaneOrientationSequence;
    static final AttributeTag CT_EXPOSURE_SEQUENCE = TagFromName.CTExposureSequence;
    static final AttributeTag MR_ASL_SEQUENCE = keyword("MRArterialSpinLabelingSequence");

    // CT / X-ray dose and contrast
    static final AttributeTag CTDI_VOL = keyword("CTDIvol");
    static final AttributeTag EXPOSURE = keyword("Exposure");
    static final AttributeTag EXPOSURE_IN_MAS = keyword("ExposureInmAs");
    static final AttributeTag XRAY_TUBE_CURRENT = keyword("XRayTubeCurrent");
    static final AttributeTag EXPOSURE_TIME = keyword("ExposureTime");
    static final AttributeTag KVP = keyword("KVP");
    static final AttributeTag CONTRAST_BOLUS_AGENT = TagFromName.ContrastBolusAgent;
    static final AttributeTag CONTRAST_BOLUS_INGREDIENT = TagFromName.ContrastBolusIngredient;
    static final AttributeTag CONTRAST_BOLUS_ROUTE = TagFromName.ContrastBolusRoute;
    static final AttributeTag CONTRAST_BOLUS_AGENT_SEQUENCE = TagFromName.ContrastBolusAgentSequence;

    /**
     * A vendor private element: found in {@code group} under the block reserved by {@code creator}, at
     * {@code offset} within the block (element = block &lt;&lt; 8 | offset).
     */
    record PrivateTag(int group, String creator, int offset, String meaning) {
        /** The private creator element of a block (block in 0x10..0xFF). */
        AttributeTag creatorTag(int block) {
            return new AttributeTag(group, block);
        }

        /** The element in a block. */
        AttributeTag tag(int block) {
            return new AttributeTag(group, (block << 8) | offset);
        }
    }

    /**
     * Siemens "SIEMENS MR HEADER" (0019,xx0C) B_value, IS. Documented in the Siemens MR syngo DICOM conformance
     * statement (private MR image header) and used by dcm2niix for Siemens diffusion.
     */
    static final PrivateTag SIEMENS_B_VALUE = new PrivateTag(0x0019, "SIEMENS MR HEADER", 0x0C, "Siemens B_value");
    /** Siemens "SIEMENS MR HEADER" (0019,xx0D) DiffusionDirectionality, CS (DIRECTIONAL, NONE, ...). */
    static final PrivateTag SIEMENS_DIFFUSION_DIRECTIONALITY =
            new PrivateTag(0x0019, "SIEMENS MR HEADER", 0x0D, "Siemens DiffusionDirectionality");
    /**
     * GE "GEMS_PARM_01" (0043,xx39) Slop_int_6..9: the first value is the b-value (some software versions add
     * 1,000,000,000 to it). Documented in the GE Signa DICOM conformance statements.
     */
    static final PrivateTag GE_B_VALUE = new PrivateTag(0x0043, "GEMS_PARM_01", 0x39, "GE Slop_int_6 (b-value)");
    /** Philips "Philips Imaging DD 001" (2001,xx03) DiffusionB_Factor, FL. Philips MR DICOM conformance statement. */
    static final PrivateTag PHILIPS_B_VALUE = new PrivateTag(0x2001, "Philips Imaging DD 001", 0x03, "Philips DiffusionB_Factor");

    /** Keywords missing from this PixelMed build's {@code TagFromName} are looked up in its dictionary by name. */
    static AttributeTag keyword(String keyword) {
        AttributeTag tag = DicomDictionary.StandardDictionary.getTagFromName(keyword);
        if (tag == null) {
            throw new IllegalStateException("PixelMed's dictionary does not know the keyword " + keyword
                    + "; this is a bug in org.medlake.curation.classify.Tags");
        }
        return tag;
    }
}
