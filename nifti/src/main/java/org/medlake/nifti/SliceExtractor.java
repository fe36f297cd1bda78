package org.medlake.nifti;

import org.medlake.dicom.DicomValues;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one instance into its 2D {@link Slice}s: one for a classic image, one per frame of an enhanced multi-frame
 * image (geometry and order from its functional groups), one per tile of a Siemens mosaic.
 */
final class SliceExtractor {
    private static final double[] DEFAULT_IOP = {1, 0, 0, 0, 1, 0};

    private SliceExtractor() {}

    /**
     * @throws NiftiException NIFTI_UNSUPPORTED for colour images or mosaics that cannot be unpacked
     */
    static List<Slice> slices(Instance inst) {
        Integer spp = Attrs.integer(inst.header, TagFromName.SamplesPerPixel);
        if (spp != null && spp != 1) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_UNSUPPORTED, inst.path + " has SamplesPerPixel "
                    + spp + ". Cause: colour images (secondary captures, ultrasound, photos) are not converted. "
                    + "Fix: none; only greyscale image series become NIfTI.");
        }
        if (inst.isEnhanced()) {
            return enhanced(inst);
        }
        if (inst.isSiemens() && MosaicLayout.isMosaic(inst)) {
            return mosaic(inst);
        }
        return classic(inst);
    }

    private static List<Slice> classic(Instance inst) {
        AttributeList h = inst.header;
        double[] iop = orientation(h);
        double[] ipp = position(h);
        double[] ps = spacing(h);
        double[] rescale = rescale(h);
        int echo = echo(h);
        boolean phase = isPhase(inst.imageType());
        Integer tpi = Attrs.integer(h, Tags.TEMPORAL_POSITION_IDENTIFIER);
        double time = seconds(DicomValues.string(h, TagFromName.AcquisitionTime));
        double trigger = DicomValues.decimal(h, TagFromName.TriggerTime) == null ? Double.NaN
                : DicomValues.decimal(h, TagFromName.TriggerTime) / 1000.0;
        double[] diff = diffusion(inst, h, null);
        List<Slice> out = new ArrayList<>();
        // Classic images carry no order hint: dcm2niix sorts them along the normal whatever their numbering.
        // Classic multi-frame (NM, US, old MR) stacks frames along the normal by SpacingBetweenSlices.
        double[] step = Vec.scale(Vec.normalize(Vec.cross(Vec.row(iop), Vec.col(iop))), sliceSpacing(h));
        for (int f = 0; f < inst.frames; f++) {
            double[] key = {tpi == null ? 0 : tpi, inst.instanceNumber, f};
            out.add(new Slice(inst, f, -1, inst.rows, inst.columns, Vec.add(ipp, Vec.scale(step, f)), iop, ps[1], ps[0],
                    rescale[0], rescale[1], echo, phase, key, 0,
                    Double.isNaN(trigger) ? time : trigger, diff[0], gradient(diff), null));
        }
        return out;
    }

    private static List<Slice> mosaic(Instance inst) {
        AttributeList h = inst.header;
        MosaicLayout m = MosaicLayout.of(inst);
        double[] iop = orientation(h);
        double[] ps = spacing(h);
        double[] rescale = rescale(h);
        double[] first = m.firstTilePosition(position(h), iop, ps[1], ps[0], inst.rows, inst.columns);
        double[] cross = Vec.normalize(Vec.cross(Vec.row(iop), Vec.col(iop)));
        // Tiles run along the CSA slice normal; dcm2niix keeps the cross product's axis with that sign.
        double[] csaNormal = inst.csa().decimals("SliceNormalVector");
        double sign = csaNormal != null && csaNormal.length == 3 && Vec.dot(csaNormal, cross) < 0 ? -1 : 1;
        double[] step = Vec.scale(cross, sign * sliceSpacing(h));
        double[] times = inst.csa().decimals("MosaicRefAcqTimes");
        double[] diff = diffusion(inst, h, null);
        int echo = echo(h);
        boolean phase = isPhase(inst.imageType());
        List<Slice> out = new ArrayList<>();
        for (int k = 0; k < m.count(); k++) {
            double t = times != null && k < times.length ? times[k] / 1000.0 : Double.NaN;
            out.add(new Slice(inst, 0, k, m.tileRows(), m.tileColumns(), Vec.add(first, Vec.scale(step, k)), iop,
                    ps[1], ps[0], rescale[0], rescale[1], echo, phase, new double[] {0, inst.instanceNumber}, k, t,
                    diff[0], gradient(diff), m));
        }
        return out;
    }

    private static List<Slice> enhanced(Instance inst) {
        AttributeList h = inst.header;
        AttributeList shared = DicomValues.item(h, TagFromName.SharedFunctionalGroupsSequence, 0);
        int n = Math.min(inst.frames, DicomValues.items(h, TagFromName.PerFrameFunctionalGroupsSequence));
        // Dimension indices that are spatial are left out of the volume key: position sorts those.
        List<AttributeTag> pointers = new ArrayList<>();
        for (int i = 0; i < DicomValues.items(h, TagFromName.DimensionIndexSequence); i++) {
            AttributeList d = DicomValues.item(h, TagFromName.DimensionIndexSequence, i);
            AttributeTag p = null;
            try {
                com.pixelmed.dicom.Attribute a = d.get(TagFromName.DimensionIndexPointer);
                if (a instanceof com.pixelmed.dicom.AttributeTagAttribute at && at.getVM() > 0) {
                    p = at.getAttributeTagValues()[0];
                }
            } catch (Exception e) {
                p = null;
            }
            pointers.add(p);
        }
        boolean phase = isPhase(inst.imageType());
        double[] baseRescale = rescale(h);
        List<Slice> out = new ArrayList<>();
        double firstTime = Double.NaN;
        for (int f = 0; f < n; f++) {
            AttributeList pf = DicomValues.item(h, TagFromName.PerFrameFunctionalGroupsSequence, f);
            double[] ipp = DicomValues.doubles(group(pf, shared, TagFromName.PlanePositionSequence), TagFromName.ImagePositionPatient, 3);
            double[] iop = DicomValues.doubles(group(pf, shared, TagFromName.PlaneOrientationSequence), TagFromName.ImageOrientationPatient, 6);
            AttributeList measures = group(pf, shared, TagFromName.PixelMeasuresSequence);
            double[] ps = DicomValues.doubles(measures, TagFromName.PixelSpacing, 2);
            AttributeList pvt = group(pf, shared, TagFromName.PixelValueTransformationSequence);
            Double slope = DicomValues.decimal(pvt, TagFromName.RescaleSlope);
            Double intercept = DicomValues.decimal(pvt, TagFromName.RescaleIntercept);
            AttributeList content = DicomValues.item(pf, TagFromName.FrameContentSequence, 0);
            double[] div = DicomValues.doubles(content, TagFromName.DimensionIndexValues, 1);
            Integer inStack = Attrs.integer(content, TagFromName.InStackPositionNumber);
            Integer temporal = Attrs.integer(content, TagFromName.TemporalPositionIndex);
            AttributeList echoSeq = group(pf, shared, Tags.MR_ECHO_SEQUENCE);
            Double te = DicomValues.decimal(echoSeq, Tags.EFFECTIVE_ECHO_TIME);
            List<Double> key = new ArrayList<>();
            if (div != null) {
                for (int i = 0; i < div.length; i++) {
                    AttributeTag p = i < pointers.size() ? pointers.get(i) : null;
                    if (p != null && (p.equals(TagFromName.InStackPositionNumber) || p.equals(TagFromName.ImagePositionPatient)
                            || p.equals(TagFromName.StackID))) {
                        continue;
                    }
                    key.add(div[i]);
                }
            }
            key.add(temporal == null ? 0.0 : temporal);
            key.add((double) inst.instanceNumber);
            key.add((double) f);
            double[] k = key.stream().mapToDouble(Double::doubleValue).toArray();
            double t = dateTimeSeconds(DicomValues.string(content, TagFromName.FrameAcquisitionDateTime));
            AttributeList diffSeq = group(pf, shared, Tags.MR_DIFFUSION_SEQUENCE);
            double[] diff = diffusion(inst, h, diffSeq);
            out.add(new Slice(inst, f, -1, inst.rows, inst.columns, ipp == null ? new double[3] : ipp,
                    iop == null ? DEFAULT_IOP : iop, ps == null ? 1 : ps[1], ps == null ? 1 : ps[0],
                    slope == null || slope == 0 ? baseRescale[0] : slope, intercept == null ? baseRescale[1] : intercept,
                    te == null ? 1 : (int) Math.round(te * 1000), phase, k, inStack == null ? f : inStack, t,
                    diff[0], gradient(diff), null));
        }
        return out;
    }

    /** Item 0 of a functional group sequence, per-frame first, then shared. */
    private static AttributeList group(AttributeList perFrame, AttributeList shared, AttributeTag seq) {
        AttributeList a = DicomValues.item(perFrame, seq, 0);
        return a != null ? a : DicomValues.item(shared, seq, 0);
    }

    static double[] orientation(AttributeList h) {
        double[] v = DicomValues.doubles(h, TagFromName.ImageOrientationPatient, 6);
        return v == null ? DEFAULT_IOP : v;
    }

    static double[] position(AttributeList h) {
        double[] v = DicomValues.doubles(h, TagFromName.ImagePositionPatient, 3);
        return v == null ? new double[3] : new double[] {v[0], v[1], v[2]};
    }

    /** PixelSpacing [between rows, between columns]; ImagerPixelSpacing or 1 mm when absent. */
    static double[] spacing(AttributeList h) {
        double[] v = DicomValues.doubles(h, TagFromName.PixelSpacing, 2);
        if (v == null) {
            v = DicomValues.doubles(h, TagFromName.ImagerPixelSpacing, 2);
        }
        return v == null || v[0] <= 0 || v[1] <= 0 ? new double[] {1, 1} : v;
    }

    /** SpacingBetweenSlices, else SliceThickness, else 1 mm. */
    static double sliceSpacing(AttributeList h) {
        Double s = DicomValues.decimal(h, TagFromName.SpacingBetweenSlices);
        if (s == null || s <= 0) {
            s = DicomValues.decimal(h, TagFromName.SliceThickness);
        }
        return s == null || s <= 0 ? 1 : s;
    }

    static double[] rescale(AttributeList h) {
        Double slope = DicomValues.decimal(h, TagFromName.RescaleSlope);
        Double intercept = DicomValues.decimal(h, TagFromName.RescaleIntercept);
        return new double[] {slope == null || slope == 0 ? 1 : slope, intercept == null ? 0 : intercept};
    }

    private static int echo(AttributeList h) {
        Integer e = Attrs.integer(h, TagFromName.EchoNumbers);
        return e == null ? 1 : e;
    }

    static boolean isPhase(String[] imageType) {
        for (String t : imageType) {
            if (t.equals("P") || t.equals("PHASE")) {
                return true;
            }
        }
        return false;
    }

    /**
     * [b, gx, gy, gz] with NaN where unknown: standard attributes (top level, else a classic image's MRDiffusionSequence;
     * the enhanced frame's sequence when given), else the Siemens CSA header.
     */
    private static double[] diffusion(Instance inst, AttributeList h, AttributeList diffSeq) {
        AttributeList src = diffSeq != null ? diffSeq : h;
        Double b = DicomValues.decimal(src, Tags.DIFFUSION_B_VALUE);
        if (b == null && diffSeq == null && DicomValues.item(h, Tags.MR_DIFFUSION_SEQUENCE, 0) != null) {
            // a classic image with the standard MRDiffusionSequence (dcm2niix reads the nested elements too)
            src = DicomValues.item(h, Tags.MR_DIFFUSION_SEQUENCE, 0);
            b = DicomValues.decimal(src, Tags.DIFFUSION_B_VALUE);
        }
        double[] g = DicomValues.doubles(DicomValues.item(src, Tags.DIFFUSION_GRADIENT_DIRECTION_SEQUENCE, 0),
                Tags.DIFFUSION_GRADIENT_ORIENTATION, 3);
        if (g == null) {
            g = DicomValues.doubles(src, Tags.DIFFUSION_GRADIENT_ORIENTATION, 3);
        }
        if (b == null && inst.isSiemens()) {
            b = inst.csa().decimal("B_value");
            double[] cg = inst.csa().decimals("DiffusionGradientDirection");
            if (cg != null && cg.length == 3) {
                g = cg;
            }
        }
        return new double[] {b == null ? Double.NaN : b, g == null ? Double.NaN : g[0], g == null ? Double.NaN : g[1],
                g == null ? Double.NaN : g[2]};
    }

    private static double[] gradient(double[] diff) {
        return Double.isNaN(diff[1]) ? null : new double[] {diff[1], diff[2], diff[3]};
    }

    /** A DICOM TM (HHMMSS.frac) as seconds since midnight, or NaN. */
    static double seconds(String tm) {
        if (tm == null) {
            return Double.NaN;
        }
        String s = tm.trim().replace(":", "");
        try {
            int hh = s.length() >= 2 ? Integer.parseInt(s.substring(0, 2)) : 0;
            int mm = s.length() >= 4 ? Integer.parseInt(s.substring(2, 4)) : 0;
            double ss = s.length() > 4 ? Double.parseDouble(s.substring(4)) : 0;
            return hh * 3600 + mm * 60 + ss;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** A DICOM DT's time part as seconds since midnight (the date is ignored), or NaN. */
    static double dateTimeSeconds(String dt) {
        if (dt == null || dt.length() < 10) {
            return Double.NaN;
        }
        String t = dt.substring(8);
        int zone = Math.max(t.indexOf('+'), t.indexOf('-'));
        return seconds(zone > 0 ? t.substring(0, zone) : t);
    }
}
