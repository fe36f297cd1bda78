package org.medlake.curation.classify;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;

/**
 * Immutable acquisition features of one series, extracted from the headers of its instances. Features are named
 * (snake_case, see {@link Feature}) so that classification rules can refer to them; a feature that the headers do
 * not carry is absent (never a made-up default).
 *
 * <p>Two ways in: {@link #from(List)} reads PixelMed headers (classic and enhanced multi-frame), and
 * {@link #fromMap(Map)} takes already-extracted values by feature name (e.g. lake columns), checking names and types.
 * Numeric acquisition parameters are the median over instances (and frames); lists are distinct values in first-seen
 * order (b-values sorted ascending); text values are trimmed, and upper-cased for coded values.
 */
public final class SeriesFeatures {

    /** The value type of a feature. */
    public enum Type { TEXT, TEXT_LIST, NUMBER, NUMBER_LIST, BOOLEAN }

    /** Every feature name, with its type and meaning. Rules may refer only to these names. */
    public enum Feature {
        SERIES_INSTANCE_UID(Type.TEXT, "SeriesInstanceUID"),
        MODALITY(Type.TEXT, "Modality, upper case"),
        SOP_CLASS_UID(Type.TEXT, "SOP Class UID of the first instance"),
        MANUFACTURER(Type.TEXT, "Manufacturer, upper case"),
        IMAGE_TYPE(Type.TEXT_LIST, "ImageType values (and enhanced FrameType values) of all instances, upper case"),
        SCANNING_SEQUENCE(Type.TEXT_LIST, "ScanningSequence values (SE, IR, GR, EP, RM); for enhanced MR, which has no "
                + "ScanningSequence, derived from EchoPulseSequence (SPIN: SE, GRADIENT: GR, BOTH: SE and GR), "
                + "InversionRecovery (IR) and EchoPlanarPulseSequence (EP)"),
        ACQUISITION_CONTRAST(Type.TEXT_LIST, "enhanced MR AcquisitionContrast values (T1, T2, PROTON_DENSITY, "
                + "FLUID_ATTENUATED, DIFFUSION, PERFUSION, STIR, T2_STAR, ...), top level and per frame"),
        SEQUENCE_VARIANT(Type.TEXT_LIST, "SequenceVariant values (SK, MTC, SS, TRSS, SP, MP, OSP, NONE)"),
        SCAN_OPTIONS(Type.TEXT_LIST, "ScanOptions values (e.g. IR, FS, PFP, FC)"),
        MR_ACQUISITION_TYPE(Type.TEXT, "MRAcquisitionType (2D or 3D)"),
        SEQUENCE_NAME(Type.TEXT, "SequenceName or enhanced PulseSequenceName, upper case (e.g. *EPFID2D1_64, *TFL3D1)"),
        REPETITION_TIME(Type.NUMBER, "median RepetitionTime, ms"),
        ECHO_TIME(Type.NUMBER, "median EchoTime (EffectiveEchoTime for enhanced), ms"),
        ECHO_TIME_COUNT(Type.NUMBER, "number of distinct echo times"),
        INVERSION_TIME(Type.NUMBER, "median InversionTime (InversionTimes for enhanced), ms"),
        FLIP_ANGLE(Type.NUMBER, "median FlipAngle, degrees"),
        ECHO_TRAIN_LENGTH(Type.NUMBER, "median EchoTrainLength"),
        MAGNETIC_FIELD_STRENGTH(Type.NUMBER, "MagneticFieldStrength, tesla"),
        B_VALUES(Type.NUMBER_LIST, "distinct b-values, s/mm2, from DiffusionBValue, the MR Diffusion functional "
                + "group and vendor fields (Siemens, GE, Philips private tags; Siemens sequence name ep_b<N>)"),
        MAX_B_VALUE(Type.NUMBER, "largest b-value"),
        DIFFUSION_DIRECTIONALITY(Type.TEXT_LIST, "DiffusionDirectionality values (standard or Siemens private)"),
        ASL_ATTRIBUTES(Type.BOOLEAN, "true when arterial spin labelling attributes are present"),
        INSTANCE_COUNT(Type.NUMBER, "number of instances"),
        FRAME_COUNT(Type.NUMBER, "number of frames over all instances (1 per single-frame instance)"),
        NUMBER_OF_FRAMES(Type.NUMBER, "largest NumberOfFrames of an instance"),
        DISTINCT_POSITIONS(Type.NUMBER, "distinct image positions (ImagePositionPatient, per frame for enhanced)"),
        DISTINCT_ORIENTATIONS(Type.NUMBER, "distinct image orientations"),
        REPEATS_PER_POSITION(Type.NUMBER, "frame_count / distinct_positions: repeated measurements of one location "
                + "(time points or diffusion directions); a Siemens mosaic counts one per volume"),
        TEMPORAL_POSITIONS(Type.NUMBER, "largest of NumberOfTemporalPositions and distinct TemporalPositionIdentifier "
                + "/ TemporalPositionIndex values"),
        ACQUISITION_COUNT(Type.NUMBER, "distinct AcquisitionNumber values"),
        CONTRAST_AGENT(Type.TEXT, "ContrastBolusAgent (or ContrastBolusIngredient / agent code meaning), upper case"),
        CONTRAST_ROUTE(Type.TEXT, "ContrastBolusRoute, upper case"),
        CTDI_VOL(Type.NUMBER, "median CTDIvol, mGy"),
        EXPOSURE_MAS(Type.NUMBER, "median exposure per image, mAs (Exposure, ExposureInmAs, or tube current x time)"),
        KVP(Type.NUMBER, "median KVP"),
        BODY_PART_EXAMINED(Type.TEXT, "BodyPartExamined, upper case"),
        VIEW_POSITION(Type.TEXT, "ViewPosition, upper case (PA, AP, LL, RL, LAT, CC, MLO ...)"),
        LATERALITY(Type.TEXT, "ImageLaterality or Laterality, upper case"),
        ROWS(Type.NUMBER, "Rows of the first instance"),
        COLUMNS(Type.NUMBER, "Columns of the first instance"),
        ENHANCED(Type.BOOLEAN, "true when the instances carry enhanced multi-frame functional groups"),
        SERIES_DESCRIPTION(Type.TEXT, "SeriesDescription as written (weak evidence only)"),
        PROTOCOL_NAME(Type.TEXT, "ProtocolName as written (weak evidence only)"),
        DESCRIPTION(Type.TEXT, "SeriesDescription and ProtocolName joined, upper case (weak evidence only)");

