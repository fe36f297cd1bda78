package org.medlake.curation.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Classifies synthetic headers of every series type; each case sets only what the acquisition would carry. */
class SeriesClassifierTest {
    private final SeriesClassifier classifier = SeriesClassifier.withDefaults();

    private Classification classify(Headers h) {
        return classifier.classify(SeriesFeatures.from(h.build()));
    }

    private static Headers mr(String scanning, String tr, String te) {
        return Headers.series("MR").slices(20)
                .set(Tags.SCANNING_SEQUENCE, scanning.split("\\\\"))
                .set(Tags.SEQUENCE_VARIANT, "SK", "SP")
                .set(Tags.MR_ACQUISITION_TYPE, "2D")
                .set(Tags.REPETITION_TIME, tr)
                .set(Tags.ECHO_TIME, te)
                .set(Tags.FLIP_ANGLE, "90")
                .set(TagFromName.ImageType, "ORIGINAL", "PRIMARY", "M", "ND");
    }

    private static Headers epi() {
        return mr("EP", "2000", "30").set(Tags.SEQUENCE_NAME, "*epfid2d1_64").set(Tags.FLIP_ANGLE, "77");
    }

    @Test
    void t1wFromInversionPreparedGradientEcho() {
        Classification c = classify(mr("GR\\IR", "2300", "2.98").set(Tags.INVERSION_TIME, "900")
                .set(Tags.MR_ACQUISITION_TYPE, "3D").set(Tags.FLIP_ANGLE, "9"));
        assertThat(c.seriesType()).isEqualTo("T1W");
        assertThat(c.confidence()).isGreaterThanOrEqualTo(0.85);
        assertThat(c.evidence().get(0)).contains("TI 900 ms").contains("[mr-t1w-inversion-prepared]");
    }

    @Test
    void t1wFromShortTrShortTeSpinEcho() {
        Classification c = classify(mr("SE", "500", "12"));
        assertThat(c.seriesType()).isEqualTo("T1W");
        assertThat(c.evidence().get(0)).contains("TR 500 ms").contains("TE 12 ms");
    }

    @Test
    void t2wFromLongTrLongTeSpinEcho() {
        assertThat(classify(mr("SE", "4500", "95").set(Tags.ECHO_TRAIN_LENGTH, "15")).seriesType()).isEqualTo("T2W");
    }

    @Test
    void flairFromInversionRecoveryWithLongTi() {
        Classification c = classify(mr("SE\\IR", "9000", "85").set(Tags.INVERSION_TIME, "2500"));
        assertThat(c.seriesType()).isEqualTo("FLAIR");
        assertThat(c.evidence().get(0)).contains("TI 2500 ms");
    }

    @Test
    void pdFromLongTrShortTeSpinEcho() {
        assertThat(classify(mr("SE", "3000", "15")).seriesType()).isEqualTo("PD");
    }

    @Test
    void dwiFromStandardBValues() {
        Headers h = epi().set(Tags.ECHO_TIME, "89").repeats(2, false)
                .each((s, r, l) -> Headers.put(l, Tags.DIFFUSION_B_VALUE, r == 0 ? "0" : "1000"));
        Classification c = classify(h);
        assertThat(c.seriesType()).isEqualTo("DWI");
        assertThat(c.evidence().get(0)).contains("0\\1000");
    }

    @Test
    void dwiFromSiemensPrivateBValueWithoutStandardAttribute() {
        Headers h = epi().set(Tags.SEQUENCE_NAME, "ep2d_diff").repeats(2, false)
                .each((s, r, l) -> Headers.putPrivate(l, Tags.SIEMENS_B_VALUE, "IS".getBytes(), r == 0 ? "0" : "800"));
        Classification c = classify(h);
        assertThat(c.seriesType()).isEqualTo("DWI");
        assertThat(c.evidence().get(0)).contains("800");
    }

    @Test
    void adcFromImageTypeEvenWithBValues() {
        Headers h = epi().set(TagFromName.ImageType, "DERIVED", "PRIMARY", "DIFFUSION", "ADC")
                .set(Tags.DIFFUSION_B_VALUE, "1000");
        assertThat(classify(h).seriesType()).isEqualTo("ADC");
    }

    @Test
    void boldFromEpiTimeSeries() {
        Classification c = classify(epi().set(Tags.SEQUENCE_NAME, "epi").slices(30).repeats(40, true));
        assertThat(c.seriesType()).isEqualTo("BOLD");
        assertThat(c.confidence()).isGreaterThan(0.9);
        assertThat(c.evidence().get(0)).contains("40 repeats per position");
    }

