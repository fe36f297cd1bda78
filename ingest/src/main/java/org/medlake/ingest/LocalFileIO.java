package org.medlake.ingest;

import io.delta.kernel.defaults.engine.fileio.FileIO;
import io.delta.kernel.defaults.engine.fileio.InputFile;
import io.delta.kernel.defaults.engine.fileio.OutputFile;
import io.delta.kernel.defaults.engine.fileio.PositionOutputStream;
import io.delta.kernel.defaults.engine.fileio.SeekableInputStream;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Delta Kernel's file access for a lake on the local file system, through {@code java.nio} instead of Hadoop.
 *
 * <p>Why: Kernel's Hadoop file access costs a one-shot ingest about half a second of CPU before its first commit
 * (Hadoop's XML defaults, its file system registry, the user login), on the same cores that read the files. The
 * contract is Kernel's {@link FileIO}: {@link #listFrom} lists a folder from a name on in name order;
 * {@link OutputFile#writeAtomically} makes a file appear whole or not at all, and refuses with
 * {@link FileAlreadyExistsException} when it exists and overwriting is not asked for, which is how concurrent Delta
 * commits exclude each other. Paths are spelled as Hadoop spells them, {@code file:/absolute/path} without URI
 * escapes.
 */
final class LocalFileIO implements FileIO {
    private final Map<String, String> conf;

    /** @param conf the settings {@link #getConf} answers (Kernel reads a few options through it) */
    LocalFileIO(Map<String, String> conf) {
        this.conf = Map.copyOf(conf);
    }

    /**
     * The local path of a path string as Kernel and Hadoop spell them: {@code file:/a/b}, {@code file:///a/b} or
     * {@code /a/b}, not URI-escaped (a space is a space).
     */
    static Path toPath(String path) {
        String p = path;
        if (p.startsWith("file:")) {
            p = p.substring("file:".length());
            if (p.startsWith("//")) {
                int slash = p.indexOf('/', 2);
                p = slash < 0 ? "/" : p.substring(slash);
            }
        }
        if (!p.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute local file path: '" + path + "'");
        }
        return Path.of(p);
    }

    /** The path string Kernel and Hadoop use for a local path: {@code file:/absolute/path}, not URI-escaped. */
    static String toUriString(Path path) {
        return "file:" + path.toAbsolutePath().normalize();
    }

    @Override
    public CloseableIterator<FileStatus> listFrom(String filePath) throws IOException {
        Path from = toPath(filePath);
        Path dir = from.getParent();
        String first = from.getFileName().toString();
        if (!Files.isDirectory(dir)) {
            throw new FileNotFoundException("No such folder: " + dir);
        }
        List<Path> names = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().compareTo(first) >= 0).forEach(names::add);
        }
        names.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        List<FileStatus> out = new ArrayList<>(names.size());
        for (Path p : names) {
            try {
                out.add(status(p));
            } catch (FileNotFoundException e) {
                // deleted since listed: not there
            }
        }
        return io.delta.kernel.internal.util.Utils.toCloseableIterator(out.iterator());
    }

    private static FileStatus status(Path p) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return FileStatus.of(toUriString(p), a.isDirectory() ? 0 : a.size(), a.lastModifiedTime().toMillis());
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException("No such file: " + p);
        }
    }

    @Override
    public FileStatus getFileStatus(String path) throws IOException {
        return status(toPath(path));
    }

    @Override
    public String resolvePath(String path) {
        return toUriString(toPath(path));
    }

    @Override
    public boolean mkdirs(String path) throws IOException {
        Files.createDirectories(toPath(path));
        return true;
    }

    @Override
    public InputFile newInputFile(String path, long fileSize) {
        Path p = toPath(path);
        return new InputFile() {
            @Override
            public long length() throws IOException {
                return fileSize >= 0 ? fileSize : Files.size(p);
            }

            @Override
            public String path() {
                return path;
            }

            @Override
            public SeekableInputStream newStream() throws IOException {
                try {
                    return new ChannelInput(FileChannel.open(p, StandardOpenOption.READ));
                } catch (NoSuchFileException e) {
                    throw new FileNotFoundException("No such file: " + p);
                }
            }
        };
    }

    @Override
    public OutputFile newOutputFile(String path) {
        Path p = toPath(path);
        return new OutputFile() {
            @Override
            public String path() {
                return path;
            }

            @Override
            public PositionOutputStream create(boolean overwrite) throws IOException {
                return LocalFileIO.create(p, overwrite);
            }

            @Override
            public void writeAtomically(CloseableIterator<String> lines, boolean overwrite) throws IOException {
                try (lines) {
                    writeLinesAtomically(p, lines, overwrite);
                }
            }
        };
    }

    /**
     * A buffered stream writing a new file (its folder created if needed) that knows its position; with
     * {@code overwrite} false an existing file is an error.
     */
    static PositionOutputStream create(Path p, boolean overwrite) throws IOException {
        Files.createDirectories(p.getParent());
        OutputStream os = overwrite ? Files.newOutputStream(p)
                : Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new CountingOutput(new BufferedOutputStream(os, 1 << 16));
    }

    /** Writes the lines (each ended by a newline) to a hidden file beside {@code target}, then publishes it. */
    private static void writeLinesAtomically(Path target, java.util.Iterator<String> lines, boolean overwrite)
            throws IOException {
        Files.createDirectories(target.getParent());
        if (!overwrite && Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), 1 << 16)) {
                while (lines.hasNext()) {
                    os.write(lines.next().getBytes(StandardCharsets.UTF_8));
                    os.write('\n');
                }
            }
            if (overwrite) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } else {
                // A hard link is created only if the name is free, in one step: of two writers, exactly one wins.
                try {
                    Files.createLink(target, tmp);
                } catch (FileAlreadyExistsException e) {
                    throw e;
                } catch (UnsupportedOperationException | IOException e) {
                    // A file system without hard links: a move that refuses an existing name (checked, then
                    // renamed; the lake's write lock keeps other ingest runs out of that gap).
                    Files.move(tmp, target);
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public boolean delete(String path) throws IOException {
        return Files.deleteIfExists(toPath(path));
    }

    @Override
    public Optional<String> getConf(String key) {
        return Optional.ofNullable(conf.get(key));
    }

    @Override
    public void copyFileAtomically(String srcPath, String destPath, boolean overwrite) throws IOException {
        List<String> lines = Files.readAllLines(toPath(srcPath), StandardCharsets.UTF_8);
        writeLinesAtomically(toPath(destPath), lines.iterator(), overwrite);
    }

    /** Reads a file through its channel: positioned reads, so seeking is free. */
    private static final class ChannelInput extends SeekableInputStream {
        private final FileChannel channel;
        private long pos;

        ChannelInput(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n = channel.read(ByteBuffer.wrap(b, off, len), pos);
            if (n > 0) {
                pos += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = Math.max(0, Math.min(n, channel.size() - pos));
            pos += skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(Integer.MAX_VALUE, Math.max(0, channel.size() - pos));
        }

        @Override
        public long getPos() {
            return pos;
        }

        @Override
        public void seek(long newPos) {
            pos = newPos;
        }

        @Override
        public void readFully(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = read(b, off, len);
                if (n < 0) {
                    throw new EOFException("end of file after " + pos + " bytes, " + len + " more expected");
                }
                off += n;
                len -= n;
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** An output stream that knows its position. */
    private static final class CountingOutput extends PositionOutputStream {
        private final OutputStream out;
        private long pos;

        CountingOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            pos++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            pos += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }

        @Override
        public long getPos() {
            return pos;
        }
    }
}
