package org.medlake.ingest.source;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Opens one source file on any Hadoop file system and hands its entries to a visitor, streaming: zip, tar and
 * tar.gz archives yield one entry per member, a gzip-wrapped file ({@code .dcm.gz}) yields its content, any other
 * file yields itself. Containers are recognised by their magic bytes, not their names, and nothing is unpacked to
 * disk. Nested archives are not opened (a zip inside a zip is one entry).
 */
public final class SourceReader {
    /** Bytes needed to recognise every container format (the tar magic sits at offset 257). */
    private static final int SNIFF = 512;
    private static final int BUFFER = 1 << 16;

    /** What a file turned out to be. */
    public enum Container { PLAIN, ZIP, TAR, GZIP, TAR_GZIP }

    private SourceReader() {}

    /**
     * Visits the entries of the file at {@code uri}.
     *
     * @return the container kind that was recognised
     * @throws IOException if the file cannot be read, or an archive is corrupt (entries visited before the
     *     corruption have been handed over already)
     */
    public static Container forEachEntry(String uri, Configuration conf, EntryVisitor visitor) throws IOException {
        URI u = URI.create(uri);
        long size;
        InputStream opened;
        if ("file".equals(u.getScheme())) {
            // Local files bypass Hadoop's checksum file system (it looks for .crc companions on every open).
            java.nio.file.Path local = java.nio.file.Path.of(u);
            WholeFile whole = readSmall(local);
            if (whole != null) {
                byte[] head = whole.bytes();
                int n = whole.length();
                if (!isZip(head, n) && !isGzip(head, n) && !isTar(head, n)) {
                    // The common case, a small plain file: one read into the thread's buffer, no stream buffers.
                    visitor.visit(uri, whole, whole.length(), uri);
                    return Container.PLAIN;
                }
            }
            size = java.nio.file.Files.size(local);
            opened = java.nio.file.Files.newInputStream(local);
        } else {
            Path path = new Path(u);
            FileSystem fs = path.getFileSystem(conf);
            size = fs.getFileStatus(path).getLen();
            opened = fs.open(path);
        }
        try (InputStream raw = new BufferedInputStream(opened, BUFFER)) {
            byte[] head = peek(raw);
            if (isZip(head, head.length)) {
                members(uri, new ZipArchiveInputStream(raw, StandardCharsets.UTF_8.name(), true, true), visitor);
                return Container.ZIP;
            }
            if (isTar(head, head.length)) {
                members(uri, new TarArchiveInputStream(raw), visitor);
                return Container.TAR;
            }
            if (isGzip(head, head.length)) {
                InputStream unzipped = new BufferedInputStream(new GzipCompressorInputStream(raw, true), BUFFER);
                byte[] inner = peek(unzipped);
                if (isTar(inner, inner.length)) {
                    members(uri, new TarArchiveInputStream(unzipped), visitor);
                    return Container.TAR_GZIP;
                }
                visitor.visit(uri, shield(unzipped), -1, null);
                return Container.GZIP;
            }
            visitor.visit(uri, shield(raw), size, uri);
            return Container.PLAIN;
        }
    }

    /**
     * A small file read whole: a stream over its bytes whose {@link #bytes()} hands the array over without a copy
     * (the visitor may keep it; nothing else uses it).
     */
    public static final class WholeFile extends java.io.ByteArrayInputStream {
        WholeFile(byte[] buffer, int length) {
            super(buffer, 0, length);
        }

        /**
         * The array holding the file's bytes in {@code [0, length())}. It is the reading thread's buffer, reused
         * for the next file that thread reads: use it before the visitor returns, and copy what must outlive that.
         */
        public byte[] bytes() {
            return buf;
        }

        /** The file's length. */
        public int length() {
            return count;
        }
    }

    /** Files up to this size are read whole in one call. */
    private static final int SMALL = 4 << 20;
    /**
     * Each thread's read buffer: a new array per file would make every byte of a run garbage to zero, collect and
     * fault in again.
     */
    private static final ThreadLocal<byte[][]> BUFFER_OF_THREAD = ThreadLocal.withInitial(() -> new byte[][] {new byte[64 << 10]});

    /** The whole file if it is at most {@link #SMALL} bytes, else null. */
    private static WholeFile readSmall(java.nio.file.Path file) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long size = ch.size();
            if (size > SMALL) {
                return null;
            }
            byte[][] holder = BUFFER_OF_THREAD.get();
            if (holder[0].length < size) {
                holder[0] = new byte[(int) Math.max(size, holder[0].length * 2L)];
            }
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(holder[0], 0, (int) size);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // a file that shrinks meanwhile ends early; one that grows is read up to its size at open
            }
            return new WholeFile(holder[0], buf.position());
        }
    }

    private static void members(String uri, ArchiveInputStream<? extends ArchiveEntry> archive, EntryVisitor visitor)
            throws IOException {
        ArchiveEntry entry;
        while ((entry = archive.getNextEntry()) != null) {
            if (entry.isDirectory() || !archive.canReadEntryData(entry)) {
                continue;
            }
            String name = entry.getName().startsWith("/") ? entry.getName().substring(1) : entry.getName();
            visitor.visit(uri + "!/" + name, shield(archive), entry.getSize(), null);
        }
    }

    private static byte[] peek(InputStream in) throws IOException {
        in.mark(SNIFF);
        byte[] head = in.readNBytes(SNIFF);
        in.reset();
        return head;
    }

    /** Whether the first {@code n} bytes of {@code h} start a zip archive (the rest of the array is ignored). */
    static boolean isZip(byte[] h, int n) {
        return n >= 4 && h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4;
    }

    static boolean isGzip(byte[] h, int n) {
        return n >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b;
    }

    static boolean isTar(byte[] h, int n) {
        // POSIX ("ustar\0") and GNU ("ustar  ") tar both carry "ustar" at offset 257.
        return n >= 262 && Arrays.equals(h, 257, 262, "ustar".getBytes(StandardCharsets.US_ASCII), 0, 5);
    }

    /** The visitor must not close the shared stream of an archive. */
    private static InputStream shield(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public void close() {}
        };
    }
}
