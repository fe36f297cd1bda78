package org.medlake.ingest;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.PackWriter;

/**
 * Stores accepted entries in the lake's object store as {@link PackWriter} packs: one pack per writer (a worker
 * thread or a Spark task), so a run creates a handful of files instead of one per instance, which on ext4 costs
 * more than everything else an ingest does.
 *
 * <p>Content-addressed: bytes whose SHA-256 the lake already holds (in {@code known}, lake-owned locations only) or
 * that this run already stored (in {@code stored}, shared by the run's writers) are not stored again; the entry
 * gets that location. Locations are valid only after {@link #close()}: callers close before committing rows.
 */
final class PackObjects implements EntryIngester.ObjectSink, Closeable {
    private final LakeLayout lake;
    private final String packName;
    private final Map<String, String> known;
    private final ConcurrentHashMap<String, String> stored;
    private PackWriter writer;

    /**
     * @param packName a name unique to this writer (e.g. the run id and the thread or task)
     * @param known    SHA-256 to lake-owned location of what the lake held when the run started
     * @param stored   SHA-256 to location of what this run stored so far, shared by its writers in one JVM
     */
    PackObjects(LakeLayout lake, String packName, Map<String, String> known, ConcurrentHashMap<String, String> stored) {
        this.lake = lake;
        this.packName = packName;
        this.known = known;
        this.stored = stored;
    }

    @Override
    public String store(byte[] bytes, int length, Path spill, String sha256) throws IOException {
        try {
            String held = known.get(sha256);
            if (held != null) {
                return held;
            }
            try {
                return stored.computeIfAbsent(sha256, k -> {
                    try {
                        return append(bytes, length, spill, k);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
        } finally {
            if (spill != null) {
                Files.deleteIfExists(spill);
            }
        }
    }

    private String append(byte[] bytes, int length, Path spill, String sha256) throws IOException {
        if (writer == null) {
            writer = PackWriter.create(lake, packName);
        }
        if (bytes != null) {
            return writer.append(bytes, 0, length, sha256);
        }
        // A spilled (large) entry: its bytes are appended in one piece, so they are read into memory once here.
        try (InputStream in = Files.newInputStream(spill)) {
            byte[] all = in.readAllBytes();
            return writer.append(all, 0, all.length, sha256);
        }
    }

    /** Flushes and closes the pack: from now on the returned locations are valid. */
    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }
}
