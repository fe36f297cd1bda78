package org.medlake.curation.qa;

import org.medlake.dicom.DicomValues;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.TagFromName;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;
import org.medlake.curation.completeness.DicomAttrs;

/**
 * The frames of one instance (or of a whole series, see {@link #concat}) as float arrays in output units
 * ({@code value = stored × RescaleSlope + RescaleIntercept}, e.g. HU for CT), row-major, one array per frame,
 * together with what the range checks need about the stored values: BitsStored, signedness, and per frame the
 * number of stored values outside the representable range and at its maximum.
 *
 * <p>Stored values are read as PixelMed holds them after decompression: 8- or 16-bit words, interpreted as two's
 * complement when PixelRepresentation is 1. They are <em>not</em> masked to BitsStored, so values that overflow
 * BitsStored are counted rather than silently wrapped. Colour (SamplesPerPixel 3) is reduced to the mean of the
 * three samples. Compressed pixel data must already be decompressed by PixelMed; when its codec is missing,
 * {@link #from} fails with CURATION_EXTERNAL naming the transfer syntax.
 */
public final class PixelVolume {
    private final int rows;
    private final int columns;
    private final int bitsStored;
    private final boolean signed;
    private final double slope;
    private final double intercept;
    private final List<float[]> frames;
    private final long[] outOfRange;
    private final long[] atMax;
    private final long storedMin;
    private final long storedMax;

    private PixelVolume(int rows, int columns, int bitsStored, boolean signed, double slope, double intercept,
                        List<float[]> frames, long[] outOfRange, long[] atMax, long storedMin, long storedMax) {
        this.rows = rows;
        this.columns = columns;
        this.bitsStored = bitsStored;
        this.signed = signed;
        this.slope = slope;
        this.intercept = intercept;
        this.frames = List.copyOf(frames);
        this.outOfRange = outOfRange;
        this.atMax = atMax;
        this.storedMin = storedMin;
        this.storedMax = storedMax;
    }

