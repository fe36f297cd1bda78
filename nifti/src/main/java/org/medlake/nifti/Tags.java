package org.medlake.nifti;

import com.pixelmed.dicom.AttributeTag;

/** Standard attributes this PixelMed build has no {@code TagFromName} constant for, resolved by keyword from its dictionary. */
final class Tags {
    static final AttributeTag EFFECTIVE_ECHO_TIME = Attrs.keyword("EffectiveEchoTime");
    static final AttributeTag DIFFUSION_B_VALUE = Attrs.keyword("DiffusionBValue");
    static final AttributeTag DIFFUSION_GRADIENT_DIRECTION_SEQUENCE = Attrs.keyword("DiffusionGradientDirectionSequence");
    static final AttributeTag DIFFUSION_GRADIENT_ORIENTATION = Attrs.keyword("DiffusionGradientOrientation");
    static final AttributeTag TEMPORAL_POSITION_IDENTIFIER = Attrs.keyword("TemporalPositionIdentifier");
    static final AttributeTag IN_PLANE_PHASE_ENCODING_DIRECTION = Attrs.keyword("InPlanePhaseEncodingDirection");
    static final AttributeTag ACQUISITION_MATRIX = Attrs.keyword("AcquisitionMatrix");
    static final AttributeTag MAGNETIC_FIELD_STRENGTH = Attrs.keyword("MagneticFieldStrength");
    static final AttributeTag IMAGING_FREQUENCY = Attrs.keyword("ImagingFrequency");
    static final AttributeTag SCANNING_SEQUENCE = Attrs.keyword("ScanningSequence");
    static final AttributeTag SEQUENCE_VARIANT = Attrs.keyword("SequenceVariant");
    static final AttributeTag SCAN_OPTIONS = Attrs.keyword("ScanOptions");
    static final AttributeTag SEQUENCE_NAME = Attrs.keyword("SequenceName");
    static final AttributeTag FLIP_ANGLE = Attrs.keyword("FlipAngle");
    static final AttributeTag PIXEL_BANDWIDTH = Attrs.keyword("PixelBandwidth");
    static final AttributeTag PERCENT_PHASE_FIELD_OF_VIEW = Attrs.keyword("PercentPhaseFieldOfView");
    static final AttributeTag PERCENT_SAMPLING = Attrs.keyword("PercentSampling");
    static final AttributeTag NUMBER_OF_PHASE_ENCODING_STEPS = Attrs.keyword("NumberOfPhaseEncodingSteps");
    static final AttributeTag MR_ACQUISITION_TYPE = Attrs.keyword("MRAcquisitionType");
    static final AttributeTag SAR = Attrs.keyword("SAR");
    static final AttributeTag MR_FOV_GEOMETRY_SEQUENCE = Attrs.keyword("MRFOVGeometrySequence");
    static final AttributeTag MR_TIMING_SEQUENCE = Attrs.keyword("MRTimingAndRelatedParametersSequence");
    static final AttributeTag MR_ECHO_SEQUENCE = Attrs.keyword("MREchoSequence");
    static final AttributeTag MR_DIFFUSION_SEQUENCE = Attrs.keyword("MRDiffusionSequence");
    static final AttributeTag KVP = Attrs.keyword("KVP");

    /** Element codes the low-level readers compare with, taken from PixelMed's constants rather than typed in. */
    static final int META_GROUP = com.pixelmed.dicom.TagFromName.TransferSyntaxUID.getGroup();
    static final int TRANSFER_SYNTAX_ELEMENT = com.pixelmed.dicom.TagFromName.TransferSyntaxUID.getElement();
    static final int PIXEL_GROUP = com.pixelmed.dicom.TagFromName.PixelData.getGroup();
    static final int PIXEL_ELEMENT = com.pixelmed.dicom.TagFromName.PixelData.getElement();
    static final int FUNCTIONAL_GROUPS_GROUP = com.pixelmed.dicom.TagFromName.PerFrameFunctionalGroupsSequence.getGroup();
    static final int ITEM_GROUP = com.pixelmed.dicom.TagFromName.Item.getGroup();
    static final int ITEM = com.pixelmed.dicom.TagFromName.Item.getElement();
    static final int ITEM_DELIMITER = com.pixelmed.dicom.TagFromName.ItemDelimitationItem.getElement();
    static final int SEQUENCE_DELIMITER = com.pixelmed.dicom.TagFromName.SequenceDelimitationItem.getElement();
    static final int CHARSET_GROUP = com.pixelmed.dicom.TagFromName.SpecificCharacterSet.getGroup();
    static final int CHARSET_ELEMENT = com.pixelmed.dicom.TagFromName.SpecificCharacterSet.getElement();
    static final int IDENTIFYING_GROUP = com.pixelmed.dicom.TagFromName.SOPInstanceUID.getGroup();
    /** Siemens private groups (CSA headers, MR header): found through their private creators. */
    static final int SIEMENS_MR_GROUP = 0x0019;
    static final int SIEMENS_CSA_GROUP = 0x0029;
    static final int SIEMENS_MEDCOM_GROUP = 0x0051;
    /** GE private group holding "GEMS_PARM_01" (effective echo spacing). */
    static final int GE_PARM_GROUP = 0x0043;
    /** Siemens XA private group holding "SIEMENS MR SDI 02" (phase-encoding polarity). */
    static final int SIEMENS_XA_GROUP = 0x0021;

    private Tags() {}
}