    @Test
    void perfusionDscFromEpiTimeSeriesWithContrast() {
        Headers h = epi().set(Tags.ECHO_TIME, "40").set(Tags.CONTRAST_BOLUS_AGENT, "GADOVIST").slices(20).repeats(50, true);
        Classification c = classify(h);
        assertThat(c.seriesType()).isEqualTo("PERFUSION");
        assertThat(c.evidence().get(0)).contains("GADOVIST");
    }

    @Test
    void perfusionAslFromImageTypeAndSequence() {
        Headers h = mr("SE\\EP", "4600", "16").set(Tags.SEQUENCE_NAME, "tgse_pcasl3d1").set(TagFromName.ImageType,
                "ORIGINAL", "PRIMARY", "ASL").repeats(2, false);
        assertThat(classify(h).seriesType()).isEqualTo("PERFUSION");
    }

    @Test
    void fieldmapFromDualEchoPhaseImages() {
        Headers h = mr("GR", "488", "4.92").set(TagFromName.ImageType, "ORIGINAL", "PRIMARY", "P", "ND")
                .set(Tags.FLIP_ANGLE, "60").slices(30)
                .each((s, r, l) -> Headers.put(l, Tags.ECHO_TIME, s % 2 == 0 ? "4.92" : "7.38"));
        Classification c = classify(h);
        assertThat(c.seriesType()).isEqualTo("FIELDMAP");
        assertThat(c.evidence().get(0)).contains("2 short echo times");
    }

    @Test
    void fieldmapFromImageType() {
        assertThat(classify(mr("GR", "20", "3").set(TagFromName.ImageType, "ORIGINAL", "PRIMARY", "B0MAP")).seriesType())
                .isEqualTo("FIELDMAP");
    }

    @Test
    void swiFromLongTeThreeDimensionalGradientEcho() {
        Headers h = mr("GR", "27", "20").set(Tags.MR_ACQUISITION_TYPE, "3D").set(Tags.FLIP_ANGLE, "15").slices(72);
        assertThat(classify(h).seriesType()).isEqualTo("SWI");
    }

    @Test
    void swiFromImageType() {
        assertThat(classify(mr("GR", "27", "20").set(TagFromName.ImageType, "DERIVED", "PRIMARY", "MNIP")).seriesType())
                .isEqualTo("SWI");
    }

    @Test
    void localizerFromThreeOrientations() {
        Headers h = mr("GR", "8.6", "4").set(Tags.FLIP_ANGLE, "20").slices(9).each((s, r, l) -> {
            String[][] ori = {{"1", "0", "0", "0", "1", "0"}, {"1", "0", "0", "0", "0", "-1"}, {"0", "1", "0", "0", "0", "-1"}};
            Headers.put(l, TagFromName.ImageOrientationPatient, ori[s % 3]);
        });
        Classification c = classify(h);
        assertThat(c.seriesType()).isEqualTo("LOCALIZER");
        assertThat(c.evidence().get(0)).contains("3 different slice orientations");
    }

    @Test
    void localizerFromFast2dGradientEchoButThreeDimensionalIsT1w() {
        Classification scout = classify(mr("GR", "8", "3.2").set(Tags.FLIP_ANGLE, "20").slices(5));
        assertThat(scout.seriesType()).isEqualTo("LOCALIZER");
        Classification spgr = classify(mr("GR", "8", "3.2").set(Tags.FLIP_ANGLE, "12").set(Tags.MR_ACQUISITION_TYPE, "3D")
                .slices(160));
        assertThat(spgr.seriesType()).isEqualTo("T1W");
    }

    @Test
    void descriptionThatLiesLosesToAcquisition() {
        Headers h = epi().set(Tags.ECHO_TIME, "89").set(TagFromName.SeriesDescription, "T1 MPRAGE SAG").repeats(2, false)
                .each((s, r, l) -> Headers.put(l, Tags.DIFFUSION_B_VALUE, r == 0 ? "0" : "1000"));
        Classification c = classify(h);
        assertThat(c.seriesType()).isEqualTo("DWI");
        assertThat(c.evidence()).anyMatch(e -> e.startsWith("(overridden by acquisition evidence) T1W")
                && e.contains("T1 MPRAGE SAG"));
    }

    @Test
    void blankDescriptionStillClassifiesFromAcquisition() {
        Headers h = mr("SE\\IR", "9000", "85").set(Tags.INVERSION_TIME, "2500").set(TagFromName.SeriesDescription, "  ")
                .set(TagFromName.ProtocolName, "");
        Classification c = classify(h);
        assertThat(c.seriesType()).isEqualTo("FLAIR");
        assertThat(c.evidence()).noneMatch(e -> e.contains("description"));
    }

    @Test
    void descriptionDecidesOnlyWhenTheAcquisitionSaysNothing() {
        Headers h = Headers.series("MR").set(TagFromName.SeriesDescription, "Ax FLAIR");
        Classification c = classify(h);
        assertThat(c.seriesType()).isEqualTo("FLAIR");
        assertThat(c.confidence()).isLessThanOrEqualTo(RuleSet.MAX_WEAK_WEIGHT);
        assertThat(c.evidence().get(0)).startsWith("(weak)");
    }

