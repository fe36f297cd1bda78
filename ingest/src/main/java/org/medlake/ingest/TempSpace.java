package org.medlake.ingest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.medlake.lake.LakeLayout;

/**
 * A run's scratch folder {@code objects/tmp/<run id>/} for partial copies, guarded by an OS file lock that lives
 * as long as the run's process. The lock dies with the process even on SIGKILL, so a later run recognises and
 * removes the scratch of runs that were killed, and the lake ends without leftovers.
 */
final class TempSpace implements AutoCloseable {
    private final Path dir;
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;

    private TempSpace(Path dir, Path lockFile, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /** The scratch root of a lake. */
    static Path root(LakeLayout lake) {
        return lake.root().resolve("objects").resolve("tmp");
    }

    /** Claims scratch space for {@code runId} after removing that of dead runs. */
    static TempSpace claim(LakeLayout lake, String runId) throws IOException {
        Path root = root(lake);
        Files.createDirectories(root);
        removeAbandoned(root);
        Path lockFile = root.resolve(runId + ".lock");
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock();
        Path dir = Files.createDirectories(root.resolve(runId));
        return new TempSpace(dir, lockFile, channel, lock);
    }

    Path dir() {
        return dir;
    }

    private static void removeAbandoned(Path root) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                String run = name.endsWith(".lock") ? name.substring(0, name.length() - 5) : name;
                Path lockFile = root.resolve(run + ".lock");
                if (isAbandoned(lockFile)) {
                    deleteTree(root.resolve(run));
                    Files.deleteIfExists(lockFile);
                }
            }
        }
    }

    /** True when no live process holds the run's lock (or it never had one: a stray partial file). */
    private static boolean isAbandoned(Path lockFile) throws IOException {
        if (!Files.exists(lockFile)) {
            return true;
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock probe = ch.tryLock();
            if (probe == null) {
                return false;
            }
            probe.release();
            return true;
        } catch (OverlappingFileLockException heldByThisJvm) {
            return false;
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    @Override
    public void close() throws IOException {
        deleteTree(dir);
        lock.release();
        channel.close();
        Files.deleteIfExists(lockFile);
    }
}
