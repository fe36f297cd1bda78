package org.medlake.sdk.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A content-addressed cache of verified files packed into append-only files: each writer (one per client) appends
 * file bytes to its own {@code pack-<id>.dat} and then a line {@code <sha256> <offset> <length>} to
 * {@code pack-<id>.idx}. Appending to one file costs a fraction of creating one file per entry (measured on ext4:
 * 0.35 s against 3.1 s of CPU per GiB of 0.5 MB files), which is what a streaming epoch needs.
 *
 * <p>Safe against crashes and damage: an entry is indexed only after its bytes are written, a torn last index line
 * is ignored, and every read is hashed, so a damaged entry is reported absent (and dropped from the index) rather than
 * returned. Several processes may share the directory; each sees the others' packs as they were when it opened the
 * cache. Thread-safe.
 */
public final class PackCache implements AutoCloseable {
    private record Loc(Path pack, long offset, int length) {}

    private final Path dir;
    /** Every indexed copy of a file, the newest first (an older pack may hold a damaged copy of the same bytes). */
    private final Map<String, List<Loc>> index = new ConcurrentHashMap<>();
    private final Map<Path, FileChannel> readers = new ConcurrentHashMap<>();
    private FileChannel data;
    private FileChannel idx;
    private Path dataPath;

    /** Opens (without creating) the pack cache in {@code dir}, indexing the packs already there. */
    public PackCache(Path dir) {
        this.dir = dir;
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> idxFiles = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, "pack-*.idx")) {
            found.forEach(idxFiles::add);
            // oldest first, so that newer copies end up in front
            idxFiles.sort(Comparator.comparing((Path p) -> p.toFile().lastModified()).thenComparing(Path::toString));
            for (Path i : idxFiles) {
                String name = i.getFileName().toString();
                Path pack = dir.resolve(name.substring(0, name.length() - 4) + ".dat");
                long packSize = Files.isRegularFile(pack) ? Files.size(pack) : -1;
                for (String line : Files.readAllLines(i, StandardCharsets.US_ASCII)) {
                    String[] f = line.split(" ");
                    if (f.length != 3 || f[0].length() != 64) {
                        continue; // a torn last line of a writer that died
                    }
                    try {
                        long offset = Long.parseLong(f[1]);
                        int length = Integer.parseInt(f[2]);
                        if (offset >= 0 && length >= 0 && offset + length <= packSize) {
                            add(f[0], new Loc(pack, offset, length));
                        }
                    } catch (NumberFormatException ignored) {
                        // skipped like a torn line
                    }
                }
            }
        } catch (IOException e) {
            // An unreadable pack index only means misses: the files are downloaded again.
        }
    }

    /**
     * The verified bytes of {@code sha256}, or {@code null} when the cache does not hold them intact (an entry that
     * fails its hash is forgotten).
     */
    public byte[] get(String sha256) {
        List<Loc> copies = index.get(sha256);
        if (copies == null) {
            return null;
        }
        for (Loc loc : List.copyOf(copies)) {
            byte[] bytes = read(loc);
            if (bytes != null && sha256.equals(hex(bytes))) {
                return bytes;
            }
            copies.remove(loc);
        }
        index.remove(sha256, List.of());
        return null;
    }

    private byte[] read(Loc loc) {
        try {
            FileChannel ch = readers.computeIfAbsent(loc.pack(), p -> {
                try {
                    return FileChannel.open(p, StandardOpenOption.READ);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            ByteBuffer buf = ByteBuffer.allocate(loc.length());
            while (buf.hasRemaining()) {
                if (ch.read(buf, loc.offset() + buf.position()) < 0) {
                    return null;
                }
            }
            return buf.array();
        } catch (IOException | UncheckedIOException e) {
            return null; // treated as damaged
        }
    }

    private void add(String sha256, Loc loc) {
        index.computeIfAbsent(sha256, k -> new CopyOnWriteArrayList<>()).add(0, loc);
    }

    /** Appends verified bytes under their SHA-256 (the caller has checked it). */
    public synchronized void put(String sha256, byte[] bytes) throws IOException {
        if (data == null) {
            Files.createDirectories(dir);
            String id = UUID.randomUUID().toString();
            dataPath = dir.resolve("pack-" + id + ".dat");
            data = FileChannel.open(dataPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            idx = FileChannel.open(dir.resolve("pack-" + id + ".idx"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
        long offset = data.position();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            data.write(b);
        }
        ByteBuffer line = ByteBuffer.wrap((sha256 + " " + offset + " " + bytes.length + "\n")
                .getBytes(StandardCharsets.US_ASCII));
        while (line.hasRemaining()) {
            idx.write(line);
        }
        add(sha256, new Loc(dataPath, offset, bytes.length));
    }

    /** Whether the cache indexes {@code sha256} (not checked until read). */
    public boolean contains(String sha256) {
        List<Loc> copies = index.get(sha256);
        return copies != null && !copies.isEmpty();
    }

    @Override
    public synchronized void close() {
        for (FileChannel ch : readers.values()) {
            closeQuietly(ch);
        }
        readers.clear();
        closeQuietly(data);
        closeQuietly(idx);
        data = null;
        idx = null;
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to recover
            }
        }
    }

    private static String hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
