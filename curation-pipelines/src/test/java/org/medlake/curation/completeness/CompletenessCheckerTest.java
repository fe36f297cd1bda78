package org.medlake.curation.completeness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;
import org.junit.jupiter.api.Test;

class CompletenessCheckerTest {
    static final double[] AXIAL = {1, 0, 0, 0, 1, 0};
    static final double[] SAGITTAL = {0, 1, 0, 0, 0, -1};

    static InstanceGeometry axial(String uid, int number, double z) {
        return slice(uid, number, z, null, null, null);
    }

    static InstanceGeometry slice(String uid, int number, double z, Integer echo, Integer temporal, Integer acq) {
        return InstanceGeometry.classic(uid, number, "CT", new double[] {-100, -100, z}, AXIAL, 64, 64,
                new double[] {0.7, 0.7}, echo, temporal, acq);
    }

    /** n axial slices at 2.5 mm, instance numbers 1..n. */
    static List<InstanceGeometry> stack(int n) {
        List<InstanceGeometry> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(axial("1.2.3." + (i + 1), i + 1, -10 + 2.5 * i));
        }
        return l;
    }

    @Test
    void regularStackIsComplete() {
        CompletenessReport r = CompletenessChecker.check(stack(10), null);
        assertThat(r.status()).isEqualTo(CompletenessStatus.COMPLETE);
        assertThat(r.reasons()).isEmpty();
        assertThat(r.slicePositions()).isEqualTo(10);
        assertThat(r.volumes()).isEqualTo(1);
        assertThat(r.sliceSpacing()).isCloseTo(2.5, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void sameSopUidTwiceIsDuplicate() {
        List<InstanceGeometry> l = stack(10);
        l.add(l.get(3));
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.status()).isEqualTo(CompletenessStatus.INCONSISTENT);
        assertThat(r.reasons()).extracting(Reason::code).containsExactly(Reason.Code.DUPLICATE_INSTANCE);
        assertThat(r.reasons().get(0).message()).contains("1.2.3.4 (x2)");
        assertThat(r.instances()).isEqualTo(10);
    }

    @Test
    void sameContentUnderNewUidIsDuplicate() {
        List<InstanceGeometry> l = new ArrayList<>();
        for (InstanceGeometry g : stack(5)) {
            l.add(g.withContentHash("hash-" + g.instanceNumber()));
        }
        l.add(axial("9.9.9", 6, -10 + 2.5 * 2).withContentHash("hash-3"));
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.has(Reason.Code.DUPLICATE_INSTANCE)).isTrue();
        assertThat(r.status()).isEqualTo(CompletenessStatus.INCONSISTENT);
    }

    @Test
    void extraInstanceAtOnePositionWithoutHashIsDuplicate() {
        List<InstanceGeometry> l = stack(10);
        l.add(axial("9.9.9", 11, -10 + 2.5 * 4));
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.reasons()).extracting(Reason::code).containsExactly(Reason.Code.DUPLICATE_INSTANCE);
    }

    @Test
    void instanceNumberGapIsIncomplete() {
        List<InstanceGeometry> l = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int number = i < 4 ? i + 1 : i + 3; // 5 and 6 skipped, geometry regular
            l.add(axial("1.2." + i, number, 2.5 * i));
        }
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.status()).isEqualTo(CompletenessStatus.INCOMPLETE);
        assertThat(r.reasons()).extracting(Reason::code).containsExactly(Reason.Code.INSTANCE_NUMBER_GAP);
        assertThat(r.reasons().get(0).message()).startsWith("2 InstanceNumber(s) missing").contains("5..6");
    }

    @Test
    void gapOfTwoSpacingsIsOneMissingSlice() {
        List<InstanceGeometry> l = stack(10);
        l.remove(4);
        // Renumber so that only geometry shows the hole.
        List<InstanceGeometry> renumbered = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            InstanceGeometry g = l.get(i);
            renumbered.add(axial(g.sopInstanceUid(), i + 1, g.position()[2]));
        }
        CompletenessReport r = CompletenessChecker.check(renumbered, null);
        assertThat(r.status()).isEqualTo(CompletenessStatus.INCOMPLETE);
        assertThat(r.reasons()).extracting(Reason::code).containsExactly(Reason.Code.MISSING_SLICE);
        assertThat(r.reasons().get(0).message()).startsWith("1 slice(s) missing").contains("between -2.50 and 2.50 mm");
        assertThat(r.sliceSpacing()).isEqualTo(2.5);
    }

    @Test
    void threeMissingSlicesAreCounted() {
        List<InstanceGeometry> l = stack(12);
        l.subList(5, 8).clear();
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.reasons()).extracting(Reason::code)
                .containsExactly(Reason.Code.INSTANCE_NUMBER_GAP, Reason.Code.MISSING_SLICE);
        assertThat(r.reasons().get(1).message()).startsWith("3 slice(s) missing");
    }

    @Test
    void nonMultipleGapIsUnevenSpacing() {
        List<InstanceGeometry> l = new ArrayList<>();
        double z = 0;
        for (int i = 0; i < 10; i++) {
            l.add(axial("1.2." + i, i + 1, z));
            z += i == 5 ? 3.6 : 2.5;
        }
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.status()).isEqualTo(CompletenessStatus.INCONSISTENT);
        assertThat(r.reasons()).extracting(Reason::code).containsExactly(Reason.Code.UNEVEN_SPACING);
        assertThat(r.reasons().get(0).message()).contains("3.600 mm");
    }

    @Test
    void roundingJitterIsNotUneven() {
        List<InstanceGeometry> l = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            l.add(axial("1.2." + i, i + 1, 1.25 * i + (i % 2 == 0 ? 0.004 : -0.004)));
        }
        assertThat(CompletenessChecker.check(l, null).status()).isEqualTo(CompletenessStatus.COMPLETE);
    }

    @Test
    void obliqueStackUsesTheSliceNormal() {
        // Rotated 30 degrees about x: slices advance along the normal (0, -sin, cos) by 3 mm each.
        double a = Math.toRadians(30);
        double[] o = {1, 0, 0, 0, Math.cos(a), Math.sin(a)};
        double[] n = CompletenessChecker.normal(o);
        List<InstanceGeometry> l = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            double[] p = {-50 + 0.3 * i, 20 + 3 * i * n[1] + 0.7 * i * o[4], 3 * i * n[2] + 0.7 * i * o[5]};
            l.add(InstanceGeometry.classic("1.2." + i, i + 1, "MR", p, o, 64, 64, new double[] {1, 1}, 1, null, 1));
        }
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.status()).isEqualTo(CompletenessStatus.COMPLETE);
        assertThat(r.sliceSpacing()).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void mixedOrientationIsInconsistent() {
        List<InstanceGeometry> l = stack(3);
        l.add(InstanceGeometry.classic("1.2.3.9", 4, "CT", new double[] {0, -100, 100}, SAGITTAL, 64, 64,
                new double[] {0.7, 0.7}, null, null, null));
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.status()).isEqualTo(CompletenessStatus.INCONSISTENT);
        assertThat(r.reasons()).extracting(Reason::code).containsExactly(Reason.Code.MIXED_ORIENTATION);
    }

    @Test
    void mixedMatrixIsInconsistent() {
        List<InstanceGeometry> l = stack(5);
        l.add(InstanceGeometry.classic("1.2.3.9", 6, "CT", new double[] {-100, -100, 2.5}, AXIAL, 128, 128,
                new double[] {0.7, 0.7}, null, null, null));
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.reasons()).extracting(Reason::code).contains(Reason.Code.MIXED_MATRIX);
        assertThat(r.reasons().stream().filter(x -> x.code() == Reason.Code.MIXED_MATRIX).findFirst().orElseThrow()
                .message()).contains("128x128=1").contains("64x64=5");
    }

    @Test
    void missingPositionIsMissingGeometry() {
        List<InstanceGeometry> l = stack(5);
        l.add(InstanceGeometry.classic("1.2.3.9", 6, "MR", null, AXIAL, 64, 64, null, null, null, null));
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.status()).isEqualTo(CompletenessStatus.INCOMPLETE);
        assertThat(r.reasons()).extracting(Reason::code).containsExactly(Reason.Code.MISSING_GEOMETRY);
        assertThat(r.reasons().get(0).message()).contains("1 lack ImagePositionPatient").contains("1 lack PixelSpacing");
    }

    @Test
    void projectionRadiographWithoutGeometryIsComplete() {
        InstanceGeometry cr = InstanceGeometry.classic("1.2.1", 1, "CR", null, null, 2000, 2500, null, null, null, null);
        InstanceGeometry lat = InstanceGeometry.classic("1.2.2", 2, "CR", null, null, 2500, 2000, null, null, null, null);
        assertThat(CompletenessChecker.check(List.of(cr, lat), null).status()).isEqualTo(CompletenessStatus.COMPLETE);
    }

    @Test
    void multiEchoSharingPositionsIsComplete() {
        List<InstanceGeometry> l = new ArrayList<>();
        int n = 1;
        for (int s = 0; s < 10; s++) {
            for (int e = 1; e <= 3; e++) {
                l.add(slice("1.2." + n, n, 4.0 * s, e, null, 1));
                n++;
            }
        }
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.reasons()).isEmpty();
        assertThat(r.volumes()).isEqualTo(3);
        assertThat(r.slicePositions()).isEqualTo(10);
    }

    @Test
    void multiVolumeWithoutIdentifiersIsComplete() {
        // DWI-like: 4 volumes at the same 10 positions, nothing in the header tells them apart.
        List<InstanceGeometry> l = new ArrayList<>();
        int n = 1;
        for (int v = 0; v < 4; v++) {
            for (int s = 0; s < 10; s++) {
                l.add(axial("1.2." + n, n, 5.0 * s));
                n++;
            }
        }
        CompletenessReport r = CompletenessChecker.check(l, new SeriesExpectations(40, 10, 4));
        assertThat(r.reasons()).isEmpty();
        assertThat(r.volumes()).isEqualTo(4);
    }

    @Test
    void multiVolumeMissingOneSliceInOneVolumeIsReported() {
        List<InstanceGeometry> l = new ArrayList<>();
        int n = 1;
        for (int v = 0; v < 3; v++) {
            for (int s = 0; s < 10; s++) {
                if (!(v == 1 && s == 6)) {
                    l.add(slice("1.2." + n, n, 5.0 * s, null, v + 1, null));
                }
                n++;
            }
        }
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.status()).isEqualTo(CompletenessStatus.INCOMPLETE);
        assertThat(r.reasons()).extracting(Reason::code)
                .containsExactly(Reason.Code.INSTANCE_NUMBER_GAP, Reason.Code.MISSING_SLICE);
    }

    @Test
    void temporalPositionsAgainstAnnouncedCount() {
        List<InstanceGeometry> l = new ArrayList<>();
        int n = 1;
        for (int t = 1; t <= 2; t++) {
            for (int s = 0; s < 5; s++) {
                l.add(new InstanceGeometry("1.2." + n, n, "MR", new double[] {0, 0, 3.0 * s}, AXIAL, 64, 64,
                        new double[] {1, 1}, 1, null, t, 1, null, 3, List.of(), null));
                n++;
            }
        }
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.status()).isEqualTo(CompletenessStatus.INCOMPLETE);
        assertThat(r.reasons()).extracting(Reason::code).containsExactly(Reason.Code.COUNT_MISMATCH);
        assertThat(r.reasons().get(0).message()).contains("NumberOfTemporalPositions says 3").contains("2 distinct");
    }

    @Test
    void imagesInAcquisitionShortfallIsCountMismatch() {
        List<InstanceGeometry> l = new ArrayList<>();
        for (InstanceGeometry g : stack(10)) {
            l.add(new InstanceGeometry(g.sopInstanceUid(), g.instanceNumber(), "CT", g.position(), g.orientation(), 64,
                    64, g.pixelSpacing(), 1, null, null, 1, 12, null, List.of(), null));
        }
        CompletenessReport r = CompletenessChecker.check(l, null);
        assertThat(r.reasons()).extracting(Reason::code).containsExactly(Reason.Code.COUNT_MISMATCH);
        assertThat(r.status()).isEqualTo(CompletenessStatus.INCOMPLETE);
    }

    @Test
    void moreInstancesThanExpectedIsInconsistent() {
        CompletenessReport r = CompletenessChecker.check(stack(10), new SeriesExpectations(8, null, null));
        assertThat(r.reasons()).extracting(Reason::code).containsExactly(Reason.Code.COUNT_MISMATCH);
        assertThat(r.status()).isEqualTo(CompletenessStatus.INCONSISTENT);
    }

    @Test
    void enhancedFramesAreSlicesAndFrameCountIsChecked() {
        List<InstanceGeometry.FrameGeometry> frames = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            if (i == 3) {
                continue; // a hole in the frame positions
            }
            frames.add(new InstanceGeometry.FrameGeometry(new double[] {0, 0, 2.0 * i}, AXIAL, new double[] {1, 1},
                    null, null, "1"));
        }
        InstanceGeometry g = new InstanceGeometry("1.2.1", 1, "MR", frames.get(0).position(), AXIAL, 64, 64,
                new double[] {1, 1}, 6, null, null, 1, null, null, frames, null);
        CompletenessReport r = CompletenessChecker.check(List.of(g), null);
        assertThat(r.reasons()).extracting(Reason::code)
                .containsExactly(Reason.Code.MISSING_SLICE, Reason.Code.COUNT_MISMATCH);
        assertThat(r.status()).isEqualTo(CompletenessStatus.INCONSISTENT);
    }

    @Test
    void emptyAndNullInputs() {
        assertThat(CompletenessChecker.check(List.of(), null).status()).isEqualTo(CompletenessStatus.INCOMPLETE);
        assertThatThrownBy(() -> CompletenessChecker.check(null, null)).isInstanceOf(CurationException.class)
                .extracting(e -> ((CurationException) e).code()).isEqualTo(ErrorCode.CURATION_BAD_ARGUMENT);
    }

    @Test
    void studyRollUpTakesTheWorstSeries() {
        CompletenessReport ok = CompletenessChecker.check(stack(5), null);
        List<InstanceGeometry> holed = stack(6);
        holed.remove(2);
        CompletenessReport bad = CompletenessChecker.check(holed, null);
        StudyCompleteness s = StudyCompleteness.of("1.9", Map.of("1.9.1", ok, "1.9.2", bad), 3);
        assertThat(s.status()).isEqualTo(CompletenessStatus.INCOMPLETE);
        assertThat(s.reasons()).extracting(Reason::code).contains(Reason.Code.MISSING_SLICE, Reason.Code.COUNT_MISMATCH);
        assertThat(s.reasons().get(0).message()).startsWith("Series 1.9.2: ");
        assertThat(s.seriesStatus()).containsEntry("1.9.1", CompletenessStatus.COMPLETE);
        assertThat(StudyCompleteness.of("1.9", Map.of("1.9.1", ok), null).status()).isEqualTo(CompletenessStatus.COMPLETE);
    }
}
