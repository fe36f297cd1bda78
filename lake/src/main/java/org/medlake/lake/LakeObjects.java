package org.medlake.lake;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the lake's objects (the files behind {@code instances.location}), whichever form the location has:
 *
 * <ul>
 *   <li>packed, {@code objects/packs/<name>.pack@<offset>+<length>}: {@code <length>} bytes of the pack
 *       {@code <name>} from byte {@code <offset>} (both decimal without sign or leading zeros; {@code <name>} is
 *       {@code [A-Za-z0-9._-]+}), written by {@link PackWriter};</li>
 *   <li>one file per object, {@code objects/sha256/ab/<sha256>} (lakes written before packs), or an in-place
 *       {@code file:} URI: the whole file.</li>
 * </ul>
 * Other URIs ({@code s3a:} and the like) are not local files; callers read those through Hadoop as before, telling
 * them apart by the {@code ':'} that lake-relative locations never contain.
 *
 * <p>Stateless and thread-safe. Malformed locations and locations escaping the lake root are
 * {@link IllegalArgumentException}s (a bad table value); a missing file is a {@link NoSuchFileException}, and a region
 * beyond its pack's end an {@link IOException} saying the object store is damaged (a bad lake).
 */
public final class LakeObjects {
    /** A region of a file holding one object; {@code length} is never negative. */
    public record ObjectRef(Path file, long offset, long length) {
        public ObjectRef {
            Objects.requireNonNull(file, "file");
            if (offset < 0 || length < 0) {
                throw new IllegalArgumentException("negative offset or length: " + offset + "+" + length);
            }
        }
    }

    /** One line of a pack index: the object with this digest is {@code length} bytes at {@code offset}. */
    public record PackEntry(String sha256, long offset, long length) {}

    static final String PACKED_PREFIX = LakeLayout.PACKS + "/";
    /** Decimals are at most 18 digits, so that offset + length cannot overflow a long. */
    private static final String DECIMAL = "(0|[1-9][0-9]{0,17})";
    private static final Pattern PACKED = Pattern.compile(
            Pattern.quote(PACKED_PREFIX) + "([A-Za-z0-9._-]+)\\.pack@" + DECIMAL + "\\+" + DECIMAL);
    private static final Pattern INDEX_LINE = Pattern.compile("([0-9a-f]{64}) " + DECIMAL + " " + DECIMAL);

    private final LakeLayout lake;

    /** Reads the objects of {@code lake}. */
    public LakeObjects(LakeLayout lake) {
        this.lake = Objects.requireNonNull(lake, "lake");
    }

    /**
     * Whether {@code location} names a region of a pack, i.e. starts with {@code objects/packs/} (it may still be
     * malformed; {@link #locate} says so). Such a location has no file of its own: {@link LakeLayout#resolve} refuses it.
     */
    public static boolean isPacked(String location) {
        return location.startsWith(PACKED_PREFIX);
    }

