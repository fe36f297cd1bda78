package org.medlake.dicom;

import java.io.IOException;
import java.io.InputStream;

/**
 * A buffered stream for header parsing that knows its position, supports mark/reset (PixelMed peeks) and skips far
 * ahead through the underlying stream (a seek for file channels) instead of reading. Its buffer is borrowed from a
 * per-thread pool so parsing many small files does not allocate a fresh 32 KiB buffer each time. Not thread-safe;
 * {@link #close()} returns the buffer and does not close the underlying stream.
 */
final class HeaderStream extends InputStream {
    private static final int SIZE = 32 * 1024;
    private static final int MAX_POOLED = 1024 * 1024;
    private static final ThreadLocal<byte[]> POOL = new ThreadLocal<>();

    private final InputStream in;
    private byte[] buf;
    private int pos;
    private int count;
    private int markPos = -1;
    private int markLimit;
    /** Stream offset of buf[0]. */
    private long bufStart;
    private boolean eof;

    HeaderStream(InputStream in) {
        this.in = in;
        byte[] b = POOL.get();
        if (b != null) {
            POOL.set(null);
        } else {
            b = new byte[SIZE];
        }
        this.buf = b;
    }

    /** Bytes consumed so far (offset of the next byte {@link #read()} returns). */
    long position() {
        return bufStart + pos;
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        if (markPos < 0) {
            bufStart += count;
            pos = 0;
            count = 0;
        } else if (pos - markPos >= markLimit) {
            markPos = -1;
            bufStart += count;
            pos = 0;
            count = 0;
        } else {
            if (markPos > 0) {
                int keep = count - markPos;
                System.arraycopy(buf, markPos, buf, 0, keep);
                bufStart += markPos;
                pos -= markPos;
                count = keep;
                markPos = 0;
            }
            if (count == buf.length) {
                byte[] bigger = new byte[buf.length * 2];
                System.arraycopy(buf, 0, bigger, 0, count);
                buf = bigger;
            }
        }
        int n = in.read(buf, count, buf.length - count);
        if (n < 0) {
            eof = true;
            return false;
        }
        count += n;
        return n > 0 || fill();
    }

    @Override
    public int read() throws IOException {
        if (pos >= count && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int avail = count - pos;
        if (avail <= 0) {
            if (markPos < 0 && len >= buf.length) {
                // large read, nothing to keep: bypass the buffer
                bufStart += count;
                pos = 0;
                count = 0;
                int n = eof ? -1 : in.read(b, off, len);
                if (n < 0) {
                    eof = true;
                    return -1;
                }
                bufStart += n;
                return n;
            }
            if (!fill()) {
                return -1;
            }
            avail = count - pos;
        }
        int n = Math.min(avail, len);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Skips within the buffer, then (without a mark) through the underlying stream's own skip, which may seek. */
    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        int avail = count - pos;
        if (avail >= n || markPos >= 0) {
            if (avail <= 0 && !fill()) {
                return 0;
            }
            int s = (int) Math.min(count - pos, n);
            pos += s;
            return s;
        }
        pos = count;
        long rest = n - avail;
        long skipped = eof ? 0 : in.skip(rest);
        bufStart += count + skipped;
        pos = 0;
        count = 0;
        return avail + skipped;
    }

    @Override
    public int available() throws IOException {
        return (count - pos) + (eof ? 0 : in.available());
    }

    @Override
    public boolean markSupported() {
        return true;
    }

    @Override
    public synchronized void mark(int readlimit) {
        markPos = pos;
        markLimit = readlimit;
    }

    @Override
    public synchronized void reset() throws IOException {
        if (markPos < 0) {
            throw new IOException("reset without a valid mark");
        }
        pos = markPos;
    }

    /** Returns the buffer to the pool; the underlying stream stays open. */
    @Override
    public void close() {
        if (buf != null && buf.length <= MAX_POOLED) {
            POOL.set(buf);
        }
        buf = null;
    }
}
