package org.medlake.nifti;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Reads the pixels of a {@link VolumeSet} into NIfTI order: each file is read once (files in parallel), each slice
 * copied to its place with its rows reversed (dcm2niix's y flip), mosaic tiles cut out.
 *
 * <p>Stored values: signed data narrower than its allocation (e.g. 12 of 16 bits) is sign-extended from HighBit;
 * unsigned data is masked to BitsStored, so bits above it (overlays, garbage) are dropped as dcm2niix does.
 * Output type follows the stored type as dcm2niix chooses it: 8-bit → UINT8/INT8, signed 16-bit → INT16, unsigned
 * 16-bit → INT16 when BitsStored is below 16 (every value fits) else UINT16, 32-bit → INT32/UINT32. One RescaleSlope/Intercept for all slices goes to
 * scl_slope/scl_inter; differing ones make the output FLOAT32 with the rescale applied.
 */
final class PixelReader {
    private static final Set<String> JPEG_LS = Set.of("1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81");

    /** Voxels plus the scaling to write into the header. */
    record Result(Voxels voxels, double sclSlope, double sclInter) {}

    private PixelReader() {}

    /** Fails early for transfer syntaxes without a decoder on the class path (JPEG-LS until its reader is added). */
    static void checkDecoder(Instance inst) {
        if (inst.transferSyntax != null && JPEG_LS.contains(inst.transferSyntax)
                && !ImageIO.getImageReadersByFormatName("jpeg-ls").hasNext()) {
            throw noDecoder(inst, "JPEG-LS", null);
        }
    }

    private static NiftiException noDecoder(Instance inst, String what, Throwable cause) {
        if (!"JPEG-LS".equals(what)) {
            return new NiftiException(NiftiException.ErrorCode.NIFTI_NO_DECODER, "Cannot decode the compressed pixel "
                    + "data of " + inst.path + " (transfer syntax " + inst.transferSyntax + ")"
                    + (cause == null ? "" : ": " + cause.getMessage()) + ". Cause: no decoder for this transfer syntax on "
                    + "the class path, or damaged compressed data. Fix: transcode the series to an uncompressed transfer "
                    + "syntax (e.g. dcmdjpeg / gdcmconv --raw) and convert it again.", cause);
        }
        return new NiftiException(NiftiException.ErrorCode.NIFTI_NO_DECODER, "No decoder for the " + what
                + " pixel data of " + inst.path + " (transfer syntax " + inst.transferSyntax + "). Cause: no ImageIO "
                + "reader for it on the class path. Fix: add the decoder (JPEG-LS: an ImageIO reader named \"jpeg-ls\") "
                + "or transcode the series to an uncompressed transfer syntax (e.g. dcmdjpeg / gdcmconv --raw).", cause);
    }

    static Result read(VolumeSet vs) {
        int nx = vs.nx(), ny = vs.ny(), nz = vs.nz(), nt = vs.nt();
        AttributeList h0 = vs.first().source.header;
        int bitsAllocated = intOr(h0, TagFromName.BitsAllocated, 16);
        int bitsStored = intOr(h0, TagFromName.BitsStored, bitsAllocated);
        if (bitsStored < 1 || bitsStored > bitsAllocated) {
            bitsStored = bitsAllocated;
        }
        boolean signed = intOr(h0, TagFromName.PixelRepresentation, 0) == 1;
        if (bitsAllocated != 8 && bitsAllocated != 16 && bitsAllocated != 32) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_UNSUPPORTED, "BitsAllocated " + bitsAllocated
                    + " in " + vs.first().source.path + " is not supported. Cause: only 8, 16 and 32-bit pixels are "
                    + "converted. Fix: none; report the series if you need it.");
        }
        long total = (long) nx * ny * nz * nt;
        if (total > Integer.MAX_VALUE - 8) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_UNSUPPORTED, "The volume set has " + total
                    + " voxels, more than one array holds. Cause: a very large series. Fix: convert it in parts.");
        }
        byte[] b8 = bitsAllocated == 8 ? new byte[(int) total] : null;
        short[] b16 = bitsAllocated == 16 ? new short[(int) total] : null;
        int[] b32 = bitsAllocated == 32 ? new int[(int) total] : null;

        Map<Instance, List<int[]>> byInstance = new IdentityHashMap<>();
        for (int t = 0; t < nt; t++) {
            for (int z = 0; z < nz; z++) {
                byInstance.computeIfAbsent(vs.slices().get(t).get(z).source, k -> new ArrayList<>()).add(new int[] {t, z});
            }
        }
        final int bs = bitsStored;
        List<Map.Entry<Instance, List<int[]>>> work = new ArrayList<>(byInstance.entrySet());
        work.parallelStream().forEach(e -> {
            Instance inst = e.getKey();
            Object decoded = inst.pixelOffset < 0 ? EncapsulatedPixels.decode(inst, bitsAllocated) : null;
            Attribute pixels = inst.pixelOffset >= 0 || decoded != null ? null : readPixels(inst);
            int ba = intOr(inst.header, TagFromName.BitsAllocated, 16);
            if (ba != bitsAllocated) {
                throw new NiftiException(NiftiException.ErrorCode.NIFTI_INCONSISTENT_SERIES, inst.path + " has "
                        + "BitsAllocated " + ba + " but the series' first image has " + bitsAllocated + ". Cause: a "
                        + "series mixing pixel formats. Fix: convert the instances separately.");
            }
            try {
                if (bitsAllocated == 16) {
                    short[] src = decoded instanceof short[] d ? d : pixels == null ? nativeShorts(inst) : pixels.getShortValues();
                    for (int[] tz : e.getValue()) {
                        Slice s = vs.slices().get(tz[0]).get(tz[1]);
                        copy16(src, s, inst, b16, offset(tz, nx, ny, nz), nx, ny, signed, bs);
                    }
                } else if (bitsAllocated == 8) {
                    byte[] src = decoded instanceof byte[] d ? d : pixels == null ? nativeBytes(inst) : pixels.getByteValues();
                    for (int[] tz : e.getValue()) {
                        Slice s = vs.slices().get(tz[0]).get(tz[1]);
                        copy8(src, s, inst, b8, offset(tz, nx, ny, nz), nx, ny);
                    }
                } else {
                    int[] src = pixels == null ? nativeInts(inst) : ints(pixels);
                    for (int[] tz : e.getValue()) {
                        Slice s = vs.slices().get(tz[0]).get(tz[1]);
                        copy32(src, s, inst, b32, offset(tz, nx, ny, nz), nx, ny);
                    }
                }
            } catch (com.pixelmed.dicom.DicomException ex) {
                throw new NiftiException(NiftiException.ErrorCode.NIFTI_BAD_INPUT, "PixelMed cannot hand out the "
                        + "pixel data of " + inst.path + ": " + ex.getMessage() + ". Cause: an unusual encoding. Fix: "
                        + "transcode the file to explicit VR little endian.", ex);
            }
        });

        boolean uniform = true;
        Slice s0 = vs.first();
        for (List<Slice> v : vs.slices()) {
            for (Slice s : v) {
                uniform &= s.slope == s0.slope && s.intercept == s0.intercept;
            }
        }
        Voxels vox;
        if (!uniform) {
            float[] f = new float[(int) total];
            int per = nx * ny;
            for (int t = 0; t < nt; t++) {
                for (int z = 0; z < nz; z++) {
                    Slice s = vs.slices().get(t).get(z);
                    int off = (t * nz + z) * per;
                    for (int i = 0; i < per; i++) {
                        double raw = b16 != null ? (signed ? b16[off + i] : b16[off + i] & 0xFFFF)
                                : b8 != null ? (signed ? b8[off + i] : b8[off + i] & 0xFF)
                                : (signed ? b32[off + i] : b32[off + i] & 0xFFFFFFFFL);
                        f[off + i] = (float) (raw * s.slope + s.intercept);
                    }
                }
            }
            return new Result(Voxels.of(f), 1, 0);
        }
        if (b16 != null) {
            // dcm2niix: unsigned data with fewer than 16 stored bits always fits INT16; full 16-bit unsigned is UINT16.
            short dt = signed || bitsStored < 16 ? Voxels.DT_INT16 : Voxels.DT_UINT16;
            vox = Voxels.of(dt, b16);
        } else if (b8 != null) {
            vox = Voxels.of(signed ? Voxels.DT_INT8 : Voxels.DT_UINT8, b8);
        } else {
            vox = Voxels.of(signed ? Voxels.DT_INT32 : Voxels.DT_UINT32, b32);
        }
        return new Result(vox, s0.slope, s0.intercept);
    }

    private static int offset(int[] tz, int nx, int ny, int nz) {
        return (tz[0] * nz + tz[1]) * nx * ny;
    }

    /** Source index of pixel (row r, column c) of a slice within its instance's pixel array. */
    private static int base(Slice s, Instance inst, int r) {
        int frameSize = inst.rows * inst.columns;
        if (s.tile < 0) {
            return s.frame * frameSize + r * inst.columns;
        }
        MosaicLayout m = s.mosaic;
        return (m.tileRowOffset(s.tile) + r) * inst.columns + m.tileColumnOffset(s.tile);
    }

    private static void copy16(short[] src, Slice s, Instance inst, short[] dst, int off, int nx, int ny, boolean signed,
                               int bitsStored) {
        int shift = 16 - bitsStored;
        int mask = (1 << bitsStored) - 1;
        int frameBase = s.tile < 0 ? s.frame * inst.rows * inst.columns : -1;
        MosaicLayout m = s.mosaic;
        for (int r = 0; r < ny; r++) {
            int from = frameBase >= 0 ? frameBase + r * inst.columns
                    : (m.tileRowOffset(s.tile) + r) * inst.columns + m.tileColumnOffset(s.tile);
            int to = off + (ny - 1 - r) * nx;
            checkBounds(src.length, from + nx, inst);
            if (shift == 0) {
                System.arraycopy(src, from, dst, to, nx);
            } else if (signed) {
                for (int c = 0; c < nx; c++) {
                    dst[to + c] = (short) ((short) (src[from + c] << shift) >> shift);
                }
            } else {
                for (int c = 0; c < nx; c++) {
                    dst[to + c] = (short) (src[from + c] & mask);
                }
            }
        }
    }

    private static void copy8(byte[] src, Slice s, Instance inst, byte[] dst, int off, int nx, int ny) {
        for (int r = 0; r < ny; r++) {
            int from = base(s, inst, r);
            checkBounds(src.length, from + nx, inst);
            System.arraycopy(src, from, dst, off + (ny - 1 - r) * nx, nx);
        }
    }

    private static void copy32(int[] src, Slice s, Instance inst, int[] dst, int off, int nx, int ny) {
        for (int r = 0; r < ny; r++) {
            int from = base(s, inst, r);
            checkBounds(src.length, from + nx, inst);
            System.arraycopy(src, from, dst, off + (ny - 1 - r) * nx, nx);
        }
    }

    private static void checkBounds(int length, int end, Instance inst) {
        if (end > length) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_BAD_INPUT, "The pixel data of " + inst.path
                    + " is shorter than its Rows, Columns and NumberOfFrames declare (" + length + " values). Cause: a "
                    + "truncated file. Fix: re-export the instance.");
        }
    }

    private static ByteBuffer nativeBuffer(Instance inst) {
        try (FileChannel ch = FileChannel.open(inst.path, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) inst.pixelLength).order(ByteOrder.LITTLE_ENDIAN);
            long pos = inst.pixelOffset;
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos);
                if (n < 0) {
                    break;
                }
                pos += n;
            }
            buf.flip();
            return buf;
        } catch (IOException e) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_IO, "Cannot read the pixel data of " + inst.path
                    + ": " + e + ". Cause: the file vanished or the disk failed. Fix: check the file.", e);
        }
    }

    private static short[] nativeShorts(Instance inst) {
        ByteBuffer b = nativeBuffer(inst);
        short[] s = new short[b.remaining() / 2];
        b.asShortBuffer().get(s);
        return s;
    }

    private static byte[] nativeBytes(Instance inst) {
        ByteBuffer b = nativeBuffer(inst);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static int[] nativeInts(Instance inst) {
        ByteBuffer b = nativeBuffer(inst);
        int[] out = new int[b.remaining() / 4];
        b.asIntBuffer().get(out);
        return out;
    }

    private static int[] ints(Attribute pixels) throws com.pixelmed.dicom.DicomException {
        byte[] b = pixels.getByteValues();
        java.nio.IntBuffer ib = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        int[] out = new int[ib.remaining()];
        ib.get(out);
        return out;
    }

    /** Reads the whole file and returns its (decompressed) PixelData. */
    static Attribute readPixels(Instance inst) {
        checkDecoder(inst);
        AttributeList list = new AttributeList();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(inst.path), 1 << 16)) {
            list.read(new DicomInputStream(in));
        } catch (IOException | com.pixelmed.dicom.DicomException | RuntimeException e) {
            if (isCompressed(inst.transferSyntax)) {
                throw noDecoder(inst, "compressed", e);
            }
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_BAD_INPUT, "Cannot read the pixel data of "
                    + inst.path + ": " + e.getMessage() + ". Cause: a truncated or corrupt file. Fix: re-export it.", e);
        }
        Attribute pixels = list.get(TagFromName.PixelData);
        if (pixels == null && (list.get(TagFromName.FloatPixelData) != null || list.get(TagFromName.DoubleFloatPixelData) != null)) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_UNSUPPORTED, inst.path + " holds float pixel data "
                    + "(a parametric map). Cause: only integer Pixel Data is converted. Fix: none yet; report it if you need it.");
        }
        if (pixels == null) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_BAD_INPUT, inst.path + " has no PixelData. Cause: "
                    + "a truncated file or a non-image instance. Fix: re-export it.");
        }
        if (pixels instanceof OtherByteAttributeMultipleCompressedFrames) {
            throw noDecoder(inst, "compressed", null);
        }
        return pixels;
    }

    private static boolean isCompressed(String ts) {
        return ts != null && (ts.startsWith("1.2.840.10008.1.2.4.") || ts.equals("1.2.840.10008.1.2.5"));
    }

    private static int intOr(AttributeList h, com.pixelmed.dicom.AttributeTag tag, int def) {
        Integer v = Attrs.integer(h, tag);
        return v == null ? def : v;
    }
}