    /** The location of {@code length} bytes at {@code offset} of the pack {@code name}. */
    public static String packedLocation(String name, long offset, long length) {
        LakeLayout.checkPackName(name);
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative offset or length: " + offset + "+" + length);
        }
        return PACKED_PREFIX + name + ".pack@" + offset + "+" + length;
    }

    /**
     * The file region holding the object at {@code location}. For a one-file object the region is the whole file:
     * offset 0 and length the file's current size.
     *
     * @throws IllegalArgumentException if the location is malformed, escapes the lake root, or is a non-file URI
     * @throws NoSuchFileException if the file or pack is missing
     * @throws IOException if the region lies beyond the pack's end (the object store is damaged)
     */
    public ObjectRef locate(String location) throws IOException {
        Objects.requireNonNull(location, "location");
        if (isPacked(location)) {
            Matcher m = PACKED.matcher(location);
            if (!m.matches() || m.group(1).length() > 200) {
                throw new IllegalArgumentException("malformed packed location '" + location + "': expected "
                        + PACKED_PREFIX + "<name>.pack@<offset>+<length> with a name of A-Z a-z 0-9 . _ - and decimal "
                        + "offset and length");
            }
            Path pack = lake.pack(m.group(1));
            long offset = Long.parseLong(m.group(2));
            long length = Long.parseLong(m.group(3));
            long size = size(pack, location);
            if (offset + length > size) {
                throw new IOException("The lake's object store is damaged: '" + location + "' names bytes " + offset
                        + ".." + (offset + length) + " of " + pack + ", which holds only " + size + " bytes (the pack "
                        + "was truncated or replaced outside medlake). Restore the pack from a backup, or re-ingest the "
                        + "source files of the instances stored in it.");
            }
            return new ObjectRef(pack, offset, length);
        }
        if (location.contains(":") && !location.startsWith("file:")) {
            throw new IllegalArgumentException("location '" + location + "' is not a local file; read it through its "
                    + "file system (e.g. Hadoop for s3a:)");
        }
        Path file = lake.resolve(location);
        return new ObjectRef(file, 0, size(file, location));
    }

    /**
     * A stream of the object's bytes; the caller closes it.
     *
     * @throws IOException as {@link #locate}, which also names the unchecked exceptions
     */
    public InputStream open(String location) throws IOException {
        ObjectRef ref = locate(location);
        FileChannel channel = FileChannel.open(ref.file(), StandardOpenOption.READ);
        return new RegionInputStream(channel, ref.offset(), ref.length());
    }

    /**
     * The object's bytes.
     *
     * @throws IOException as {@link #locate}, or if the object is too large for an array
     */
    public byte[] readAllBytes(String location) throws IOException {
        ObjectRef ref = locate(location);
        if (ref.length() > Integer.MAX_VALUE - 8) {
            throw new IOException("object '" + location + "' has " + ref.length() + " bytes, too many to read into "
                    + "memory; stream it with open()");
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) ref.length());
        try (FileChannel channel = FileChannel.open(ref.file(), StandardOpenOption.READ)) {
            while (bytes.hasRemaining()) {
                if (channel.read(bytes, ref.offset() + bytes.position()) < 0) {
                    throw new IOException(ref.file() + " ended before the " + ref.length() + " bytes of '" + location
                            + "' were read; it changed while being read");
                }
            }
        }
        return bytes.array();
    }

    /**
     * The complete lines of the index of pack {@code name}, in the order they were written. A last line without its
     * newline was torn by a killed writer and is ignored: its object was never flushed, so no table references it.
     *
     * @throws NoSuchFileException if the index is missing
     * @throws IOException if a complete line is malformed (the index is damaged)
     */
    public List<PackEntry> packIndex(String name) throws IOException {
        Path file = lake.packIndex(name);
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<PackEntry> entries = new ArrayList<>();
        int start = 0;
        for (int end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start)) {
            Matcher m = INDEX_LINE.matcher(text.substring(start, end));
            if (!m.matches()) {
                throw new IOException("The lake's object store is damaged: line " + (entries.size() + 1) + " of " + file
                        + " is not '<sha256> <offset> <length>'. Restore the index from a backup; the table rows "
                        + "still locate the objects without it.");
            }
            entries.add(new PackEntry(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
        }
        return entries;
    }

    private static long size(Path file, String location) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "the object of '" + location + "' is missing from the "
                    + "lake; the object store was modified outside medlake");
        }
    }

    /** Reads {@code length} bytes from {@code offset} of a channel that it owns, by positional reads. */
    private static final class RegionInputStream extends InputStream {
        private final FileChannel channel;
        private final long end;
        private long position;

        RegionInputStream(FileChannel channel, long offset, long length) {
            this.channel = channel;
            this.position = offset;
            this.end = offset + length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (position >= end) {
                return -1;
            }
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
            if (n < 0) {
                throw new IOException("the file ended inside the object's region; it changed while being read");
            }
            position += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long skipped = Math.max(0, Math.min(n, end - position));
            position += skipped;
            return skipped;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, end - position);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