        private final Type type;
        private final String meaning;

        Feature(Type type, String meaning) {
            this.type = type;
            this.meaning = meaning;
        }

        /** The name used in rules and maps, e.g. {@code max_b_value}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public Type type() {
            return type;
        }

        public String meaning() {
            return meaning;
        }

        /** The feature of a name, or {@code null}. */
        public static Feature byKey(String key) {
            for (Feature f : values()) {
                if (f.key().equals(key)) {
                    return f;
                }
            }
            return null;
        }
    }

    /** Frames examined per enhanced instance: enough to see every b-value and time point of real series. */
    private static final int MAX_FRAMES_PER_INSTANCE = 5000;
    private static final Pattern SIEMENS_SEQ_B = Pattern.compile("EP_B(\\d{1,5})");

    private final Map<Feature, Object> values;

    private SeriesFeatures(Map<Feature, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * Extracts the features of one series from the headers of its instances (pixel data need not be loaded).
     *
     * @throws CurationException CURATION_BAD_ARGUMENT when the list is empty
     */
    public static SeriesFeatures from(List<AttributeList> instanceHeaders) {
        Objects.requireNonNull(instanceHeaders, "instanceHeaders");
        if (instanceHeaders.isEmpty()) {
            throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "Cannot extract series features from no "
                    + "instances: the header list is empty. Fix: pass at least one instance header of the series.");
        }
        return new Extractor(instanceHeaders).extract();
    }

