package org.medlake.lake;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Appends objects to a new pack {@code LAKE/objects/packs/<name>.pack} and records each one as a line
 * {@code <sha256> <offset> <length>\n} in {@code <name>.idx}. Storing many objects in one file instead of one file
 * per object saves the file-system work of creating and later listing tens of thousands of small files.
 *
 * <p>Each appended object is addressed by the location {@link #append} returns,
 * {@code objects/packs/<name>.pack@<offset>+<length>} (see {@link LakeObjects}).
 *
 * <p><b>Kill-safety contract.</b> Writes are buffered. A location is valid only once {@link #flush()} or
 * {@link #close()} has returned after the {@code append} that produced it: callers flush before they commit table
 * rows that reference the location. A writer killed before that leaves bytes (and perhaps index lines) that no
 * table references; they are garbage, never read. The index is written after the bytes it describes, so every
 * complete index line describes bytes that are in the pack, and a line torn by a kill is the last one and lacks its
 * newline ({@link LakeObjects#packIndex} ignores it). Flushing hands the bytes to the operating system, which keeps
 * them when the process dies; like the lake's other writes it does not force them to the disk.
 *
 * <p>One writer per thread: instances are not thread-safe. Pack names must be unique (the pack is created with
 * {@code CREATE_NEW}); callers derive them from the run and the writing thread, e.g. {@code <runId>-<thread>}.
 * After an I/O error the writer refuses further use, as the pack's end is then unknown.
 */
public final class PackWriter implements Closeable {
    /** Bytes buffered before they are written to the pack; larger objects bypass the buffer. */
    static final int BUFFER_BYTES = 1 << 20;

    private final String name;
    /** {@code objects/packs/<name>.pack@}: the name is checked once, when the writer is created. */
    private final String locationPrefix;
    private final FileChannel pack;
    private final FileChannel index;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    /** Index lines of the objects appended since the last flush; written once their bytes are. */
    private final StringBuilder pendingIndex = new StringBuilder();
    /** Bytes appended so far, i.e. the offset of the next object. */
    private long size;
    private boolean closed;
    private IOException failure;

    private PackWriter(String name, FileChannel pack, FileChannel index) {
        this.name = name;
        this.locationPrefix = LakeObjects.PACKED_PREFIX + LakeLayout.checkPackName(name) + ".pack@";
        this.pack = pack;
        this.index = index;
    }

    /**
     * Creates the pack {@code name} and its index in {@code lake}, making {@code objects/packs} if needed.
     *
     * @throws IllegalArgumentException if {@code name} is not a valid pack name (see {@link LakeLayout#pack})
     * @throws java.nio.file.FileAlreadyExistsException if a pack or index of that name exists
     */
    public static PackWriter create(LakeLayout lake, String name) throws IOException {
        Path packFile = lake.pack(name);
        Path indexFile = lake.packIndex(name);
        Files.createDirectories(packFile.getParent());
        FileChannel pack = FileChannel.open(packFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            FileChannel index = FileChannel.open(indexFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new PackWriter(name, pack, index);
        } catch (IOException | RuntimeException e) {
            pack.close();
            throw e;
        }
    }

    /** The pack's name. */
    public String name() {
        return name;
    }

    /** Bytes appended so far, flushed or not. */
    public long size() {
        return size;
    }

    /**
     * Appends {@code length} bytes of {@code bytes} from {@code offset}. The caller vouches that {@code sha256} is
     * their digest (it is recorded in the index, not checked against the bytes).
     *
     * @return the object's location, {@code objects/packs/<name>.pack@<offset>+<length>}; valid once {@link #flush()}
     *         or {@link #close()} returned
     * @throws IllegalArgumentException if {@code sha256} is not 64 lower-case hex digits
     * @throws IndexOutOfBoundsException if the range lies outside {@code bytes}
     * @throws IllegalStateException if the writer is closed
     */
    public String append(byte[] bytes, int offset, int length, String sha256) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (!LakeLayout.isSha256Hex(sha256)) {
            throw new IllegalArgumentException("not a lower-case SHA-256 hex digest: '" + sha256 + "'");
        }
        checkUsable();
        long at = size;
        try {
            if (length > buffer.remaining()) {
                writeBuffer();
            }
            if (length >= buffer.capacity()) {
                // Too big to be worth copying into the buffer: write it straight after what is already written.
                writeFully(pack, ByteBuffer.wrap(bytes, offset, length));
            } else {
                buffer.put(bytes, offset, length);
            }
        } catch (IOException e) {
            throw fail(e);
        }
        size += length;
        pendingIndex.append(sha256).append(' ').append(at).append(' ').append(length).append('\n');
        return locationPrefix + at + "+" + length;
    }

    /**
     * Writes the buffered bytes to the pack, then their index lines to the index. Afterwards every location returned
     * so far is valid.
     */
    public void flush() throws IOException {
        checkUsable();
        try {
            writeBuffer();
            if (!pendingIndex.isEmpty()) {
                writeFully(index, ByteBuffer.wrap(pendingIndex.toString().getBytes(StandardCharsets.US_ASCII)));
                pendingIndex.setLength(0);
            }
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /** Flushes and closes the pack and its index; closing again does nothing. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (failure == null) {
                flush();
            }
        } finally {
            closed = true;
            try (pack; index) {
                // both channels are closed, even if one close fails
            }
        }
    }

    private void writeBuffer() throws IOException {
        buffer.flip();
        writeFully(pack, buffer);
        buffer.clear();
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    private void checkUsable() throws IOException {
        if (closed) {
            throw new IllegalStateException("pack writer '" + name + "' is closed");
        }
        if (failure != null) {
            throw new IOException("pack writer '" + name + "' failed earlier and cannot be used: " + failure.getMessage(),
                    failure);
        }
    }

    private IOException fail(IOException e) {
        failure = e;
        return e;
    }

    @Override
    public String toString() {
        return "PackWriter[" + name + ", " + size + " bytes]";
    }
}
