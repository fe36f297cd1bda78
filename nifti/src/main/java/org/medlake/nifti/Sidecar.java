package org.medlake.nifti;

import org.medlake.dicom.DicomValues;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;
import java.util.List;
import java.util.Locale;

/**
 * The BIDS-style JSON sidecar of an output, with the acquisition fields dcm2niix writes where medlake can derive
 * them: times in seconds (EchoTime, RepetitionTime, SliceTiming), AcquisitionTime as HH:MM:SS.ffffff,
 * Manufacturer normalised as dcm2niix does ("Siemens", "GE", "Philips"), PhaseEncodingDirection in NIfTI axes
 * (i/j with the polarity flipped for the y flip) and Siemens' echo spacing and readout time from the CSA header.
 * Absent DICOM attributes are left out, never written as null.
 */
final class Sidecar {
    static final String SOFTWARE = "medlake-nifti";
    static final String VERSION = "0.1.0";
    /** Streaming generator only: jackson-databind's start-up cost would dominate short conversions. */
    private static final JsonFactory JSON = new JsonFactory();

    private Sidecar() {}

    static String json(VolumeSet vs, double tr) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            DefaultPrettyPrinter pp = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("\t", "\n"))
                    .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n").withIndent("\t"));
            g.setPrettyPrinter(pp);
            g.writeStartObject();
            write(new Out(g), vs, tr);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w + "\n";
    }

    /** Field writer that drops absent values. */
    private record Out(JsonGenerator g) {
        void put(String key, String v) {
            try {
                g.writeStringField(key, v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void put(String key, int v) {
            try {
                g.writeNumberField(key, v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void put(String key, double v) {
            v = sig6(v);
            try {
                if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                    g.writeNumberField(key, (long) v);
                } else {
                    g.writeNumberField(key, v);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void array(String key, double[] v) {
            try {
                g.writeArrayFieldStart(key);
                for (double x0 : v) {
                    double x = sig6(x0);
                    if (x == Math.rint(x) && Math.abs(x) < 1e15) {
                        g.writeNumber((long) x);
                    } else {
                        g.writeNumber(x);
                    }
                }
                g.writeEndArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void array(String key, String[] v) {
            try {
                g.writeArrayFieldStart(key);
                for (String x : v) {
                    g.writeString(x.trim());
                }
                g.writeEndArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void write(Out o, VolumeSet vs, double tr) {
        Slice s0 = vs.first();
        Instance inst = s0.source;
        AttributeList h = inst.header;
        AttributeList shared = DicomValues.item(h, TagFromName.SharedFunctionalGroupsSequence, 0);
        AttributeList frame0 = DicomValues.item(h, TagFromName.PerFrameFunctionalGroupsSequence, 0);
        str(o, "Modality", h, TagFromName.Modality);
        num(o, "MagneticFieldStrength", DicomValues.decimal(h, Tags.MAGNETIC_FIELD_STRENGTH));
        num(o, "ImagingFrequency", DicomValues.decimal(h, Tags.IMAGING_FREQUENCY));
        String m = DicomValues.string(h, TagFromName.Manufacturer);
        if (m != null) {
            o.put("Manufacturer", manufacturer(m));
        }
        str(o, "ManufacturersModelName", h, TagFromName.ManufacturerModelName);
        str(o, "InstitutionName", h, TagFromName.InstitutionName);
        str(o, "InstitutionalDepartmentName", h, TagFromName.InstitutionalDepartmentName);
        str(o, "DeviceSerialNumber", h, TagFromName.DeviceSerialNumber);
        str(o, "StationName", h, TagFromName.StationName);
        str(o, "BodyPartExamined", h, TagFromName.BodyPartExamined);
        str(o, "PatientPosition", h, TagFromName.PatientPosition);
        String[] sw = Attrs.strings(h, TagFromName.SoftwareVersions);
        if (sw != null) {
            o.put("SoftwareVersions", String.join("\\", sw));
        }
        str(o, "MRAcquisitionType", h, Tags.MR_ACQUISITION_TYPE);
        str(o, "SeriesDescription", h, TagFromName.SeriesDescription);
        str(o, "ProtocolName", h, TagFromName.ProtocolName);
        multi(o, "ScanningSequence", h, Tags.SCANNING_SEQUENCE);
        multi(o, "SequenceVariant", h, Tags.SEQUENCE_VARIANT);
        multi(o, "ScanOptions", h, Tags.SCAN_OPTIONS);
        str(o, "SequenceName", h, Tags.SEQUENCE_NAME);
        String[] it = Attrs.strings(h, TagFromName.ImageType);
        if (it != null) {
            o.array("ImageType", it);
        }
        num(o, "SeriesNumber", Attrs.integer(h, TagFromName.SeriesNumber));
        String at = DicomValues.string(h, TagFromName.AcquisitionTime);
        if (at == null) {
            String adt = DicomValues.string(h, TagFromName.AcquisitionDateTime);
            at = adt != null && adt.length() > 8 ? adt.substring(8) : null;
        }
        if (at != null) {
            o.put("AcquisitionTime", time(at));
        }
        num(o, "AcquisitionNumber", Attrs.integer(h, TagFromName.AcquisitionNumber));
        AttributeList measures = DicomValues.item(shared, TagFromName.PixelMeasuresSequence, 0);
        if (measures == null) {
            measures = DicomValues.item(frame0, TagFromName.PixelMeasuresSequence, 0);
        }
        Double thick = first(DicomValues.decimal(h, TagFromName.SliceThickness), DicomValues.decimal(measures, TagFromName.SliceThickness));
        num(o, "SliceThickness", thick);
        num(o, "SpacingBetweenSlices", first(DicomValues.decimal(h, TagFromName.SpacingBetweenSlices),
                DicomValues.decimal(measures, TagFromName.SpacingBetweenSlices)));
        num(o, "SAR", DicomValues.decimal(h, Tags.SAR));
        Double te = echoTimeMs(h);
        num(o, "EchoNumber", s0.echo > 1 ? Integer.valueOf(s0.echo) : null);
        num(o, "EchoTime", te == null ? null : te / 1000.0);
        num(o, "RepetitionTime", Double.isNaN(tr) ? null : tr);
        AttributeList timing = DicomValues.item(shared, Tags.MR_TIMING_SEQUENCE, 0);
        num(o, "FlipAngle", first(DicomValues.decimal(h, Tags.FLIP_ANGLE), DicomValues.decimal(timing, Tags.FLIP_ANGLE)));
        num(o, "KVP", DicomValues.decimal(h, Tags.KVP));
        num(o, "PercentPhaseFOV", DicomValues.decimal(h, Tags.PERCENT_PHASE_FIELD_OF_VIEW));
        num(o, "PercentSampling", DicomValues.decimal(h, Tags.PERCENT_SAMPLING));
        num(o, "PhaseEncodingSteps", Attrs.integer(h, Tags.NUMBER_OF_PHASE_ENCODING_STEPS));
        String peDir = phaseEncodingDirection(h);
        boolean rowPe = "ROW".equalsIgnoreCase(peDir);
        int reconPe = rowPe ? vs.nx() : vs.ny();
        double[] am = DicomValues.doubles(h, Tags.ACQUISITION_MATRIX, 4);
        if (am != null) {
            num(o, "AcquisitionMatrixPE", (int) Math.max(am[2], am[3]));
        }
        if (peDir != null) {
            o.put("ReconMatrixPE", reconPe);
        }
        num(o, "PixelBandwidth", DicomValues.decimal(h, Tags.PIXEL_BANDWIDTH));
        CsaHeader csa = inst.csa();
        Double bwpppe = csa.decimal("BandwidthPerPixelPhaseEncode");
        if (bwpppe != null && bwpppe > 0 && peDir != null) {
            double ees = 1.0 / (bwpppe * reconPe);
            o.put("BandwidthPerPixelPhaseEncode", bwpppe);
            o.put("EffectiveEchoSpacing", round(ees, 9));
            o.put("TotalReadoutTime", round(ees * (reconPe - 1), 7));
        } else if (peDir != null) {
            // GE: effective echo spacing in µs in the "GEMS_PARM_01" private element 0x2C
            Double geEes = null;
            com.pixelmed.dicom.Attribute a = Attrs.privateElement(h, Tags.GE_PARM_GROUP, "GEMS_PARM_01", 0x2C);
            if (a != null) {
                try {
                    geEes = a.getSingleDoubleValueOrDefault(Double.NaN);
                } catch (RuntimeException e) {
                    geEes = null;
                }
            }
            if (geEes != null && geEes > 0) {
                double ees = geEes / 1e6;
                o.put("EffectiveEchoSpacing", ees);
                o.put("TotalReadoutTime", round(ees * (reconPe - 1), 7));
            }
        }
        Double polarity = phasePolarity(inst);
        if (peDir != null) {
            // dcm2niix reverses the polarity along j because it writes rows bottom-up.
            String axis = rowPe ? "i" : "j";
            if (polarity != null) {
                boolean positive = polarity == 1;
                o.put("PhaseEncodingDirection", rowPe ? (positive ? "i" : "i-") : (positive ? "j-" : "j"));
            } else {
                o.put("PhaseEncodingAxis", axis);
            }
        }
        double[] timing2 = sliceTiming(vs);
        if (timing2 != null) {
            double[] r = new double[timing2.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = round(timing2[i], 6);
            }
            o.array("SliceTiming", r);
        }
        o.array("ImageOrientationPatientDICOM", s0.orientation);
        if (peDir != null) {
            o.put("InPlanePhaseEncodingDirectionDICOM", peDir.toUpperCase(Locale.ROOT));
        }
        o.put("ConversionSoftware", SOFTWARE);
        o.put("ConversionSoftwareVersion", VERSION);
    }

    /** InPlanePhaseEncodingDirection as "ROW" or "COL" (enhanced objects: from the MR FOV/Geometry group), or null. */
    static String phaseEncodingDirection(AttributeList h) {
        AttributeList shared = DicomValues.item(h, TagFromName.SharedFunctionalGroupsSequence, 0);
        AttributeList frame0 = DicomValues.item(h, TagFromName.PerFrameFunctionalGroupsSequence, 0);
        String pe = first(DicomValues.string(h, Tags.IN_PLANE_PHASE_ENCODING_DIRECTION),
                DicomValues.string(DicomValues.item(shared, Tags.MR_FOV_GEOMETRY_SEQUENCE, 0), Tags.IN_PLANE_PHASE_ENCODING_DIRECTION),
                DicomValues.string(DicomValues.item(frame0, Tags.MR_FOV_GEOMETRY_SEQUENCE, 0), Tags.IN_PLANE_PHASE_ENCODING_DIRECTION));
        // enhanced objects spell it out; dcm2niix reports the classic "COL"
        return "COLUMN".equalsIgnoreCase(pe) ? "COL" : pe == null ? null : pe.toUpperCase(Locale.ROOT);
    }

    /** EchoTime in ms: the classic attribute, else the enhanced EffectiveEchoTime (per-frame, then shared). */
    static Double echoTimeMs(AttributeList h) {
        AttributeList shared = DicomValues.item(h, TagFromName.SharedFunctionalGroupsSequence, 0);
        AttributeList frame0 = DicomValues.item(h, TagFromName.PerFrameFunctionalGroupsSequence, 0);
        return first(DicomValues.decimal(h, TagFromName.EchoTime),
                DicomValues.decimal(DicomValues.item(frame0, Tags.MR_ECHO_SEQUENCE, 0), Tags.EFFECTIVE_ECHO_TIME),
                DicomValues.decimal(DicomValues.item(shared, Tags.MR_ECHO_SEQUENCE, 0), Tags.EFFECTIVE_ECHO_TIME));
    }

    /**
     * Siemens' PhaseEncodingDirectionPositive: from the CSA header (classic objects), else from the per-frame
     * "SIEMENS MR SDI 02" private element 0x1C (XA enhanced objects), found through its private creator.
     */
    static Double phasePolarity(Instance inst) {
        Double p = inst.csa().decimal("PhaseEncodingDirectionPositive");
        if (p != null || !inst.isSiemens()) {
            return p;
        }
        AttributeList frame0 = DicomValues.item(inst.header, TagFromName.PerFrameFunctionalGroupsSequence, 0);
        return findPrivate(frame0, "SIEMENS MR SDI 02", 0x1C, 3);
    }

    private static Double findPrivate(AttributeList list, String creator, int element, int depth) {
        if (list == null || depth < 0) {
            return null;
        }
        com.pixelmed.dicom.Attribute a = Attrs.privateElement(list, Tags.SIEMENS_XA_GROUP, creator, element);
        if (a != null) {
            try {
                return Double.parseDouble(a.getSingleStringValueOrEmptyString().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        for (com.pixelmed.dicom.Attribute x : list.values()) {
            if (x instanceof com.pixelmed.dicom.SequenceAttribute sq) {
                for (int i = 0; i < sq.getNumberOfItems(); i++) {
                    Double v = findPrivate(sq.getItem(i).getAttributeList(), creator, element, depth - 1);
                    if (v != null) {
                        return v;
                    }
                }
            }
        }
        return null;
    }

    /**
     * Slice acquisition times (s, output slice order) relative to the earliest, or {@code null} when unknown or all
     * equal (nothing to report). Taken from the first volume.
     */
    static double[] sliceTiming(VolumeSet vs) {
        if (vs.nz() < 2) {
            return null;
        }
        List<Slice> v = vs.slices().get(0);
        double[] t = new double[v.size()];
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < t.length; i++) {
            t[i] = v.get(i).time;
            if (Double.isNaN(t[i])) {
                return null;
            }
            min = Math.min(min, t[i]);
            max = Math.max(max, t[i]);
        }
        if (max - min <= 0) {
            return null;
        }
        for (int i = 0; i < t.length; i++) {
            t[i] -= min;
        }
        return t;
    }

    static String manufacturer(String m) {
        String u = m.toUpperCase(Locale.ROOT);
        if (u.contains("SIEMENS")) {
            return "Siemens";
        }
        if (u.startsWith("GE ") || u.contains("GE MEDICAL") || u.equals("GE")) {
            return "GE";
        }
        if (u.contains("PHILIPS")) {
            return "Philips";
        }
        if (u.contains("TOSHIBA")) {
            return "Toshiba";
        }
        if (u.contains("CANON")) {
            return "Canon";
        }
        return m.trim();
    }

    /** "HHMMSS.ffffff" → "HH:MM:SS.ffffff" (as dcm2niix prints it). */
    static String time(String tm) {
        String s = tm.trim().replace(":", "");
        if (s.length() < 6) {
            return s;
        }
        String frac = s.length() > 6 ? s.substring(7) : "";
        while (frac.length() < 6) {
            frac += "0";
        }
        return s.substring(0, 2) + ":" + s.substring(2, 4) + ":" + s.substring(4, 6) + "." + frac;
    }

    /** Six significant digits, as dcm2niix prints its (float) values. */
    static double sig6(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return v;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).doubleValue();
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    @SafeVarargs
    private static <T> T first(T... v) {
        for (T x : v) {
            if (x != null) {
                return x;
            }
        }
        return null;
    }

    private static void str(Out o, String key, AttributeList h, AttributeTag tag) {
        String v = DicomValues.string(h, tag);
        if (v != null) {
            o.put(key, v);
        }
    }

    private static void multi(Out o, String key, AttributeList h, AttributeTag tag) {
        String[] v = Attrs.strings(h, tag);
        if (v != null) {
            o.put(key, String.join("\\", v).trim());
        }
    }

    private static void num(Out o, String key, Number v) {
        if (v != null) {
            o.put(key, v.doubleValue());
        }
    }
}
