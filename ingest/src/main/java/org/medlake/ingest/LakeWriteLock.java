package org.medlake.ingest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;
import org.medlake.lake.LakeLayout;

/**
 * Serialises the classify-then-append step of ingest runs on one lake, across threads (a gateway) and processes
 * (two ingests). Without it, two runs could both see a SOP Instance UID as new and both append it. The OS lock dies
 * with its process, so a killed run never blocks the next one. File locks are only as good as the file system's:
 * on a shared network mount, run one ingest per lake at a time.
 */
final class LakeWriteLock implements AutoCloseable {
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();

    private final FileChannel channel;
    private final FileLock lock;

    private LakeWriteLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Blocks until this thread holds the lake's write lock. */
    static LakeWriteLock acquire(LakeLayout lake) throws IOException {
        IN_PROCESS.lock();
        try {
            Path file = lake.root().resolve(".ingest.lock");
            Files.createDirectories(file.getParent());
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new LakeWriteLock(channel, channel.lock());
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            IN_PROCESS.unlock();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            IN_PROCESS.unlock();
        }
    }
}
