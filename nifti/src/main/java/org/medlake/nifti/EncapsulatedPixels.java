package org.medlake.nifti;

import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferShort;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes encapsulated (compressed) pixel data without PixelMed's per-byte encapsulated stream, which dominates the
 * conversion time of compressed series: the fragments are read from the file in one go, split into frames (one
 * fragment per frame, all fragments for a single frame, or by the Basic Offset Table), and each frame is decoded
 * here (RLE, single-component JPEG Lossless) or by the ImageIO reader PixelMed itself would use ("jpeg-lossless",
 * "jpeg2000", "jpeg-ls", "jpeg").
 * Returns {@code null} whenever it cannot (unusual layout, no reader, reader failure), so the caller falls back to
 * PixelMed and its error reporting.
 */
final class EncapsulatedPixels {
    private static final Map<String, String> FORMATS = Map.of(
            "1.2.840.10008.1.2.4.57", "jpeg-lossless",
            "1.2.840.10008.1.2.4.70", "jpeg-lossless",
            "1.2.840.10008.1.2.4.90", "jpeg2000",
            "1.2.840.10008.1.2.4.91", "jpeg2000",
            "1.2.840.10008.1.2.4.80", "jpeg-ls",
            "1.2.840.10008.1.2.4.81", "jpeg-ls",
            "1.2.840.10008.1.2.4.50", "jpeg");
    static final String RLE = "1.2.840.10008.1.2.5";

    private EncapsulatedPixels() {}