    /**
     * Builds a volume from stored values (one int array of {@code rows*columns} per frame), applying the rescale.
     *
     * @throws CurationException CURATION_BAD_ARGUMENT on inconsistent sizes or BitsStored outside 1..32
     */
    public static PixelVolume fromStored(int rows, int columns, List<int[]> stored, int bitsStored, boolean signed,
                                         double slope, double intercept) {
        Objects.requireNonNull(stored, "stored");
        if (rows <= 0 || columns <= 0 || bitsStored < 1 || bitsStored > 32) {
            throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "Bad pixel geometry: rows " + rows
                    + ", columns " + columns + ", BitsStored " + bitsStored + ". Cause: a corrupt header or a caller "
                    + "bug. Fix: rows and columns must be positive and BitsStored between 1 and 32.");
        }
        long lo = signed ? -(1L << (bitsStored - 1)) : 0;
        long hi = signed ? (1L << (bitsStored - 1)) - 1 : (1L << bitsStored) - 1;
        List<float[]> out = new ArrayList<>();
        long[] oor = new long[stored.size()], max = new long[stored.size()];
        long min = Long.MAX_VALUE, mx = Long.MIN_VALUE;
        for (int f = 0; f < stored.size(); f++) {
            int[] s = stored.get(f);
            if (s.length != rows * columns) {
                throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "Frame " + f + " has " + s.length
                        + " values but rows x columns is " + rows * columns + ". Cause: truncated pixel data. "
                        + "Fix: re-export the instance.");
            }
            float[] v = new float[s.length];
            for (int i = 0; i < s.length; i++) {
                int x = s[i];
                v[i] = (float) (x * slope + intercept);
                if (x < lo || x > hi) {
                    oor[f]++;
                } else if (x == hi) {
                    max[f]++;
                }
                min = Math.min(min, x);
                mx = Math.max(mx, x);
            }
            out.add(v);
        }
        return new PixelVolume(rows, columns, bitsStored, signed, slope, intercept, out, oor, max,
                stored.isEmpty() ? 0 : min, stored.isEmpty() ? 0 : mx);
    }

    /** Builds a volume from values already in output units (no stored-value range information: all in range). */
    public static PixelVolume ofValues(int rows, int columns, List<float[]> frames, int bitsStored, boolean signed) {
        for (float[] f : frames) {
            if (f.length != rows * columns) {
                throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "A frame has " + f.length + " values but "
                        + "rows x columns is " + rows * columns + ". Cause: a caller bug. Fix: pass row-major frames.");
            }
        }
        return new PixelVolume(rows, columns, bitsStored, signed, 1, 0, frames, new long[frames.size()],
                new long[frames.size()], 0, 0);
    }

    /**
     * Reads every frame of an instance whose PixelData PixelMed has read (and decompressed).
     *
     * @throws CurationException CURATION_BAD_ARGUMENT when there is no usable pixel data or the layout is
     *     unsupported; CURATION_EXTERNAL when the pixel data is still compressed (no codec for its transfer syntax)
     */
    public static PixelVolume from(AttributeList list) {
        Attribute pixels = list.get(TagFromName.PixelData);
        String ts = DicomValues.string(list, TagFromName.TransferSyntaxUID);
        if (pixels == null) {
            throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "The instance has no PixelData. Cause: it is "
                    + "not an image (or was read without pixels). Fix: QA only image instances.");
        }
        if (pixels instanceof OtherByteAttributeMultipleCompressedFrames) {
            throw new CurationException(ErrorCode.CURATION_EXTERNAL, "The pixel data is still compressed (transfer "
                    + "syntax " + ts + "). Cause: no image codec for it on the class path. Fix: add a codec "
                    + "(e.g. PixelMed's JPEG lossless/JPEG-LS codec) or transcode to an uncompressed syntax.");
        }
        int rows = req(list, TagFromName.Rows, "Rows");
        int cols = req(list, TagFromName.Columns, "Columns");
        int bitsAllocated = req(list, TagFromName.BitsAllocated, "BitsAllocated");
        Integer bs = DicomAttrs.integer(list, TagFromName.BitsStored);
        int bitsStored = bs == null || bs < 1 || bs > bitsAllocated ? bitsAllocated : bs;
        boolean signed = Integer.valueOf(1).equals(DicomAttrs.integer(list, TagFromName.PixelRepresentation));
        Integer spp = DicomAttrs.integer(list, TagFromName.SamplesPerPixel);
        int samples = spp == null ? 1 : spp;
        boolean planar = Integer.valueOf(1).equals(DicomAttrs.integer(list, TagFromName.PlanarConfiguration));
        Integer nf = DicomAttrs.integer(list, TagFromName.NumberOfFrames);
        int frames = nf == null || nf < 1 ? 1 : nf;
        double[] rescale = rescale(list);
        if (samples != 1 && samples != 3) {
            throw unsupported("SamplesPerPixel " + samples);
        }
        long framePixels = (long) rows * cols;
        int[] all;
        try {
            if (bitsAllocated == 16) {
                short[] s = pixels.getShortValues();
                all = new int[s.length];
                for (int i = 0; i < s.length; i++) {
                    all[i] = signed ? s[i] : s[i] & 0xFFFF;
                }
            } else if (bitsAllocated == 8) {
                byte[] b = pixels.getByteValues();
                all = new int[b.length];
                for (int i = 0; i < b.length; i++) {
                    all[i] = signed ? b[i] : b[i] & 0xFF;
                }
            } else {
                throw unsupported("BitsAllocated " + bitsAllocated);
            }
        } catch (com.pixelmed.dicom.DicomException e) {
            throw new CurationException(ErrorCode.CURATION_EXTERNAL, "PixelMed cannot hand out the pixel data: "
                    + e.getMessage() + ". Cause: unusual encoding (transfer syntax " + ts + "). Fix: transcode the "
                    + "instance to explicit VR little endian.", e);
        }
        long needed = framePixels * samples * frames;
        if (all.length < needed) {
            // A short last frame is a truncated file; keep the complete frames.
            frames = (int) (all.length / (framePixels * samples));
            if (frames == 0) {
                throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "PixelData holds " + all.length
                        + " values, less than one " + rows + "x" + cols + " frame. Cause: truncated file. Fix: re-export it.");
            }
        }
        List<int[]> stored = new ArrayList<>();
        for (int f = 0; f < frames; f++) {
            int[] frame = new int[(int) framePixels];
            int base = (int) (f * framePixels * samples);
            for (int i = 0; i < framePixels; i++) {
                if (samples == 1) {
                    frame[i] = all[base + i];
                } else if (planar) {
                    frame[i] = (all[base + i] + all[base + (int) framePixels + i] + all[base + 2 * (int) framePixels + i]) / 3;
                } else {
                    frame[i] = (all[base + 3 * i] + all[base + 3 * i + 1] + all[base + 3 * i + 2]) / 3;
                }
            }
            stored.add(frame);
        }
        return fromStored(rows, cols, stored, bitsStored, signed, rescale[0], rescale[1]);
    }

    /** RescaleSlope/Intercept from the top level, else from the enhanced PixelValueTransformationSequence. */
    private static double[] rescale(AttributeList list) {
        Double slope = DicomValues.decimal(list, TagFromName.RescaleSlope);
        Double intercept = DicomValues.decimal(list, TagFromName.RescaleIntercept);
        if (slope == null) {
            AttributeList shared = DicomValues.item(list, TagFromName.SharedFunctionalGroupsSequence, 0);
            AttributeList t = DicomValues.item(shared, TagFromName.PixelValueTransformationSequence, 0);
            if (t == null) {
                // Per-frame transformations are rare and almost always equal; the first frame's stands for all.
                t = DicomValues.item(DicomValues.item(list, TagFromName.PerFrameFunctionalGroupsSequence, 0),
                        TagFromName.PixelValueTransformationSequence, 0);
            }
            slope = DicomValues.decimal(t, TagFromName.RescaleSlope);
            intercept = DicomValues.decimal(t, TagFromName.RescaleIntercept);
        }
        return new double[] {slope == null || slope == 0 ? 1 : slope, intercept == null ? 0 : intercept};
    }

    private static int req(AttributeList list, com.pixelmed.dicom.AttributeTag tag, String name) {
        Integer v = DicomAttrs.integer(list, tag);
        if (v == null || v <= 0) {
            throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "The image lacks a valid " + name
                    + ". Cause: a corrupt or non-image header. Fix: check the instance with dcmdump.");
        }
        return v;
    }

    private static CurationException unsupported(String what) {
        return new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "Pixel layout not supported for QA: " + what
                + ". Cause: QA reads 8/16-bit grey or RGB images. Fix: none needed; the series is reported unevaluated.");
    }

    /**
     * Joins volumes of equal matrix, frames in order. Stored-value ranges of the parts are kept per frame.
     *
     * @throws CurationException CURATION_BAD_ARGUMENT when the list is empty or the matrices differ
     */
    public static PixelVolume concat(List<PixelVolume> parts) {
        if (parts == null || parts.isEmpty()) {
            throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "No pixel volumes to join. Cause: a caller "
                    + "bug. Fix: pass at least one volume.");
        }
        PixelVolume first = parts.get(0);
        List<float[]> frames = new ArrayList<>();
        List<Long> oor = new ArrayList<>(), max = new ArrayList<>();
        long min = Long.MAX_VALUE, mx = Long.MIN_VALUE;
        for (PixelVolume p : parts) {
            if (p.rows != first.rows || p.columns != first.columns) {
                throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "Cannot join a " + p.rows + "x" + p.columns
                        + " volume to a " + first.rows + "x" + first.columns + " one. Cause: mixed matrix. "
                        + "Fix: join only frames of one matrix size.");
            }
            frames.addAll(p.frames);
            for (int i = 0; i < p.frames.size(); i++) {
                oor.add(p.outOfRange[i]);
                max.add(p.atMax[i]);
            }
            min = Math.min(min, p.storedMin);
            mx = Math.max(mx, p.storedMax);
        }
        return new PixelVolume(first.rows, first.columns, first.bitsStored, first.signed, first.slope, first.intercept,
                frames, oor.stream().mapToLong(Long::longValue).toArray(), max.stream().mapToLong(Long::longValue).toArray(),
                min, mx);
    }

    /** Frame {@code i} alone, with its own stored-value range counts. */
    public PixelVolume frameAt(int i) {
        return new PixelVolume(rows, columns, bitsStored, signed, slope, intercept, List.of(frames.get(i)),
                new long[] {outOfRange[i]}, new long[] {atMax[i]}, storedMin, storedMax);
    }

    public int rows() { return rows; }

    public int columns() { return columns; }

    public int frameCount() { return frames.size(); }

    /** Frame {@code i} in output units, row-major; do not modify. */
    public float[] frame(int i) { return frames.get(i); }

    public List<float[]> frames() { return frames; }

    public int bitsStored() { return bitsStored; }

    public boolean signed() { return signed; }

    public double slope() { return slope; }

    public double intercept() { return intercept; }

    /** Smallest stored value seen. */
    public long storedMin() { return storedMin; }

    /** Largest stored value seen. */
    public long storedMax() { return storedMax; }

    /** Largest stored value BitsStored allows: 2^bs − 1 unsigned, 2^(bs−1) − 1 signed. */
    public long maxRepresentable() {
        return signed ? (1L << (bitsStored - 1)) - 1 : (1L << bitsStored) - 1;
    }

    /** Stored values of frame {@code i} outside the range BitsStored allows. */
    public long outOfRange(int i) { return outOfRange[i]; }

    /** Stored values of frame {@code i} equal to {@link #maxRepresentable()}. */
    public long atMax(int i) { return atMax[i]; }
}
