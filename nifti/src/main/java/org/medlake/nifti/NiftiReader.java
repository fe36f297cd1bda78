package org.medlake.nifti;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads single-file NIfTI-1 images ({@code .nii} or gzip-compressed {@code .nii.gz}, detected by content) for tests
 * and benchmarks: the header and every voxel as a double after scaling ({@code raw × scl_slope + scl_inter}; a
 * scl_slope of 0 means no scaling, per the standard).
 */
public final class NiftiReader {
    /** A read image: header plus scaled voxel values (x fastest). */
    public record Image(NiftiHeader header, double[] values) {}

    private NiftiReader() {}

    /**
     * @throws NiftiException NIFTI_INPUT_NOT_FOUND, NIFTI_BAD_INPUT (not NIfTI-1, truncated, unsupported datatype), NIFTI_IO
     */
    public static Image read(Path path) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            byte[] head = in.readNBytes(NiftiHeader.HEADER_SIZE);
            NiftiHeader h = NiftiHeader.parse(head, path.toString());
            ByteBuffer hb = ByteBuffer.wrap(head).order(NiftiHeader.bigEndian(head) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            long voxOffset = (long) hb.getFloat(108);
            in.skipNBytes(Math.max(0, voxOffset - NiftiHeader.HEADER_SIZE));
            long n = h.voxelCount();
            int bytesPer = h.bitpix() / 8;
            byte[] data = in.readNBytes((int) (n * bytesPer));
            if (data.length < n * bytesPer) {
                throw new NiftiException(NiftiException.ErrorCode.NIFTI_BAD_INPUT, path + " holds " + data.length
                        + " data bytes but its header declares " + n * bytesPer + ". Cause: a truncated file. Fix: rewrite it.");
            }
            ByteBuffer d = ByteBuffer.wrap(data).order(hb.order());
            double slope = h.sclSlope() == 0 || !Double.isFinite(h.sclSlope()) ? 1 : h.sclSlope();
            double inter = h.sclSlope() == 0 || !Double.isFinite(h.sclInter()) ? 0 : h.sclInter();
            double[] v = new double[(int) n];
            for (int i = 0; i < n; i++) {
                double x = switch (h.datatype()) {
                    case Voxels.DT_UINT8 -> d.get(i) & 0xFF;
                    case Voxels.DT_INT8 -> d.get(i);
                    case Voxels.DT_INT16 -> d.getShort(2 * i);
                    case Voxels.DT_UINT16 -> d.getShort(2 * i) & 0xFFFF;
                    case Voxels.DT_INT32 -> d.getInt(4 * i);
                    case Voxels.DT_UINT32 -> d.getInt(4 * i) & 0xFFFFFFFFL;
                    case Voxels.DT_FLOAT32 -> d.getFloat(4 * i);
                    case 64 -> d.getDouble(8 * i);
                    default -> throw new NiftiException(NiftiException.ErrorCode.NIFTI_BAD_INPUT, path + " has NIfTI "
                            + "datatype " + h.datatype() + ". Cause: a type this reader does not decode (complex, RGB, "
                            + "64-bit integers). Fix: none; only scalar images are read.");
                };
                v[i] = x * slope + inter;
            }
            return new Image(h, v);
        } catch (NoSuchFileException e) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_INPUT_NOT_FOUND, path + " does not exist. Fix: check the path.", e);
        } catch (IOException e) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_IO, "Cannot read " + path + ": " + e
                    + ". Cause: an unreadable or corrupt (gzip) file. Fix: check the file.", e);
        }
    }
}
