package org.medlake.dicom;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.ClinicalTrialsAttributes;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.utils.FloatFormatter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A header parser for the common shape of DICOM Part 10 file, over bytes in memory, that gives exactly the
 * {@link InstanceHeader} the PixelMed path of {@link DicomReader} gives, many times faster: it walks the elements once,
 * keeps each value as a slice of the caller's buffer, and decodes a value only when {@link HeaderExtraction} or
 * {@link DicomJson} asks for it (through {@link DataSetView}, with PixelMed's value semantics).
 *
 * <p>It handles the 128-byte preamble and {@code DICM}, a File Meta Information group that starts with a correct group
 * length, explicit and implicit VR little endian data sets (so also the encapsulated transfer syntaxes), sequences
 * and items of defined and undefined length, private elements, and the default repertoire, ISO_IR 100 and ISO_IR 192.
 * Implicit VRs come from PixelMed's own dictionary, resolved as PixelMed resolves them. It stops at the top-level Pixel
 * Data element and checks, as {@code DicomReader} does, that the declared pixel bytes (or every encapsulated fragment
 * and the delimiter) are present.
 *
 * <p>Anything else it <em>declines</em> rather than guess: big endian, deflate, unknown transfer syntaxes, other
 * character sets, non-ASCII bytes PixelMed would decode with the platform charset, odd or mismatched value lengths,
 * elements out of order or running past their container, VRs PixelMed would repair, undefined lengths other than
 * sequences and items, and every file the PixelMed path would reject (truncated, missing UIDs, not Part 10). The
 * caller then parses the file with PixelMed, which gives the old result or the old exception. Stateless and
 * thread-safe; the returned header does not refer to the buffer.
 */
final class FastHeaderParser {
    /** Elements with a longer value are declined: headers have none, and PixelMed handles huge values specially. */
    private static final long MAX_VALUE_LENGTH = 16L * 1024 * 1024;
    private static final long UNDEFINED = 0xFFFFFFFFL;

    private static final int PIXEL_DATA = key(TagFromName.PixelData);
    private static final int FLOAT_PIXEL_DATA = key(TagFromName.FloatPixelData);
    private static final int DOUBLE_FLOAT_PIXEL_DATA = key(TagFromName.DoubleFloatPixelData);
    private static final int ITEM = key(TagFromName.Item);
    private static final int ITEM_DELIMITER = key(TagFromName.ItemDelimitationItem);
    private static final int SEQUENCE_DELIMITER = key(TagFromName.SequenceDelimitationItem);
    private static final int META_GROUP_LENGTH = key(TagFromName.FileMetaInformationGroupLength);
    private static final int SPECIFIC_CHARACTER_SET = key(TagFromName.SpecificCharacterSet);
    private static final int PIXEL_REPRESENTATION = key(TagFromName.PixelRepresentation);
    private static final int META_GROUP = TagFromName.FileMetaInformationGroupLength.getGroup();
    /** Group of the item and delimiter tags. */
    private static final int DELIMITER_GROUP = TagFromName.Item.getGroup();
    /** Bound on {@link #SYNTAXES}, which files fill with the UIDs they declare. */
    private static final int MAX_CACHED_SYNTAXES = 256;

    /** Transfer syntax UID to 1 (explicit VR LE), 0 (implicit VR LE) or -1 (declined), as PixelMed classifies it. */
    private static final Map<String, Integer> SYNTAXES = new ConcurrentHashMap<>();

    /** The result of one attempt: a header, or why there is none. */
    record Result(InstanceHeader header, boolean needMore) {}

    static final Result DECLINED = new Result(null, false);
    /** The parse ran past the buffered bytes of a longer file: retry with more of it buffered. */
    static final Result NEED_MORE = new Result(null, true);

    private FastHeaderParser() {}

    /** Parses a whole file held in {@code bytes[0, length)}; {@code null} when the fast path declines it. */
    static InstanceHeader parse(byte[] bytes, int length) {
        return parse(bytes, length, length).header();
    }

    /**
     * Parses the file whose first {@code buffered} bytes are in {@code buf} and whose size is {@code size} bytes. Only
     * the header needs to be buffered: the Pixel Data length is checked against {@code size}. Encapsulated fragments
     * are walked in the buffer, so a file whose fragments lie beyond it gives {@link #NEED_MORE}.
     */
    static Result parse(byte[] buf, int buffered, long size) {
        if (buffered > buf.length || buffered > size) {
            throw new IllegalArgumentException("buffered " + buffered + " exceeds the buffer or the size " + size);
        }
        try {
            return new Result(new Run(buf, buffered, size).header(), false);
        } catch (Stop s) {
            return s.needMore ? NEED_MORE : DECLINED;
        } catch (RuntimeException e) {
            // A value the model cannot handle: PixelMed decides.
            return DECLINED;
        }
    }

    private static int key(AttributeTag t) {
        return t.getGroup() << 16 | t.getElement();
    }

    /** Control flow out of the recursive descent; preallocated and without a stack trace, so cheap to throw. */
    private static final class Stop extends RuntimeException {
        static final Stop DECLINE = new Stop(false);
        static final Stop MORE = new Stop(true);
        final boolean needMore;

        private Stop(boolean needMore) {
            super(null, null, false, false);
            this.needMore = needMore;
        }
    }

    /** How PixelMed decodes and reports a VR. */
    private enum Kind { STRING, TEXT, US, SS, UL, SL, FL, FD, SV, UV, AT, BINARY, UN, SQ }

    /** The VRs the fast path knows, with PixelMed's length form and character set handling. */
    private enum Vr {
        AE(Kind.STRING, 1, true, false), AS(Kind.STRING, 1, true, false), AT(Kind.AT, 4, true, false),
        CS(Kind.STRING, 1, true, false), DA(Kind.STRING, 1, true, false), DS(Kind.STRING, 1, true, false),
        DT(Kind.STRING, 1, true, false), FD(Kind.FD, 8, true, false), FL(Kind.FL, 4, true, false),
        IS(Kind.STRING, 1, true, false), LO(Kind.STRING, 1, true, true), LT(Kind.TEXT, 1, true, true),
        OB(Kind.BINARY, 1, false, false), OD(Kind.BINARY, 8, false, false), OF(Kind.BINARY, 4, false, false),
        OL(Kind.BINARY, 4, false, false), OV(Kind.BINARY, 8, false, false), OW(Kind.BINARY, 2, false, false),
        PN(Kind.STRING, 1, true, true), SH(Kind.STRING, 1, true, true), SL(Kind.SL, 4, true, false),
        SQ(Kind.SQ, 1, false, false), SS(Kind.SS, 2, true, false), ST(Kind.TEXT, 1, true, true),
        SV(Kind.SV, 8, false, false), TM(Kind.STRING, 1, true, false), UC(Kind.STRING, 1, false, true),
        UI(Kind.STRING, 1, true, false), UL(Kind.UL, 4, true, false), UN(Kind.UN, 1, false, false),
        UR(Kind.STRING, 1, false, false), US(Kind.US, 2, true, false), UT(Kind.TEXT, 1, false, true),
        UV(Kind.UV, 8, false, false);

        private static final Vr[] BY_CODE = new Vr[26 * 26];

        static {
            for (Vr v : values()) {
                BY_CODE[(v.name().charAt(0) - 'A') * 26 + v.name().charAt(1) - 'A'] = v;
            }
        }

        final Kind kind;
        /** Bytes per value: a value length must be a multiple of it. */
        final int unit;
        /** Explicit VR with a 2-byte length (else 2 reserved bytes and a 4-byte length). */
        final boolean shortLength;
        /** Decoded with the data set's Specific Character Set (else PixelMed uses the platform charset). */
        final boolean charsetAffected;

        Vr(Kind kind, int unit, boolean shortLength, boolean charsetAffected) {
            this.kind = kind;
            this.unit = unit;
            this.shortLength = shortLength;
            this.charsetAffected = charsetAffected;
        }

        /** The VR with these two code bytes, or {@code null}. */
        static Vr of(int c0, int c1) {
            if (c0 < 'A' || c0 > 'Z' || c1 < 'A' || c1 > 'Z') {
                return null;
            }
            return BY_CODE[(c0 - 'A') * 26 + c1 - 'A'];
        }
    }

    /** One parse over one buffer. */
    private static final class Run {
        private final byte[] b;
        private final int buffered;
        private final long size;
        private boolean explicit = true;
        /** Specific Character Set of the data set: null for the default repertoire. */
        private Charset charset;

        Run(byte[] b, int buffered, long size) {
            this.b = b;
            this.buffered = buffered;
            this.size = size;
        }

        InstanceHeader header() {
            need(0, 132);
            if (b[128] != 'D' || b[129] != 'I' || b[130] != 'C' || b[131] != 'M') {
                throw Stop.DECLINE;
            }
            // File Meta Information: explicit VR LE, introduced by its group length, which must be right.
            Level top = new Level(128); // room for a typical image header without regrowing
            need(132, 12);
            if (tag(132) != META_GROUP_LENGTH || b[136] != 'U' || b[137] != 'L' || u16(138) != 4) {
                throw Stop.DECLINE;
            }
            int p = element(top, 132, false);
            long metaEnd = p + u32(140);
            while (p < metaEnd) {
                need(p, 4);
                if (u16(p) != META_GROUP) {
                    throw Stop.DECLINE;
                }
                p = element(top, p, false);
            }
            if (p != metaEnd) {
                throw Stop.DECLINE;
            }
            DataSetView.Element ts = top.get(TagFromName.TransferSyntaxUID);
            String tsUid = HeaderExtraction.str(ts);
            if (tsUid == null || !tsUid.equals(ts.singleStringOrNull())) {
                throw Stop.DECLINE; // PixelMed classifies the untrimmed value
            }
            Integer cached = SYNTAXES.get(tsUid);
            int syntax = cached != null ? cached : classify(tsUid);
            if (cached == null && SYNTAXES.size() < MAX_CACHED_SYNTAXES) {
                SYNTAXES.put(tsUid, syntax);
            }
            if (syntax < 0) {
                throw Stop.DECLINE;
            }
            explicit = syntax == 1;

            boolean signed = false;
            boolean pixelData = false;
            while (p < size) {
                need(p, 4);
                int t = tag(p);
                if (t == PIXEL_DATA) {
                    checkPixelData(p + 4);
                    pixelData = true;
                    break;
                }
                int group = t >>> 16;
                if (group == META_GROUP || group == DELIMITER_GROUP) {
                    throw Stop.DECLINE;
                }
                p = element(top, p, signed);
                if (t == SPECIFIC_CHARACTER_SET) {
                    charset = charset(top.last());
                } else if (t == PIXEL_REPRESENTATION) {
                    signed = isOne(top.last());
                }
            }
            if (!pixelData && !completeWithoutPixelData(top)) {
                throw Stop.DECLINE;
            }
            // What DicomReader rejects with MISSING_UID; PixelMed gives the message.
            if (HeaderExtraction.str(top.get(TagFromName.SOPInstanceUID)) == null
                    || HeaderExtraction.str(top.get(TagFromName.SeriesInstanceUID)) == null
                    || HeaderExtraction.str(top.get(TagFromName.StudyInstanceUID)) == null) {
                throw Stop.DECLINE;
            }
            return InstanceHeader.of(HeaderExtraction.extract(top, tsUid), DicomJson.write(top));
        }

        /**
         * DicomReader's checks for a file that ends at an element boundary without top-level Pixel Data: not only
         * File Meta Information, and not an image (Rows or an image storage SOP class) without any pixel data.
         */
        private boolean completeWithoutPixelData(Level top) {
            boolean onlyMeta = true;
            for (int i = 0; i < top.size(); i++) {
                if (top.keys[i] >>> 16 != META_GROUP) {
                    onlyMeta = false;
                    break;
                }
            }
            if (onlyMeta) {
                return false;
            }
            String sopClass = HeaderExtraction.str(top.get(TagFromName.SOPClassUID));
            if (sopClass == null) {
                sopClass = HeaderExtraction.str(top.get(TagFromName.MediaStorageSOPClassUID));
            }
            boolean image = top.get(TagFromName.Rows) != null || (sopClass != null && SOPClass.isImageStorage(sopClass));
            return !image || top.find(FLOAT_PIXEL_DATA) >= 0 || top.find(DOUBLE_FLOAT_PIXEL_DATA) >= 0;
        }

        /**
         * Parses the element at {@code p} into {@code level} and returns the offset after it. {@code signed} is the
         * Pixel Representation in force, which PixelMed uses to resolve the dictionary's "US or SS".
         */
        private int element(Level level, int p, boolean signed) {
            need(p, 8);
            int t = tag(p);
            int group = t >>> 16;
            int elem = t & 0xFFFF;
            Vr vr;
            long length;
            if (explicit) {
                vr = Vr.of(b[p + 4], b[p + 5]);
                if (vr == null) {
                    throw Stop.DECLINE; // PixelMed would guess (implicit VR inside explicit, "--", zeros)
                }
                if (vr.shortLength) {
                    length = u16(p + 6);
                    p += 8;
                } else {
                    need(p, 12);
                    if (u16(p + 6) != 0) {
                        throw Stop.DECLINE; // PixelMed would read the reserved bytes as a short length
                    }
                    length = u32(p + 8);
                    p += 12;
                }
                if (vr == Vr.UN) {
                    // PixelMed re-reads UN by the dictionary's VR when it knows one
                    Vr known = dictionaryVr(group, elem, signed);
                    if (known == Vr.SQ) {
                        throw Stop.DECLINE;
                    }
                    if (known != null) {
                        vr = known;
                    }
                }
            } else {
                length = u32(p + 4);
                p += 8;
                vr = dictionaryVr(group, elem, signed);
                if (vr == null) {
                    vr = Vr.UN;
                }
            }
            boolean privateGroup = (group & 1) != 0;
            if (privateGroup && elem > 0 && elem <= 0xFF) {
                vr = Vr.LO; // PixelMed reads every private creator as LO
            }
            if (vr == Vr.SQ) {
                return sequence(level, t, p, length, signed);
            }
            if (length == UNDEFINED || length > MAX_VALUE_LENGTH || (length & 1) != 0 || length % vr.unit != 0) {
                throw Stop.DECLINE;
            }
            if (vr == Vr.UN && privateGroup && isSafePrivateSequence(level, group, elem)) {
                throw Stop.DECLINE; // PixelMed parses such a UN as an implicit VR sequence
            }
            int len = (int) length;
            need(p, len);
            Charset decode = null;
            if (vr.kind == Kind.STRING || vr.kind == Kind.TEXT) {
                decode = decoderFor(vr, p, len);
            }
            level.add(new Elem(t, vr, b, p, len, decode, null));
            return p + len;
        }

        /** The charset that decodes this string value exactly as PixelMed would here; declines when there is none. */
        private Charset decoderFor(Vr vr, int p, int len) {
            for (int i = p, end = p + len; i < end; i++) {
                if (b[i] < 0) {
                    if (vr.charsetAffected && charset != null) {
                        return charset;
                    }
                    throw Stop.DECLINE; // PixelMed would use the platform charset (or an ISO 2022 switch)
                }
            }
            return StandardCharsets.ISO_8859_1; // ASCII: identical in every charset PixelMed could use
        }

        private int sequence(Level level, int t, int p, long length, boolean signed) {
            boolean undefined = length == UNDEFINED;
            long end = undefined ? -1 : p + length;
            if (!undefined && end > size) {
                throw Stop.DECLINE;
            }
            Level[] items = new Level[2];
            int n = 0;
            while (undefined || p < end) {
                need(p, 8);
                int it = tag(p);
                long itemLength = u32(p + 4);
                p += 8;
                if (it == SEQUENCE_DELIMITER) {
                    if (!undefined) {
                        throw Stop.DECLINE;
                    }
                    break;
                }
                if (it != ITEM) {
                    throw Stop.DECLINE;
                }
                Level item = new Level(8);
                p = item(item, p, itemLength, signed);
                if (n == items.length) {
                    items = Arrays.copyOf(items, n * 2);
                }
                items[n++] = item;
            }
            if (!undefined && p != end) {
                throw Stop.DECLINE;
            }
            level.add(new Elem(t, Vr.SQ, b, p, 0, null, Arrays.copyOf(items, n)));
            return p;
        }

        private int item(Level item, int p, long length, boolean signed) {
            boolean undefined = length == UNDEFINED;
            long end = undefined ? -1 : p + length;
            if (!undefined && end > size) {
                throw Stop.DECLINE;
            }
            while (undefined || p < end) {
                need(p, 4);
                int t = tag(p);
                if (t == ITEM_DELIMITER) {
                    need(p, 8);
                    if (!undefined) {
                        throw Stop.DECLINE;
                    }
                    return p + 8;
                }
                if (t >>> 16 == DELIMITER_GROUP || t == SPECIFIC_CHARACTER_SET) {
                    throw Stop.DECLINE; // stray delimiters, or a character set change inside an item
                }
                p = element(item, p, signed);
                if (t == PIXEL_REPRESENTATION) {
                    signed = isOne(item.last());
                }
            }
            if (p != end) {
                throw Stop.DECLINE;
            }
            return p;
        }

        /**
         * DicomReader's check of the top-level Pixel Data, whose tag ends at {@code p}: the declared bytes, or every
         * encapsulated fragment and the sequence delimiter, must be within the file.
         */
        private void checkPixelData(int p) {
            long length;
            if (explicit) {
                need(p, 4);
                Vr vr = Vr.of(b[p], b[p + 1]);
                if (vr != Vr.OB && vr != Vr.OW && vr != Vr.UN) {
                    throw Stop.DECLINE;
                }
                need(p, 8);
                length = u32(p + 4);
                p += 8;
            } else {
                need(p, 4);
                length = u32(p);
                p += 4;
            }
            if (length != UNDEFINED) {
                if (length > size - p) {
                    throw Stop.DECLINE; // truncated
                }
                return;
            }
            while (true) {
                if (p + 8L > size) {
                    throw Stop.DECLINE; // truncated
                }
                need(p, 8);
                int t = tag(p);
                long fragment = u32(p + 4);
                p += 8;
                if (t == SEQUENCE_DELIMITER) {
                    return;
                }
                if (t != ITEM || fragment == UNDEFINED || fragment > size - p) {
                    throw Stop.DECLINE; // corrupt or truncated
                }
                if (p + fragment > Integer.MAX_VALUE) {
                    throw Stop.DECLINE;
                }
                p += (int) fragment;
            }
        }

        /** Throws unless {@code n} bytes from {@code p} are buffered: more may be coming, or the file is too short. */
        private void need(long p, long n) {
            if (p + n > buffered) {
                throw p + n <= size ? Stop.MORE : Stop.DECLINE;
            }
        }

        private int u16(int p) {
            return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
        }

        private long u32(int p) {
            return ((b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (long) (b[p + 3] & 0xFF) << 24);
        }

        private int tag(int p) {
            return u16(p) << 16 | u16(p + 2);
        }
    }

    /** The Specific Character Set this element selects, as PixelMed maps it; declines all but the supported ones. */
    private static Charset charset(Elem e) {
        String[] v;
        try {
            v = e.strings();
        } catch (DicomException ex) {
            throw Stop.DECLINE;
        }
        if (v == null) {
            return null; // empty: PixelMed falls back to the default repertoire as if absent
        }
        if (v.length == 1 && "ISO_IR 100".equals(v[0])) {
            return StandardCharsets.ISO_8859_1;
        }
        if (v.length == 1 && "ISO_IR 192".equals(v[0])) {
            return StandardCharsets.UTF_8;
        }
        throw Stop.DECLINE;
    }

    /** PixelMed's {@code getSingleIntegerValueOrDefault(0) == 1} for Pixel Representation. */
    private static boolean isOne(Elem e) {
        try {
            long[] v = e.longs();
            return v != null && v.length > 0 && v[0] == 1;
        } catch (DicomException ex) {
            throw Stop.DECLINE;
        }
    }

    /**
     * The VR PixelMed's dictionary gives this tag, with its "US or SS" resolved by the Pixel Representation and "OB or
     * OW" read as OW, as PixelMed's attribute factory does; {@code null} when the dictionary does not know the tag.
     */
    private static Vr dictionaryVr(int group, int element, boolean signed) {
        byte[] v = DicomDictionary.StandardDictionary.getValueRepresentationFromTag(new AttributeTag(group, element));
        if (v == null || v.length < 2) {
            return null;
        }
        if ((v[0] == 'X' && v[1] == 'S') || (v[0] == 'X' && v[1] == 'O')) {
            return signed ? Vr.SS : Vr.US;
        }
        if (v[0] == 'O' && v[1] == 'X') {
            return Vr.OW;
        }
        Vr vr = Vr.of(v[0], v[1]);
        if (vr == null) {
            throw Stop.DECLINE;
        }
        return vr;
    }

    /** PixelMed's test for a private UN element it reads as a sequence, given this level's private creator. */
    private static boolean isSafePrivateSequence(Level level, int group, int element) {
        int creator = level.find(group << 16 | (element >> 8) & 0xFF);
        String name = creator < 0 ? "" : level.elems[creator].singleStringOrNull();
        name = name == null ? "" : name.trim();
        return ClinicalTrialsAttributes.isSafePrivateSequenceAttribute(name, new AttributeTag(group, element));
    }

    private static int classify(String uid) {
        TransferSyntax ts = new TransferSyntax(uid);
        if (!ts.isRecognized() || !ts.isLittleEndian() || ts.isDeflated() || ts.isBzip2ed()) {
            return -1;
        }
        return ts.isExplicitVR() ? 1 : 0;
    }

    /** One data set or item: elements in ascending tag order, found by binary search. */
    private static final class Level implements DataSetView {
        int[] keys;
        Elem[] elems;
        private int n;

        Level(int capacity) {
            keys = new int[capacity];
            elems = new Elem[capacity];
        }

        void add(Elem e) {
            if (n > 0 && Integer.compareUnsigned(e.key, keys[n - 1]) <= 0) {
                throw Stop.DECLINE; // out of order or repeated: PixelMed would sort or replace
            }
            if (n == keys.length) {
                keys = Arrays.copyOf(keys, n * 2);
                elems = Arrays.copyOf(elems, n * 2);
            }
            keys[n] = e.key;
            elems[n++] = e;
        }

        Elem last() {
            return elems[n - 1];
        }

        int find(int key) {
            int lo = 0;
            int hi = n - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = Integer.compareUnsigned(keys[mid], key);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -1;
        }

        @Override
        public Element get(AttributeTag tag) {
            int i = find(tag.getGroup() << 16 | tag.getElement());
            return i < 0 ? null : elems[i];
        }

        @Override
        public int size() {
            return n;
        }

        @Override
        public Element at(int i) {
            if (i >= n) {
                throw new IndexOutOfBoundsException(i);
            }
            return elems[i];
        }
    }

    /**
     * One element: its value is a slice of the parse buffer, decoded on demand with the PixelMed attribute class's
     * semantics for its VR. Valid only while the buffer is (during the parse).
     */
    /** PixelMed's texts of binary floats seen, by their bits (bounded: cleared when full). */
    private static final java.util.concurrent.ConcurrentHashMap<Long, String> FLOAT_TEXT =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static final class Elem implements DataSetView.Element {
        final int key;
        final Vr vr;
        private final byte[] b;
        private final int off;
        private final int len;
        private final Charset charset;
        private final Level[] items;
        private String[] strings;

        Elem(int key, Vr vr, byte[] b, int off, int len, Charset charset, Level[] items) {
            this.key = key;
            this.vr = vr;
            this.b = b;
            this.off = off;
            this.len = len;
            this.charset = charset;
            this.items = items;
        }

        @Override
        public int group() {
            return key >>> 16;
        }

        @Override
        public int element() {
            return key & 0xFFFF;
        }

        @Override
        public String vr() {
            return vr.name();
        }

        @Override
        public long vl() {
            return len;
        }

        @Override
        public String[] strings() throws DicomException {
            if (strings == null) {
                strings = decodeStrings();
            }
            return strings;
        }

        private String[] decodeStrings() throws DicomException {
            switch (vr.kind) {
                case STRING -> {
                    return len == 0 ? null : splitAndUnpad(new String(b, off, len, charset));
                }
                case TEXT -> {
                    // Text VRs keep one value, unsplit and with its padding
                    return len == 0 ? null : new String[] {new String(b, off, len, charset)};
                }
                case US, SS, SL, UL, SV, UV -> {
                    long[] v = longs();
                    if (v == null) {
                        return null;
                    }
                    String[] s = new String[v.length];
                    for (int i = 0; i < v.length; i++) {
                        s[i] = Long.toString(v[i]);
                    }
                    return s;
                }
                case FL, FD -> {
                    double[] v = doubles();
                    if (v == null) {
                        return null;
                    }
                    String[] s = new String[v.length];
                    for (int i = 0; i < v.length; i++) {
                        s[i] = floatString(v[i]);
                    }
                    return s;
                }
                case AT -> {
                    int[] t = tags();
                    if (t == null) {
                        return null;
                    }
                    String[] s = new String[t.length];
                    for (int i = 0; i < t.length; i++) {
                        s[i] = AttributeTag.toString(t[i] >>> 16, t[i] & 0xFFFF);
                    }
                    return s;
                }
                case UN -> {
                    // UnknownAttribute: the bytes in the platform charset, as one unpadded value
                    return new String[] {unpad(new String(b, off, len))};
                }
                default -> throw new DicomException("no string values for VR " + vr);
            }
        }

        /**
         * PixelMed's text of a binary float. Its formatter builds a {@code DecimalFormat} per call, which cost a run
         * of small files more than the rest of the parse; a file set repeats few values, so the texts are kept.
         */
        private static String floatString(double v) {
            Long bits = Double.doubleToRawLongBits(v);
            String s = FLOAT_TEXT.get(bits);
            if (s == null) {
                if (FLOAT_TEXT.size() >= 4096) {
                    FLOAT_TEXT.clear();
                }
                s = FloatFormatter.toString(v, Locale.US);
                FLOAT_TEXT.put(bits, s);
            }
            return s;
        }

        /** PixelMed's split on backslash (a trailing backslash adds no empty value) and padding removal. */
        private static String[] splitAndUnpad(String s) {
            int count = 1;
            for (int i = 0; i < s.length() - 1; i++) {
                if (s.charAt(i) == '\\') {
                    count++;
                }
            }
            String[] out = new String[count];
            int start = 0;
            int k = 0;
            for (int i = 0; k < count; i++) {
                if (i >= s.length() || s.charAt(i) == '\\') {
                    out[k++] = unpad(s.substring(start, i));
                    start = i + 1;
                }
            }
            return out;
        }

        /** PixelMed's padding rule: leading spaces, trailing spaces and NULs. */
        private static String unpad(String s) {
            int start = 0;
            int end = s.length();
            while (start < end && s.charAt(start) == ' ') {
                start++;
            }
            while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == 0)) {
                end--;
            }
            return start == 0 && end == s.length() ? s : s.substring(start, end);
        }

        @Override
        public String singleStringOrNull() {
            try {
                String[] s = strings();
                return s != null && s.length > 0 ? s[0] : null;
            } catch (DicomException e) {
                return null;
            }
        }

        @Override
        public String delimitedStringsOrNull() {
            try {
                String[] s = strings();
                if (s == null) {
                    return null;
                }
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < s.length; i++) {
                    if (i > 0) {
                        sb.append('\\');
                    }
                    if (s[i] != null) {
                        sb.append(s[i]);
                    }
                }
                return sb.toString();
            } catch (DicomException e) {
                return null;
            }
        }

        @Override
        public long[] longs() throws DicomException {
            int unit = vr.unit;
            switch (vr.kind) {
                case US, SS, UL, SL, SV, UV -> {
                    if (len == 0) {
                        return null;
                    }
                    long[] v = new long[len / unit];
                    for (int i = 0; i < v.length; i++) {
                        int p = off + i * unit;
                        v[i] = switch (vr.kind) {
                            case US -> (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
                            case SS -> (short) ((b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8);
                            case UL -> int32(p) & 0xFFFFFFFFL;
                            case SL -> int32(p);
                            default -> (int32(p) & 0xFFFFFFFFL) | (long) int32(p + 4) << 32;
                        };
                    }
                    return v;
                }
                default -> throw new DicomException("no integer values for VR " + vr);
            }
        }

        @Override
        public double[] doubles() throws DicomException {
            if (vr.kind != Kind.FL && vr.kind != Kind.FD) {
                throw new DicomException("no floating point values for VR " + vr);
            }
            if (len == 0) {
                return null;
            }
            double[] v = new double[len / vr.unit];
            for (int i = 0; i < v.length; i++) {
                int p = off + i * vr.unit;
                v[i] = vr.kind == Kind.FL ? Float.intBitsToFloat(int32(p))
                        : Double.longBitsToDouble((int32(p) & 0xFFFFFFFFL) | (long) int32(p + 4) << 32);
            }
            return v;
        }

        @Override
        public byte[] bytes() throws DicomException {
            if (vr.kind != Kind.BINARY && vr.kind != Kind.UN) {
                throw new DicomException("no byte values for VR " + vr);
            }
            if (len == 0 && vr.kind == Kind.BINARY) {
                return null;
            }
            return Arrays.copyOfRange(b, off, off + len); // little endian in the file, as PixelMed returns it
        }

        @Override
        public int[] tags() throws DicomException {
            if (vr.kind != Kind.AT) {
                throw new DicomException("no tag values for VR " + vr);
            }
            if (len == 0) {
                return null;
            }
            int[] v = new int[len / 4];
            for (int i = 0; i < v.length; i++) {
                int p = off + i * 4;
                v[i] = ((b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8) << 16 | (b[p + 2] & 0xFF) | (b[p + 3] & 0xFF) << 8;
            }
            return v;
        }

        @Override
        public int items() {
            return items == null ? 0 : items.length;
        }

        @Override
        public DataSetView item(int i) {
            return items[i];
        }

        private int int32(int p) {
            return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
        }
    }
}