    @Test
    void nothingKnownIsOtherWithTheFallbackConfidence() {
        Classification c = classify(Headers.series("MR"));
        assertThat(c.seriesType()).isEqualTo("OTHER");
        assertThat(c.confidence()).isEqualTo(classifier.rules().fallbackConfidence());
        assertThat(c.rulesVersion()).isEqualTo(classifier.rules().version());
    }

    private static Headers ct() {
        return Headers.series("CT").slices(40).set(TagFromName.ImageType, "ORIGINAL", "PRIMARY", "AXIAL")
                .set(Tags.KVP, "120");
    }

    @Test
    void ctLocalizerFromImageType() {
        Classification c = classify(Headers.series("CT").set(TagFromName.ImageType, "ORIGINAL", "PRIMARY", "LOCALIZER")
                .set(Tags.CTDI_VOL, "0.13"));
        assertThat(c.seriesType()).isEqualTo("LOCALIZER");
        assertThat(c.attributes()).containsEntry("dose", "LOW");
    }

    @Test
    void ctLowDoseFromCtdiVol() {
        Classification c = classify(ct().set(Tags.CTDI_VOL, "1.4").set(TagFromName.BodyPartExamined, "CHEST"));
        assertThat(c.seriesType()).isEqualTo("LOW_DOSE");
        assertThat(c.attributes()).containsEntry("dose", "LOW").containsEntry("body_region", "CHEST")
                .containsEntry("contrast", "NON_CONTRAST");
        assertThat(c.evidence().get(0)).contains("CTDIvol 1.4 mGy");
    }

    @Test
    void ctStandardDoseFromExposureWhenCtdiIsMissing() {
        Classification c = classify(ct().set(Tags.EXPOSURE, "250"));
        assertThat(c.seriesType()).isEqualTo("STANDARD_DOSE");
        assertThat(c.attributes()).containsEntry("dose", "STANDARD").containsEntry("body_region", "UNKNOWN");
    }

    @Test
    void ctContrastFromContrastBolusAgentBeatsDescription() {
        Classification c = classify(ct().set(Tags.CTDI_VOL, "12").set(Tags.CONTRAST_BOLUS_AGENT, "OMNIPAQUE 350")
                .set(TagFromName.SeriesDescription, "ABD W/O"));
        assertThat(c.seriesType()).isEqualTo("STANDARD_DOSE");
        assertThat(c.attributes()).containsEntry("contrast", "CONTRAST").containsEntry("body_region", "ABDOMEN");
    }

    @Test
    void ctContrastFromDescriptionWhenTheModuleIsAbsent() {
        Classification c = classify(ct().set(Tags.CTDI_VOL, "12").set(TagFromName.SeriesDescription, "CHEST W/ CONTRAST"));
        assertThat(c.attributes()).containsEntry("contrast", "CONTRAST");
    }

    @Test
    void dxProjectionFromViewPosition() {
        Classification c = classify(Headers.series("DX").set(TagFromName.ViewPosition, "PA")
                .set(TagFromName.BodyPartExamined, "CHEST").set(TagFromName.SeriesDescription, "AP portable"));
        assertThat(c.seriesType()).isEqualTo("PA");
        assertThat(c.attributes()).containsEntry("body_region", "CHEST");
        Classification lat = classify(Headers.series("CR").set(TagFromName.ViewPosition, "LL"));
        assertThat(lat.seriesType()).isEqualTo("LAT");
    }

    @Test
    void mammographyProjection() {
        assertThat(classify(Headers.series("MG").set(TagFromName.ViewPosition, "MLO")).seriesType()).isEqualTo("MLO");
    }

    @Test
    void otherModalitiesAreOther() {
        Classification c = classify(Headers.series("PT"));
        assertThat(c.modality()).isEqualTo("PT");
        assertThat(c.seriesType()).isEqualTo("OTHER");
        assertThat(c.attributes()).isEmpty();
    }

    @Test
    void everyDocumentedMrTypeIsReachableFromTheRules() {
        assertThat(classifier.rules().labels().get(Rule.SERIES_TYPE)).contains("T1W", "T2W", "FLAIR", "PD", "DWI", "ADC",
                "BOLD", "PERFUSION", "FIELDMAP", "SWI", "LOCALIZER", "LOW_DOSE", "STANDARD_DOSE", "PA", "AP", "LAT");
    }

    @Test
    void classificationIsImmutable() {
        List<AttributeList> h = epi().repeats(12, true).build();
        Classification c = classifier.classify(SeriesFeatures.from(h));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.evidence().add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.attributes().put("x", "y"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
