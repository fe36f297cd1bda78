package org.medlake.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses one DICOM file and returns its {@link InstanceHeader}.
 *
 * <p>Every overload first tries {@link FastHeaderParser} on the bytes (a file or stream is buffered from its start,
 * 64 KiB at first, more while the parse asks for it, up to 4 MiB), which reads the common shapes of file many times
 * faster than PixelMed and gives an equal header. For anything it declines the file is parsed with PixelMed, which
 * gives the same result or exception as before the fast path existed.
 *
 * <p>Only the header is parsed: PixelMed stops at the top-level Pixel Data element, whose value is never loaded.
 * Truncation is still detected: when the size of the input is known ({@link #read(Path)}, {@link #read(byte[])},
 * {@link #read(byte[], int, String)}, {@link #read(InputStream, long, String)}), the declared Pixel Data length is
 * compared with the bytes left in the file (encapsulated fragments are walked by skipping, which seeks on files), so
 * a file cut in its pixel data is {@link DicomReadException.Reason#TRUNCATED} without reading the pixels. Every
 * failure is a {@link DicomReadException}. Thread-safe (stateless but for per-thread read buffers).
 */
public final class DicomReader {
    private static final Pattern AGE = Pattern.compile("\\s*(\\d{1,3})\\s*([DWMYdwmy]?)\\s*");
    /** Explicit VRs with a 2-byte reserved field and a 4-byte length. */
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");
    private static final long UNDEFINED_LENGTH = 0xFFFFFFFFL;
    private static final long UNKNOWN_SIZE = -1;
    /** Bytes of a file or stream buffered for the first fast-path attempt (headers are nearly always shorter). */
    private static final int FIRST_READ = 64 * 1024;
    /** The fast path gives up beyond this many buffered bytes; PixelMed then reads on (and seeks past pixel data). */
    private static final int MAX_FAST_READ = 4 * 1024 * 1024;
    private static final ThreadLocal<byte[]> READ_AHEAD = new ThreadLocal<>();
    /** Inputs the fast path has parsed, so tests can tell which path a read took. */
    static final LongAdder FAST_PATH_READS = new LongAdder();

    private DicomReader() {}

    /** Reads a file's header (the pixel data is skipped by seeking, not read). */
    public static InstanceHeader read(Path file) {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            long size = ch.size();
            ReadAhead ahead = new ReadAhead();
            try {
                InstanceHeader fast = ahead.tryFastPath(Channels.newInputStream(ch), size);
                if (fast != null) {
                    return fast;
                }
            } finally {
                ahead.release();
            }
            ch.position(0);
            return parse(Channels.newInputStream(ch), size, file.toString());
        } catch (NoSuchFileException e) {
            throw new DicomException(ErrorCode.DICOM_IO, "Cannot read DICOM file " + file + ": it does not exist. "
                    + "Check the path.", e);
        } catch (IOException e) {
            throw new DicomException(ErrorCode.DICOM_IO, "Cannot read DICOM file " + file + ": " + e
                    + ". Check that the file is readable and the disk is healthy.", e);
        }
    }

    /** Reads a file held in memory. */
    public static InstanceHeader read(byte[] bytes) {
        return read(bytes, bytes.length, "<" + bytes.length + " bytes>");
    }

    /**
     * Reads a file held in {@code bytes[0, length)} without copying it (the array is not modified or kept).
     *
     * @param source a name for the input used in error messages (path or URI)
     */
    public static InstanceHeader read(byte[] bytes, int length, String source) {
        if (length < 0 || length > bytes.length) {
            throw new IllegalArgumentException("length must be in [0, " + bytes.length + "], got " + length);
        }
        InstanceHeader fast = FastHeaderParser.parse(bytes, length);
        if (fast != null) {
            FAST_PATH_READS.increment();
            return fast;
        }
        return parse(new ByteArrayInputStream(bytes, 0, length), length, source);
    }

    /**
     * Reads the header of a file of known size from a stream positioned at its start, without reading its pixel
     * data: the stream is left somewhere after the header (not closed) and its {@code skip} is used to pass
     * encapsulated fragments (a seek for file streams).
     *
     * @param size the file's size in bytes, used to detect truncation without reading the pixel data
     * @param source a name for the input used in error messages (path or URI)
     */
    public static InstanceHeader read(InputStream in, long size, String source) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        return readStream(in, size, source);
    }

    /**
     * Reads one file from a stream of unknown size. The bytes after the header are read (not kept) to check that
     * the declared Pixel Data is complete; prefer {@link #read(InputStream, long, String)} when the size is known.
     * The stream is not closed.
     *
     * @param source a name for the input used in error messages (path or URI)
     */
    public static InstanceHeader read(InputStream in, String source) {
        return readStream(in, UNKNOWN_SIZE, source);
    }

    /** The PixelMed path alone, for tests that compare it with the fast path. */
    static InstanceHeader readWithPixelMed(byte[] bytes, String source) {
        return parse(new ByteArrayInputStream(bytes), bytes.length, source);
    }

    private static InstanceHeader readStream(InputStream in, long size, String source) {
        ReadAhead ahead = new ReadAhead();
        try {
            InstanceHeader fast = ahead.tryFastPath(in, size);
            if (fast != null) {
                return fast;
            }
            // PixelMed starts over: first the bytes already taken from the stream, then the rest of it
            return parse(ahead.replayThen(in), size, source);
        } finally {
            ahead.release();
        }
    }

    /**
     * The start of one input, buffered in a per-thread array for the fast path, and replayed to PixelMed when the
     * fast path declines. Not thread-safe; {@link #release()} returns the array.
     */
    private static final class ReadAhead {
        private byte[] buf;
        private int n;

        ReadAhead() {
            buf = READ_AHEAD.get();
            READ_AHEAD.set(null); // borrowed: a nested read on this thread gets its own
            if (buf == null) {
                buf = new byte[FIRST_READ];
            }
        }

        /**
         * Buffers the input (all of it when small, else its start, more while the parse asks for more) and returns
         * the fast parser's header, or {@code null} when it declines. {@code size} may be {@link #UNKNOWN_SIZE}: the
         * fast path then needs the whole stream within {@link #MAX_FAST_READ} bytes. A read error also gives
         * {@code null}: the PixelMed path then meets it again and reports it as it always has.
         */
        InstanceHeader tryFastPath(InputStream in, long size) {
            long want = size >= 0 ? Math.min(size, FIRST_READ) : FIRST_READ;
            while (true) {
                if (want > buf.length) {
                    buf = Arrays.copyOf(buf, (int) want);
                }
                boolean eof;
                try {
                    eof = fill(in, (int) want);
                } catch (IOException e) {
                    return null;
                }
                long known = size >= 0 ? size : eof ? n : UNKNOWN_SIZE;
                if (known >= 0 && n <= known) {
                    FastHeaderParser.Result r = FastHeaderParser.parse(buf, n, known);
                    if (r.header() != null) {
                        FAST_PATH_READS.increment();
                        return r.header();
                    }
                    if (!r.needMore()) {
                        return null;
                    }
                }
                if (eof || n >= MAX_FAST_READ) {
                    return null;
                }
                want = Math.min((long) n * 2, MAX_FAST_READ);
                if (size >= 0) {
                    want = Math.min(want, size);
                }
            }
        }

        /** Reads until {@code n == want} or the end of the stream; true at the end. */
        private boolean fill(InputStream in, int want) throws IOException {
            while (n < want) {
                int r = in.read(buf, n, want - n);
                if (r < 0) {
                    return true;
                }
                n += r;
            }
            return false;
        }

        /** The buffered bytes, then the rest of {@code in} (whose skip is used past them, so files still seek). */
        InputStream replayThen(InputStream in) {
            byte[] b = buf;
            int count = n;
            return new InputStream() {
                private int pos;

                @Override
                public int read() throws IOException {
                    return pos < count ? b[pos++] & 0xFF : in.read();
                }

                @Override
                public int read(byte[] dst, int off, int len) throws IOException {
                    if (len == 0) {
                        return 0;
                    }
                    if (pos < count) {
                        int k = Math.min(len, count - pos);
                        System.arraycopy(b, pos, dst, off, k);
                        pos += k;
                        return k;
                    }
                    return in.read(dst, off, len);
                }

                @Override
                public long skip(long k) throws IOException {
                    if (k <= 0) {
                        return 0;
                    }
                    if (pos < count) {
                        int s = (int) Math.min(k, count - pos);
                        pos += s;
                        return s;
                    }
                    return in.skip(k);
                }

                @Override
                public int available() throws IOException {
                    return pos < count ? count - pos : in.available();
                }
            };
        }

        void release() {
            if (buf != null && buf.length <= MAX_FAST_READ) {
                READ_AHEAD.set(buf.length > FIRST_READ ? new byte[FIRST_READ] : buf);
            }
            buf = null;
        }
    }

    private static InstanceHeader parse(InputStream raw, long size, String source) {
        HeaderStream in = new HeaderStream(raw);
        try {
            return parse(in, size, source);
        } catch (UncheckedIOException e) {
            throw new DicomException(ErrorCode.DICOM_IO, "Cannot read " + source + ": " + e.getCause()
                    + ". Check that the file is readable and the disk is healthy.", e.getCause());
        } finally {
            in.close();
        }
    }

    private static InstanceHeader parse(HeaderStream in, long size, String source) {
        byte[] head;
        try {
            in.mark(256);
            head = in.readNBytes(132);
            in.reset();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean part10 = head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        if (!part10 && !looksLikeRawDataSet(head)) {
            throw notDicom(source, head.length == 0 ? "the file is empty"
                    : "there is no 'DICM' marker at byte offset 128 and the first bytes are not a DICOM data element");
        }

        AttributeList list = new AttributeList();
        PixelDataStop stop = new PixelDataStop(list);
        DicomInputStream dis;
        long end;
        try {
            dis = new DicomInputStream(in);
            end = list.read(dis, stop);
        } catch (EOFException e) {
            throw truncated(source, "the file ends inside its header (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            if (isShortRead(e)) {
                throw truncated(source, "the file ends inside its header (" + e.getMessage() + ")", e);
            }
            if (!part10 || String.valueOf(e.getMessage()).contains("Not a DICOM")) {
                throw notDicom(source, "PixelMed could not parse it as a data set (" + e.getMessage() + ")");
            }
            throw unreadable(source, e);
        } catch (com.pixelmed.dicom.DicomException | RuntimeException e) {
            if (!part10) {
                throw notDicom(source, "it has no 'DICM' marker and PixelMed could not parse it as a data set ("
                        + e.getMessage() + ")");
            }
            throw unreadable(source, e);
        }

        TransferSyntax ts = dis.getTransferSyntaxToReadDataSet();
        if (stop.hit) {
            checkPixelData(dis, in, size, ts, source);
        } else {
            long total = size >= 0 ? size : drain(in);
            boolean deflated = ts != null && ts.isDeflated();
            if (!deflated && end > total) {
                throw truncated(source, "its elements declare " + end + " bytes but the file has only " + total, null);
            }
            if (!deflated && end < total) {
                throw truncated(source, "PixelMed stopped parsing at byte " + end + " of " + total
                        + " (an element is cut short or corrupt)", null);
            }
            // A cut at an element boundary leaves a well-formed but incomplete data set: recognise it by what is missing.
            if (part10 && onlyMetaInformation(list)) {
                throw truncated(source, "the file ends in or right after its File Meta Information, at byte " + total, null);
            }
            String sopClass = string(list, TagFromName.SOPClassUID);
            if (sopClass == null) {
                sopClass = string(list, TagFromName.MediaStorageSOPClassUID);
            }
            boolean image = list.get(TagFromName.Rows) != null || (sopClass != null && SOPClass.isImageStorage(sopClass));
            if (image && !hasAnyPixelData(list)) {
                throw truncated(source, "it is an image (SOP class " + sopClass + ") but the file ends at byte " + total
                        + " before its Pixel Data", null);
            }
        }

        String sop = string(list, TagFromName.SOPInstanceUID);
        String series = string(list, TagFromName.SeriesInstanceUID);
        String study = string(list, TagFromName.StudyInstanceUID);
        if (sop == null || series == null || study == null) {
            StringBuilder missing = new StringBuilder();
            if (sop == null) missing.append("SOPInstanceUID ");
            if (series == null) missing.append("SeriesInstanceUID ");
            if (study == null) missing.append("StudyInstanceUID ");
            throw new DicomReadException(DicomReadException.Reason.MISSING_UID, "DICOM file " + source
                    + " lacks " + missing.toString().trim().replace(" ", ", ")
                    + ": the data set does not carry the UIDs that identify an instance (e.g. a DICOMDIR, a "
                    + "de-identification that removed them, or a non-image object). Fix: re-export the file from "
                    + "the source system with its UIDs, or leave it out of the ingest.");
        }
        String tsUid = string(list, TagFromName.TransferSyntaxUID);
        if (tsUid == null && ts != null) {
            tsUid = ts.getUID();
        }
        DataSetView view = PixelMedDataSet.of(list);
        return InstanceHeader.of(HeaderExtraction.extract(view, tsUid), DicomJson.write(view));
    }

    /**
     * The stream stands just after the Pixel Data tag. Reads the element's VR and length and checks that every
     * declared byte is present (for encapsulated data: every fragment and the delimiter): against the file size
     * when it is known (skipping fragments without reading them), else by reading the bytes through.
     */
    private static void checkPixelData(DicomInputStream dis, HeaderStream in, long size, TransferSyntax ts, String source) {
        if (ts != null && ts.isDeflated()) {
            size = UNKNOWN_SIZE; // positions in the inflated stream are not file offsets
        }
        try {
            long length;
            if (ts == null || ts.isExplicitVR()) {
                byte[] vr = new byte[2];
                dis.readInsistently(vr, 0, 2);
                if (LONG_VRS.contains(new String(vr, java.nio.charset.StandardCharsets.US_ASCII))) {
                    dis.skipInsistently(2);
                    length = dis.readUnsigned32();
                } else {
                    length = dis.readUnsigned16();
                }
            } else {
                length = dis.readUnsigned32();
            }
            if (length != UNDEFINED_LENGTH) {
                long present = size >= 0 ? Math.max(0, Math.min(length, size - in.position())) : skip(dis, length);
                if (present < length) {
                    throw truncated(source, "Pixel Data declares " + length + " bytes but only " + present
                            + " are present", null);
                }
                return;
            }
            int fragments = 0;
            while (true) {
                AttributeTag tag = new AttributeTag(dis.readUnsigned16(), dis.readUnsigned16());
                long itemLength = dis.readUnsigned32();
                if (tag.equals(TagFromName.SequenceDelimitationItem)) {
                    return;
                }
                if (!tag.equals(TagFromName.Item) || itemLength == UNDEFINED_LENGTH) {
                    throw new DicomReadException(DicomReadException.Reason.UNREADABLE, "DICOM file " + source
                            + " has corrupt encapsulated Pixel Data: found " + tag + " where fragment item "
                            + (fragments + 1) + " or the sequence delimiter should be. Fix: re-export the file "
                            + "from the source system.");
                }
                long present;
                if (size >= 0) {
                    present = Math.max(0, Math.min(itemLength, size - in.position()));
                    if (present == itemLength) {
                        skipFully(in, itemLength);
                    }
                } else {
                    present = skip(dis, itemLength);
                }
                if (present < itemLength) {
                    throw truncated(source, "fragment " + (fragments + 1) + " of the encapsulated Pixel Data declares "
                            + itemLength + " bytes but only " + present + " are present", null);
                }
                fragments++;
            }
        } catch (EOFException e) {
            throw truncated(source, "the file ends inside the Pixel Data element", e);
        } catch (IOException e) {
            if (isShortRead(e)) {
                throw truncated(source, "the file ends inside the Pixel Data element (" + e.getMessage() + ")", e);
            }
            throw new UncheckedIOException(e);
        }
    }

    /** Skips exactly {@code n} bytes known to be present (seeking where the stream can), reading if skip stalls. */
    private static void skipFully(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("end of file while skipping " + n + " bytes");
                }
                s = 1;
            }
            left -= s;
        }
    }

    /** PixelMed reports a premature end of file as a plain IOException ("read failed with N bytes remaining"). */
    private static boolean isShortRead(IOException e) {
        String m = String.valueOf(e.getMessage());
        return e instanceof EOFException || m.contains("remaining to be read") || m.contains("remaining to be skipped") || m.contains("end of file")
                || m.contains("premature");
    }

    private static boolean hasAnyPixelData(AttributeList list) {
        return list.get(TagFromName.PixelData) != null || list.get(TagFromName.FloatPixelData) != null
                || list.get(TagFromName.DoubleFloatPixelData) != null;
    }

    private static boolean onlyMetaInformation(AttributeList list) {
        for (Object key : list.keySet()) {
            if (((AttributeTag) key).getGroup() != TagFromName.TransferSyntaxUID.getGroup()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Skips up to {@code n} bytes by reading them (InputStream.skip may seek past the end of a file) and returns
     * how many were there.
     */
    private static long skip(InputStream in, long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(64 * 1024, Math.max(1, n))];
        long done = 0;
        while (done < n) {
            int r = in.read(scratch, 0, (int) Math.min(scratch.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    private static long drain(HeaderStream in) {
        try {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return in.position();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A data set without preamble normally starts with group 0002, 0004 or 0008 (either byte order). */
    private static boolean looksLikeRawDataSet(byte[] head) {
        if (head.length < 8) {
            return false;
        }
        int le = (head[0] & 0xff) | (head[1] & 0xff) << 8;
        int be = (head[0] & 0xff) << 8 | (head[1] & 0xff);
        return le == 0x0002 || le == 0x0004 || le == 0x0008 || be == 0x0002 || be == 0x0004 || be == 0x0008;
    }

    private static DicomReadException notDicom(String source, String cause) {
        return new DicomReadException(DicomReadException.Reason.NOT_DICOM, source + " is not a DICOM file: " + cause
                + ". Fix: remove non-DICOM files from the source folder, or ignore this entry if it is expected "
                + "(reports, notes, NIfTI files).");
    }

    private static DicomReadException truncated(String source, String cause, Throwable t) {
        return new DicomReadException(DicomReadException.Reason.TRUNCATED, "DICOM file " + source
                + " is truncated: " + cause + ". This usually means an interrupted copy or transfer. Fix: copy the "
                + "file again from its source system.", t);
    }

    private static DicomReadException unreadable(String source, Exception e) {
        return new DicomReadException(DicomReadException.Reason.UNREADABLE, "DICOM file " + source
                + " could not be parsed: " + e.getMessage() + ". The file has a DICOM preamble but its data set is "
                + "corrupt or uses an encoding PixelMed does not support. Fix: validate it (e.g. with dciodvfy or "
                + "dcmdump) and re-export it from the source system.", e);
    }

    static String string(AttributeList list, AttributeTag tag) {
        String v = Attribute.getSingleStringValueOrNull(list, tag);
        if (v == null) {
            return null;
        }
        v = v.trim();
        return v.isEmpty() ? null : v;
    }

    /** PatientAge ({@code nnnD|W|M|Y}) in whole years, or {@code null}. A bare number is taken as years. */
    public static Integer ageInYears(String age) {
        if (age == null) {
            return null;
        }
        Matcher m = AGE.matcher(age);
        if (!m.matches()) {
            return null;
        }
        int n = Integer.parseInt(m.group(1));
        switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "D": return n / 365;
            case "W": return n / 52;
            case "M": return n / 12;
            default: return n;
        }
    }

    /** A DA value ({@code yyyyMMdd}, or the old {@code yyyy.MM.dd}) as a date, or {@code null} if invalid. */
    public static LocalDate date(String da) {
        if (da == null) {
            return null;
        }
        String d = da.trim().replace(".", "");
        if (d.length() != 8 || !d.chars().allMatch(Character::isDigit)) {
            return null;
        }
        try {
            return LocalDate.of(Integer.parseInt(d.substring(0, 4)), Integer.parseInt(d.substring(4, 6)),
                    Integer.parseInt(d.substring(6, 8)));
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** Stops PixelMed at the top-level Pixel Data tag, leaving the stream just after the tag. */
    private static final class PixelDataStop implements AttributeList.ReadTerminationStrategy {
        private final AttributeList top;
        boolean hit;

        PixelDataStop(AttributeList top) {
            this.top = top;
        }

        @Override
        public boolean terminate(AttributeList list, AttributeTag tag, long byteOffset) {
            if (list == top && tag.equals(TagFromName.PixelData)) {
                hit = true;
            }
            return hit;
        }
    }
}