    /**
     * Builds features from values keyed by feature name ({@link Feature#key()}); null values are ignored, numbers may
     * be any {@link Number} or numeric string, lists any {@link Collection} (a single value is taken as a one-element
     * list). Derived values missing from the map ({@code max_b_value}, {@code description}) are computed.
     *
     * @throws CurationException CURATION_BAD_ARGUMENT naming the key, for an unknown name or a value of the wrong type
     */
    public static SeriesFeatures fromMap(Map<String, ?> map) {
        Map<Feature, Object> v = new TreeMap<>();
        for (Map.Entry<String, ?> e : map.entrySet()) {
            Feature f = Feature.byKey(e.getKey());
            if (f == null) {
                throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "Unknown series feature '" + e.getKey()
                        + "'. Fix: use one of " + keys() + ".");
            }
            if (e.getValue() != null) {
                v.put(f, coerce(f, e.getValue()));
            }
        }
        deriveDefaults(v);
        return new SeriesFeatures(v);
    }

    /** All feature names, in declaration order. */
    public static List<String> keys() {
        List<String> k = new ArrayList<>();
        for (Feature f : Feature.values()) {
            k.add(f.key());
        }
        return k;
    }

    /** The value of a feature (String, Double, Boolean, List of String or List of Double), or {@code null}. */
    public Object get(Feature f) {
        return values.get(f);
    }

    /** The value by feature name, or {@code null} when absent or unknown. */
    public Object get(String key) {
        Feature f = Feature.byKey(key);
        return f == null ? null : values.get(f);
    }

    /** A TEXT feature, or {@code null} when absent. */
    public String text(Feature f) {
        Object o = values.get(f);
        return o instanceof String s ? s : null;
    }

    /** A NUMBER feature, or {@code null} when absent. */
    public Double number(Feature f) {
        Object o = values.get(f);
        return o instanceof Double d ? d : null;
    }

    /** A TEXT_LIST feature; empty when absent. */
    @SuppressWarnings("unchecked")
    public List<String> texts(Feature f) {
        Object o = values.get(f);
        return o instanceof List<?> l && f.type() == Type.TEXT_LIST ? (List<String>) l : List.of();
    }

    /** A NUMBER_LIST feature; empty when absent. */
    @SuppressWarnings("unchecked")
    public List<Double> numbers(Feature f) {
        Object o = values.get(f);
        return o instanceof List<?> l && f.type() == Type.NUMBER_LIST ? (List<Double>) l : List.of();
    }

    /** The SeriesInstanceUID, or {@code null}. */
    public String seriesInstanceUid() {
        return text(Feature.SERIES_INSTANCE_UID);
    }

    /** The modality, upper case, or {@code null}. */
    public String modality() {
        return text(Feature.MODALITY);
    }

    /** Number of instances (0 when built from a map without {@code instance_count}). */
    public int instanceCount() {
        Double d = number(Feature.INSTANCE_COUNT);
        return d == null ? 0 : d.intValue();
    }

    /** The present features by name, in declaration order (values as in {@link #get(Feature)}). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Feature f : Feature.values()) {
            if (values.containsKey(f)) {
                m.put(f.key(), values.get(f));
            }
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeriesFeatures other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "SeriesFeatures" + asMap();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static Object coerce(Feature f, Object raw) {
        try {
            switch (f.type()) {
                case TEXT:
                    return raw.toString().trim();
                case BOOLEAN:
                    if (raw instanceof Boolean b) return b;
                    String s = raw.toString().trim().toLowerCase(Locale.ROOT);
                    if (s.equals("true") || s.equals("false")) return Boolean.valueOf(s);
                    throw new IllegalArgumentException("not a boolean");
                case NUMBER:
                    return toDouble(raw);
                case TEXT_LIST: {
                    List<String> out = new ArrayList<>();
                    for (Object o : asCollection(raw)) {
                        if (o != null) out.add(o.toString().trim().toUpperCase(Locale.ROOT));
                    }
                    return List.copyOf(out);
                }
                case NUMBER_LIST: {
                    List<Double> out = new ArrayList<>();
                    for (Object o : asCollection(raw)) {
                        if (o != null) out.add(toDouble(o));
                    }
                    return List.copyOf(out);
                }
                default:
                    throw new IllegalStateException(f.type().toString());
            }
        } catch (RuntimeException e) {
            throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "Series feature '" + f.key() + "' has value "
                    + raw + " that is not a " + f.type() + " (" + e.getMessage() + "). Fix: pass a "
                    + f.type().toString().toLowerCase(Locale.ROOT).replace('_', ' ') + " for it.", e);
        }
    }

    private static Collection<?> asCollection(Object raw) {
        return raw instanceof Collection<?> c ? c : List.of(raw);
    }

    private static Double toDouble(Object o) {
        if (o instanceof Number n) return n.doubleValue();
        return Double.valueOf(o.toString().trim());
    }

    @SuppressWarnings("unchecked")
    private static void deriveDefaults(Map<Feature, Object> v) {
        Object bs = v.get(Feature.B_VALUES);
        if (!v.containsKey(Feature.MAX_B_VALUE) && bs instanceof List<?> l && !l.isEmpty()) {
            v.put(Feature.MAX_B_VALUE, Collections.max((List<Double>) l));
        }
        if (!v.containsKey(Feature.DESCRIPTION)) {
            String d = joinNonBlank((String) v.get(Feature.SERIES_DESCRIPTION), (String) v.get(Feature.PROTOCOL_NAME));
            if (d != null) v.put(Feature.DESCRIPTION, d.toUpperCase(Locale.ROOT));
        }
    }

    private static String joinNonBlank(String a, String b) {
        boolean ha = a != null && !a.isBlank();
        boolean hb = b != null && !b.isBlank() && !b.equalsIgnoreCase(a);
        if (ha && hb) return a.trim() + " | " + b.trim();
        if (ha) return a.trim();
        if (hb) return b.trim();
        return null;
    }

    /** Collects values over instances and frames, then summarises them. */
    private static final class Extractor {
        private final List<AttributeList> lists;
        private final Set<String> imageType = new LinkedHashSet<>();
        private final Set<String> scanningSequence = new LinkedHashSet<>();
        private final Set<String> sequenceVariant = new LinkedHashSet<>();
        private final Set<String> scanOptions = new LinkedHashSet<>();
        private final Set<String> directionality = new LinkedHashSet<>();
        private final Set<String> acquisitionContrast = new LinkedHashSet<>();
        private final List<Double> tr = new ArrayList<>();
        private final List<Double> te = new ArrayList<>();
        private final List<Double> ti = new ArrayList<>();
        private final List<Double> flip = new ArrayList<>();
        private final List<Double> etl = new ArrayList<>();
        private final List<Double> ctdi = new ArrayList<>();
        private final List<Double> mas = new ArrayList<>();
        private final List<Double> kvp = new ArrayList<>();
        private final Set<Double> bValues = new TreeSet<>();
        private final Set<Double> echoTimes = new TreeSet<>();
        private final Set<String> positions = new LinkedHashSet<>();
        private final Set<String> orientations = new LinkedHashSet<>();
        private final Set<String> temporalIds = new LinkedHashSet<>();
        private final Set<String> acquisitionNumbers = new LinkedHashSet<>();
        private int frames;
        private int maxFrames;
        private int declaredTemporal;
        private boolean asl;
        private boolean enhanced;

        Extractor(List<AttributeList> lists) {
            this.lists = lists;
        }

        SeriesFeatures extract() {
            Map<Feature, Object> v = new TreeMap<>();
            AttributeList first = lists.get(0);
            putText(v, Feature.SERIES_INSTANCE_UID, firstText(Tags.SERIES_INSTANCE_UID), false);
            putText(v, Feature.MODALITY, firstText(Tags.MODALITY), true);
            putText(v, Feature.SOP_CLASS_UID, firstText(Tags.SOP_CLASS_UID), false);
            putText(v, Feature.MANUFACTURER, firstText(Tags.MANUFACTURER), true);
            putText(v, Feature.MR_ACQUISITION_TYPE, firstText(Tags.MR_ACQUISITION_TYPE), true);
            String seqName = firstText(Tags.SEQUENCE_NAME);
            putText(v, Feature.SEQUENCE_NAME, seqName != null ? seqName : firstText(Tags.PULSE_SEQUENCE_NAME), true);
            putText(v, Feature.BODY_PART_EXAMINED, firstText(Tags.BODY_PART_EXAMINED), true);
            putText(v, Feature.VIEW_POSITION, firstText(Tags.VIEW_POSITION), true);
            String lat = firstText(Tags.IMAGE_LATERALITY);
            putText(v, Feature.LATERALITY, lat != null ? lat : firstText(Tags.LATERALITY), true);
            putText(v, Feature.SERIES_DESCRIPTION, firstText(Tags.SERIES_DESCRIPTION), false);
            putText(v, Feature.PROTOCOL_NAME, firstText(Tags.PROTOCOL_NAME), false);
            putNumber(v, Feature.MAGNETIC_FIELD_STRENGTH, number(first, Tags.MAGNETIC_FIELD_STRENGTH));
            putNumber(v, Feature.ROWS, number(first, Tags.ROWS));
            putNumber(v, Feature.COLUMNS, number(first, Tags.COLUMNS));
            String agent = null;
            String route = null;

            for (AttributeList l : lists) {
                addAll(imageType, strings(l, Tags.IMAGE_TYPE));
                addAll(scanningSequence, strings(l, Tags.SCANNING_SEQUENCE));
                addAll(acquisitionContrast, strings(l, Tags.ACQUISITION_CONTRAST));
                enhancedPulseSequence(l);
                addAll(sequenceVariant, strings(l, Tags.SEQUENCE_VARIANT));
                addAll(scanOptions, strings(l, Tags.SCAN_OPTIONS));
                addAll(directionality, strings(l, Tags.DIFFUSION_DIRECTIONALITY));
                add(tr, number(l, Tags.REPETITION_TIME));
                Double echo = number(l, Tags.ECHO_TIME);
                add(te, echo);
                if (echo != null) echoTimes.add(echo);
                add(ti, number(l, Tags.INVERSION_TIME));
                add(flip, number(l, Tags.FLIP_ANGLE));
                add(etl, number(l, Tags.ECHO_TRAIN_LENGTH));
                add(ctdi, number(l, Tags.CTDI_VOL));
                add(kvp, number(l, Tags.KVP));
                add(mas, exposure(l));
                addB(number(l, Tags.DIFFUSION_B_VALUE));
                vendorDiffusion(l, seqName);
                if (l.get(Tags.ARTERIAL_SPIN_LABELING_CONTRAST) != null || l.get(Tags.ASL_TECHNIQUE_DESCRIPTION) != null) {
                    asl = true;
                }
                String acq = text(l, Tags.ACQUISITION_NUMBER);
                if (acq != null) acquisitionNumbers.add(acq);
                String tpi = text(l, Tags.TEMPORAL_POSITION_IDENTIFIER);
                if (tpi != null) temporalIds.add(tpi);
                Double ntp = number(l, Tags.NUMBER_OF_TEMPORAL_POSITIONS);
                if (ntp != null) declaredTemporal = Math.max(declaredTemporal, ntp.intValue());
                if (agent == null) agent = contrastAgent(l);
                if (route == null) route = text(l, Tags.CONTRAST_BOLUS_ROUTE);

                Double nf = number(l, Tags.NUMBER_OF_FRAMES);
                int n = nf == null ? 1 : Math.max(1, nf.intValue());
                maxFrames = Math.max(maxFrames, n);
                frames += n;
                if (!frameGroups(l)) {
                    positions.add(rounded(doubles(l, Tags.IMAGE_POSITION_PATIENT), 1));
                    orientations.add(rounded(doubles(l, Tags.IMAGE_ORIENTATION_PATIENT), 3));
                }
            }
            putList(v, Feature.IMAGE_TYPE, imageType);
            putList(v, Feature.SCANNING_SEQUENCE, scanningSequence);
            acquisitionContrast.remove("UNKNOWN");
            putList(v, Feature.ACQUISITION_CONTRAST, acquisitionContrast);
            putList(v, Feature.SEQUENCE_VARIANT, sequenceVariant);
            putList(v, Feature.SCAN_OPTIONS, scanOptions);
            putList(v, Feature.DIFFUSION_DIRECTIONALITY, directionality);
            putNumber(v, Feature.REPETITION_TIME, median(tr));
            putNumber(v, Feature.ECHO_TIME, median(te));
            if (!echoTimes.isEmpty()) putNumber(v, Feature.ECHO_TIME_COUNT, (double) echoTimes.size());
            putNumber(v, Feature.INVERSION_TIME, median(ti));
            putNumber(v, Feature.FLIP_ANGLE, median(flip));
            putNumber(v, Feature.ECHO_TRAIN_LENGTH, median(etl));
            putNumber(v, Feature.CTDI_VOL, median(ctdi));
            putNumber(v, Feature.EXPOSURE_MAS, median(mas));
            putNumber(v, Feature.KVP, median(kvp));
            if (!bValues.isEmpty()) {
                v.put(Feature.B_VALUES, List.copyOf(bValues));
                v.put(Feature.MAX_B_VALUE, ((TreeSet<Double>) bValues).last());
            }
            v.put(Feature.ASL_ATTRIBUTES, asl);
            v.put(Feature.ENHANCED, enhanced);
            v.put(Feature.INSTANCE_COUNT, (double) lists.size());
            v.put(Feature.FRAME_COUNT, (double) frames);
            v.put(Feature.NUMBER_OF_FRAMES, (double) maxFrames);
            int distinct = Math.max(1, positions.size());
            v.put(Feature.DISTINCT_POSITIONS, (double) distinct);
            v.put(Feature.DISTINCT_ORIENTATIONS, (double) Math.max(1, orientations.size()));
            v.put(Feature.REPEATS_PER_POSITION, (double) frames / distinct);
            int temporal = Math.max(declaredTemporal, temporalIds.size());
            if (temporal > 0) v.put(Feature.TEMPORAL_POSITIONS, (double) temporal);
            if (!acquisitionNumbers.isEmpty()) v.put(Feature.ACQUISITION_COUNT, (double) acquisitionNumbers.size());
            putText(v, Feature.CONTRAST_AGENT, agent, true);
            putText(v, Feature.CONTRAST_ROUTE, route, true);
            deriveDefaults(v);
            return new SeriesFeatures(v);
        }

        /**
         * Reads the enhanced multi-frame functional groups of one instance (shared, then per frame) into the
         * collectors. Returns false when the instance has none.
         */
        private boolean frameGroups(AttributeList l) {
            AttributeList shared = firstItem(l, Tags.SHARED_FUNCTIONAL_GROUPS);
            SequenceAttribute perFrame = sequence(l, Tags.PER_FRAME_FUNCTIONAL_GROUPS);
            if (shared == null && perFrame == null) {
                return false;
            }
            enhanced = true;
            int n = perFrame == null ? 0 : Math.min(perFrame.getNumberOfItems(), MAX_FRAMES_PER_INSTANCE);
            // The shared group holds what every frame has in common; read it once even when there are no frames.
            List<AttributeList> frameLists = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                frameLists.add(perFrame.getItem(i).getAttributeList());
            }
            if (frameLists.isEmpty()) {
                frameLists.add(new AttributeList());
            }
            if (shared != null) {
                // Values in the shared group are counted once per instance, not once per frame.
                collectFrame(shared, true);
            }
            for (AttributeList f : frameLists) {
                collectFrame(f, false);
                AttributeList pos = firstItem(f, Tags.PLANE_POSITION_SEQUENCE);
                if (pos == null && shared != null) pos = firstItem(shared, Tags.PLANE_POSITION_SEQUENCE);
                positions.add(pos == null ? "-" : rounded(doubles(pos, Tags.IMAGE_POSITION_PATIENT), 1));
                AttributeList ori = firstItem(f, Tags.PLANE_ORIENTATION_SEQUENCE);
                if (ori == null && shared != null) ori = firstItem(shared, Tags.PLANE_ORIENTATION_SEQUENCE);
                orientations.add(ori == null ? "-" : rounded(doubles(ori, Tags.IMAGE_ORIENTATION_PATIENT), 3));
                AttributeList content = firstItem(f, Tags.FRAME_CONTENT_SEQUENCE);
                if (content != null) {
                    String t = text(content, Tags.TEMPORAL_POSITION_INDEX);
                    if (t != null) temporalIds.add(t);
                }
            }
            return true;
        }

        private void collectFrame(AttributeList g, boolean shared) {
            AttributeList timing = firstItem(g, Tags.MR_TIMING_SEQUENCE);
            if (timing != null) {
                add(tr, number(timing, Tags.REPETITION_TIME));
                add(flip, number(timing, Tags.FLIP_ANGLE));
                add(etl, number(timing, Tags.ECHO_TRAIN_LENGTH));
            }
            AttributeList echo = firstItem(g, Tags.MR_ECHO_SEQUENCE);
            if (echo != null) {
                Double e = number(echo, Tags.EFFECTIVE_ECHO_TIME);
                add(te, e);
                if (e != null) echoTimes.add(e);
            }
            AttributeList diffusion = firstItem(g, Tags.MR_DIFFUSION_SEQUENCE);
            if (diffusion != null) {
                addB(number(diffusion, Tags.DIFFUSION_B_VALUE));
                addAll(directionality, strings(diffusion, Tags.DIFFUSION_DIRECTIONALITY));
            }
            AttributeList modifier = firstItem(g, Tags.MR_MODIFIER_SEQUENCE);
            if (modifier != null) {
                add(ti, number(modifier, Tags.INVERSION_TIMES));
            }
            for (AttributeTag t : List.of(Tags.MR_IMAGE_FRAME_TYPE_SEQUENCE, Tags.CT_IMAGE_FRAME_TYPE_SEQUENCE)) {
                AttributeList type = firstItem(g, t);
                if (type != null) {
                    addAll(imageType, strings(type, Tags.FRAME_TYPE));
                    addAll(acquisitionContrast, strings(type, Tags.ACQUISITION_CONTRAST));
                }
            }
            AttributeList ct = firstItem(g, Tags.CT_EXPOSURE_SEQUENCE);
            if (ct != null) {
                add(ctdi, number(ct, Tags.CTDI_VOL));
                add(mas, number(ct, Tags.EXPOSURE_IN_MAS));
            }
            if (g.get(Tags.MR_ASL_SEQUENCE) != null) {
                asl = true;
            }
        }

        /** Enhanced MR states the pulse sequence in words instead of ScanningSequence codes: map them to the codes. */
        private void enhancedPulseSequence(AttributeList l) {
            if (l.get(Tags.SCANNING_SEQUENCE) != null) return;
            String echo = text(l, Tags.ECHO_PULSE_SEQUENCE);
            if (echo != null) {
                switch (echo.toUpperCase(Locale.ROOT)) {
                    case "SPIN" -> scanningSequence.add("SE");
                    case "GRADIENT" -> scanningSequence.add("GR");
                    case "BOTH" -> {
                        scanningSequence.add("SE");
                        scanningSequence.add("GR");
                    }
                    default -> { }
                }
            }
            if ("YES".equalsIgnoreCase(text(l, Tags.INVERSION_RECOVERY))) scanningSequence.add("IR");
            if ("YES".equalsIgnoreCase(text(l, Tags.ECHO_PLANAR_PULSE_SEQUENCE))) scanningSequence.add("EP");
        }

        private void vendorDiffusion(AttributeList l, String seqName) {
            Double siemens = privateNumber(l, Tags.SIEMENS_B_VALUE, false);
            addB(siemens);
            String dir = privateText(l, Tags.SIEMENS_DIFFUSION_DIRECTIONALITY);
            if (dir != null && siemens != null) directionality.add(dir.toUpperCase(Locale.ROOT));
            Double ge = privateNumber(l, Tags.GE_B_VALUE, false);
            if (ge != null) {
                // Some GE software adds 10^9 to flag the value; only the remainder is the b-value.
                double b = ge >= 1e9 ? ge - 1e9 : ge;
                if (b >= 0 && b < 100000) addB(b);
            }
            addB(privateNumber(l, Tags.PHILIPS_B_VALUE, true));
            if (seqName != null) {
                Matcher m = SIEMENS_SEQ_B.matcher(seqName.toUpperCase(Locale.ROOT));
                if (m.find()) addB(Double.valueOf(m.group(1)));
            }
        }

        private void addB(Double b) {
            if (b != null && b >= 0 && b < 100000) bValues.add(b);
        }

        private String firstText(AttributeTag tag) {
            for (AttributeList l : lists) {
                String s = text(l, tag);
                if (s != null) return s;
            }
            return null;
        }
    }

    // --- PixelMed helpers --------------------------------------------------------------------------------------------

    static String text(AttributeList l, AttributeTag tag) {
        String v = Attribute.getSingleStringValueOrNull(l, tag);
        if (v == null) return null;
        v = v.trim();
        return v.isEmpty() ? null : v;
    }

    private static List<String> strings(AttributeList l, AttributeTag tag) {
        String[] vs = Attribute.getStringValues(l, tag);
        if (vs == null) return List.of();
        List<String> out = new ArrayList<>();
        for (String s : vs) {
            if (s != null && !s.isBlank()) out.add(s.trim().toUpperCase(Locale.ROOT));
        }
        return out;
    }

    static Double number(AttributeList l, AttributeTag tag) {
        String s = text(l, tag);
        if (s == null) return null;
        try {
            double d = Double.parseDouble(s);
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null; // malformed DS/IS values are treated as absent
        }
    }

    private static double[] doubles(AttributeList l, AttributeTag tag) {
        String[] vs = Attribute.getStringValues(l, tag);
        if (vs == null) return null;
        double[] d = new double[vs.length];
        try {
            for (int i = 0; i < vs.length; i++) d[i] = Double.parseDouble(vs[i].trim());
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
        return d;
    }

    private static String rounded(double[] d, int decimals) {
        if (d == null) return "-";
        StringBuilder b = new StringBuilder();
        for (double x : d) {
            double r = Math.round(x * Math.pow(10, decimals)) / Math.pow(10, decimals);
            b.append(r == 0 ? 0.0 : r).append('/');
        }
        return b.toString();
    }

    private static SequenceAttribute sequence(AttributeList l, AttributeTag tag) {
        Attribute a = l.get(tag);
        return a instanceof SequenceAttribute s ? s : null;
    }

    private static AttributeList firstItem(AttributeList l, AttributeTag tag) {
        SequenceAttribute s = sequence(l, tag);
        if (s == null || s.getNumberOfItems() == 0) return null;
        SequenceItem item = s.getItem(0);
        return item == null ? null : item.getAttributeList();
    }

    /** Exposure per image in mAs: Exposure, else ExposureInmAs, else XRayTubeCurrent (mA) x ExposureTime (ms). */
    private static Double exposure(AttributeList l) {
        Double e = number(l, Tags.EXPOSURE);
        if (e == null) e = number(l, Tags.EXPOSURE_IN_MAS);
        if (e == null) {
            Double ma = number(l, Tags.XRAY_TUBE_CURRENT);
            Double ms = number(l, Tags.EXPOSURE_TIME);
            if (ma != null && ms != null) e = ma * ms / 1000.0;
        }
        return e;
    }

    private static String contrastAgent(AttributeList l) {
        String a = text(l, Tags.CONTRAST_BOLUS_AGENT);
        if (a == null) a = text(l, Tags.CONTRAST_BOLUS_INGREDIENT);
        if (a == null) {
            AttributeList item = firstItem(l, Tags.CONTRAST_BOLUS_AGENT_SEQUENCE);
            if (item != null) a = text(item, com.pixelmed.dicom.TagFromName.CodeMeaning);
        }
        return a;
    }

    /** The element of a private tag in this data set, found through its private creator, or {@code null}. */
    private static Attribute privateAttribute(AttributeList l, Tags.PrivateTag p) {
        for (int block = 0x10; block <= 0xFF; block++) {
            String creator = text(l, p.creatorTag(block));
            if (creator != null && creator.equalsIgnoreCase(p.creator())) {
                return l.get(p.tag(block));
            }
        }
        return null;
    }

    private static String privateText(AttributeList l, Tags.PrivateTag p) {
        Attribute a = privateAttribute(l, p);
        if (a == null) return null;
        String s = asciiValue(a);
        return s == null || s.isBlank() ? null : s.trim();
    }

    /**
     * A numeric private value: text VRs (IS, DS) are parsed; when the file gave no VR (implicit VR, read as UN or OB)
     * the bytes are decoded as ASCII digits, or as a little-endian float when {@code binaryFloat} (Philips FL).
     */
    private static Double privateNumber(AttributeList l, Tags.PrivateTag p, boolean binaryFloat) {
        Attribute a = privateAttribute(l, p);
        if (a == null) return null;
        try {
            String vr = new String(a.getVR(), StandardCharsets.US_ASCII);
            if (vr.equals("FL") || vr.equals("FD")) {
                double[] d = a.getDoubleValues();
                return d == null || d.length == 0 ? null : d[0];
            }
            if (vr.equals("UN") || vr.equals("OB")) {
                byte[] bytes = a.getByteValues();
                if (bytes == null || bytes.length == 0) return null;
                if (binaryFloat && bytes.length >= 4) {
                    return (double) ByteBuffer.wrap(bytes, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
                }
                return parseFirstNumber(new String(bytes, StandardCharsets.US_ASCII));
            }
            return parseFirstNumber(asciiValue(a));
        } catch (com.pixelmed.dicom.DicomException | RuntimeException e) {
            return null; // an unreadable vendor field is simply not evidence
        }
    }

    private static String asciiValue(Attribute a) {
        try {
            String[] vs = a.getStringValues();
            if (vs != null && vs.length > 0) return String.join("\\", vs);
            byte[] bytes = a.getByteValues();
            return bytes == null ? null : new String(bytes, StandardCharsets.US_ASCII).replace('\0', ' ');
        } catch (com.pixelmed.dicom.DicomException | RuntimeException e) {
            return null;
        }
    }

    private static Double parseFirstNumber(String s) {
        if (s == null) return null;
        String first = s.split("\\\\")[0].replace('\0', ' ').trim();
        if (first.isEmpty()) return null;
        try {
            return Double.parseDouble(first);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void putText(Map<Feature, Object> v, Feature f, String s, boolean upper) {
        if (s != null && !s.isBlank()) v.put(f, upper ? s.trim().toUpperCase(Locale.ROOT) : s.trim());
    }

    private static void putNumber(Map<Feature, Object> v, Feature f, Double d) {
        if (d != null) v.put(f, d);
    }

    private static void putList(Map<Feature, Object> v, Feature f, Set<String> s) {
        if (!s.isEmpty()) v.put(f, List.copyOf(s));
    }

    private static void add(List<Double> list, Double d) {
        if (d != null) list.add(d);
    }

    private static void addAll(Set<String> set, List<String> values) {
        set.addAll(values);
    }

    private static Double median(List<Double> xs) {
        if (xs.isEmpty()) return null;
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2.0;
    }
}