    /** All frames as 16-bit words (bitsAllocated 16) or bytes (8), or {@code null} to let PixelMed decode. */
    static Object decode(Instance inst, int bitsAllocated) {
        if (inst.itemsOffset < 0 || (bitsAllocated != 8 && bitsAllocated != 16)) {
            return null;
        }
        String format = FORMATS.get(inst.transferSyntax);
        boolean rle = RLE.equals(inst.transferSyntax);
        if (format == null && !rle) {
            return null;
        }
        try {
            List<byte[]> frames = frames(inst);
            if (frames == null) {
                return null;
            }
            int n = inst.rows * inst.columns;
            short[] words = bitsAllocated == 16 ? new short[n * inst.frames] : null;
            byte[] bytes = bitsAllocated == 8 ? new byte[n * inst.frames] : null;
            for (int f = 0; f < inst.frames; f++) {
                boolean ok = rle ? rle(frames.get(f), n, bitsAllocated, words, bytes, f * n)
                        : "jpeg-lossless".equals(format)
                                && JpegLossless.decode(frames.get(f), inst.rows, inst.columns, words, bytes, f * n)
                        || imageIo(format, frames.get(f), n, words, bytes, f * n);
                if (!ok) {
                    return null;
                }
            }
            return words != null ? words : bytes;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The frames' compressed bytes, or null for layouts left to PixelMed. */
    private static List<byte[]> frames(Instance inst) throws IOException {
        ByteBuffer b;
        try (FileChannel ch = FileChannel.open(inst.path, StandardOpenOption.READ)) {
            long len = ch.size() - inst.itemsOffset;
            if (len <= 8 || len > Integer.MAX_VALUE) {
                return null;
            }
            b = ByteBuffer.allocate((int) len).order(ByteOrder.LITTLE_ENDIAN);
            long pos = inst.itemsOffset;
            while (b.hasRemaining()) {
                int r = ch.read(b, pos);
                if (r < 0) {
                    break;
                }
                pos += r;
            }
            b.flip();
        }
        List<int[]> items = new ArrayList<>(); // {start, length, offset from first fragment item}
        int pos = 0;
        int firstFragment = -1;
        while (pos + 8 <= b.limit()) {
            int group = b.getShort(pos) & 0xFFFF, element = b.getShort(pos + 2) & 0xFFFF;
            int length = b.getInt(pos + 4);
            if (group != Tags.ITEM_GROUP) {
                return null;
            }
            if (element == Tags.SEQUENCE_DELIMITER) {
                break;
            }
            if (element != Tags.ITEM || length < 0 || pos + 8 + length > b.limit()) {
                return null;
            }
            if (!items.isEmpty() && firstFragment < 0) {
                firstFragment = pos;
            }
            items.add(new int[] {pos + 8, length, firstFragment < 0 ? 0 : pos - firstFragment});
            pos += 8 + length;
        }
        if (items.size() < 2) {
            return null;
        }
        int[] bot = items.get(0);
        List<int[]> fragments = items.subList(1, items.size());
        List<byte[]> frames = new ArrayList<>();
        if (inst.frames == 1) {
            frames.add(concat(b, fragments));
        } else if (fragments.size() == inst.frames) {
            for (int[] f : fragments) {
                frames.add(slice(b, f[0], f[1]));
            }
        } else if (bot[1] == 4 * inst.frames) {
            for (int k = 0; k < inst.frames; k++) {
                long from = b.getInt(bot[0] + 4 * k) & 0xFFFFFFFFL;
                long to = k + 1 < inst.frames ? b.getInt(bot[0] + 4 * k + 4) & 0xFFFFFFFFL : Long.MAX_VALUE;
                List<int[]> part = new ArrayList<>();
                for (int[] f : fragments) {
                    if (f[2] >= from && f[2] < to) {
                        part.add(f);
                    }
                }
                frames.add(concat(b, part));
            }
        } else {
            return null;
        }
        return frames;
    }

    private static byte[] slice(ByteBuffer b, int start, int length) {
        byte[] out = new byte[length];
        b.get(start, out);
        return out;
    }

    private static byte[] concat(ByteBuffer b, List<int[]> fragments) {
        int total = 0;
        for (int[] f : fragments) {
            total += f[1];
        }
        byte[] out = new byte[total];
        int at = 0;
        for (int[] f : fragments) {
            b.get(f[0], out, at, f[1]);
            at += f[1];
        }
        return out;
    }

    private static boolean imageIo(String format, byte[] data, int n, short[] words, byte[] bytes, int off) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        if (!readers.hasNext()) {
            return false;
        }
        ImageReader reader = readers.next();
        try {
            reader.setInput(new MemoryCacheImageInputStream(new ByteArrayInputStream(data)));
            Raster raster = reader.read(0).getRaster();
            if (raster.getWidth() * raster.getHeight() != n || raster.getNumBands() != 1) {
                return false;
            }
            DataBuffer db = raster.getDataBuffer();
            boolean plain = raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0
                    && db.getNumBanks() == 1 && db.getSize() == n;
            if (words != null && plain && db instanceof DataBufferUShort u) {
                System.arraycopy(u.getData(), 0, words, off, n);
            } else if (words != null && plain && db instanceof DataBufferShort s) {
                System.arraycopy(s.getData(), 0, words, off, n);
            } else if (bytes != null && plain && db instanceof DataBufferByte by) {
                System.arraycopy(by.getData(), 0, bytes, off, n);
            } else {
                int[] px = raster.getPixels(0, 0, raster.getWidth(), raster.getHeight(), (int[]) null);
                for (int i = 0; i < n; i++) {
                    if (words != null) {
                        words[off + i] = (short) px[i];
                    } else {
                        bytes[off + i] = (byte) px[i];
                    }
                }
            }
            return true;
        } finally {
            reader.dispose();
        }
    }

    /** DICOM RLE (PS3.5 Annex G): one PackBits segment per byte plane, most significant first. */
    static boolean rle(byte[] data, int n, int bitsAllocated, short[] words, byte[] bytes, int off) {
        ByteBuffer h = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int segments = h.getInt(0);
        int planes = bitsAllocated / 8;
        if (segments != planes || data.length < 64) {
            return false;
        }
        byte[] plane = new byte[n];
        for (int s = 0; s < segments; s++) {
            int start = h.getInt(4 + 4 * s);
            int end = s + 1 < segments ? h.getInt(8 + 4 * s) : data.length;
            int out = 0;
            int i = start;
            while (out < n && i < end) {
                int c = data[i++];
                if (c >= 0) {
                    int len = Math.min(c + 1, Math.min(n - out, end - i));
                    System.arraycopy(data, i, plane, out, len);
                    i += c + 1;
                    out += len;
                } else if (c != -128) {
                    int len = Math.min(-c + 1, n - out);
                    java.util.Arrays.fill(plane, out, out + len, data[i++]);
                    out += len;
                }
            }
            if (out < n) {
                return false;
            }
            for (int k = 0; k < n; k++) {
                if (words != null) {
                    words[off + k] = (short) (s == 0 ? (plane[k] & 0xFF) << 8 : words[off + k] | (plane[k] & 0xFF));
                } else {
                    bytes[off + k] = plane[k];
                }
            }
        }
        return true;
    }
}
