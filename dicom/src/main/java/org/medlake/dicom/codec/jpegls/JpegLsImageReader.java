package org.medlake.dicom.codec.jpegls;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOException;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;

/**
 * ImageIO reader for one JPEG-LS codestream (one image, index 0), backed by {@link JpegLsDecoder}.
 *
 * <p>Returned images hold the decoded samples unchanged: 1 component of up to 8 bits gives
 * {@link BufferedImage#TYPE_BYTE_GRAY}, of 9 to 16 bits {@link BufferedImage#TYPE_USHORT_GRAY} with the raw
 * unsigned bit pattern (a DICOM reader applies Pixel Representation itself); 3 components give a pixel-interleaved
 * sRGB image (byte or ushort), 2 or 4 and more components a generic interleaved image without colour
 * interpretation. No colour transform is applied: YBR data stays YBR. Read parameters (regions, subsampling) are
 * ignored except for the destination type checks ImageIO performs.
 */
public class JpegLsImageReader extends ImageReader {
    private JpegLsImage decoded;

    protected JpegLsImageReader(JpegLsImageReaderSpi spi) {
        super(spi);
    }

    @Override
    public void setInput(Object input, boolean seekForwardOnly, boolean ignoreMetadata) {
        super.setInput(input, seekForwardOnly, ignoreMetadata);
        decoded = null;
    }

    @Override
    public void reset() {
        super.reset();
        decoded = null;
    }

    @Override
    public int getNumImages(boolean allowSearch) throws IOException {
        input();
        return 1;
    }

    @Override
    public int getWidth(int imageIndex) throws IOException {
        return decode(imageIndex).width();
    }

    @Override
    public int getHeight(int imageIndex) throws IOException {
        return decode(imageIndex).height();
    }

    @Override
    public Iterator<ImageTypeSpecifier> getImageTypes(int imageIndex) throws IOException {
        BufferedImage image = toBufferedImage(decode(imageIndex));
        return List.of(new ImageTypeSpecifier(image)).iterator();
    }

    @Override
    public IIOMetadata getStreamMetadata() {
        return null;
    }

    @Override
    public IIOMetadata getImageMetadata(int imageIndex) throws IOException {
        checkIndex(imageIndex);
        return null;
    }

    @Override
    public BufferedImage read(int imageIndex, ImageReadParam param) throws IOException {
        processImageStarted(imageIndex);
        BufferedImage image = toBufferedImage(decode(imageIndex));
        processImageComplete();
        return image;
    }

    @Override
    public boolean canReadRaster() {
        return true;
    }

    @Override
    public Raster readRaster(int imageIndex, ImageReadParam param) throws IOException {
        return read(imageIndex, param).getRaster();
    }

    private void checkIndex(int imageIndex) {
        if (imageIndex != 0) {
            throw new IndexOutOfBoundsException("a JPEG-LS stream holds one image, not image " + imageIndex);
        }
    }

    private ImageInputStream input() {
        if (!(getInput() instanceof ImageInputStream in)) {
            throw new IllegalStateException("input not set (an ImageInputStream is required)");
        }
        return in;
    }

    private JpegLsImage decode(int imageIndex) throws IOException {
        checkIndex(imageIndex);
        if (decoded == null) {
            decoded = new JpegLsDecoder().decode(readAll(input()));
        }
        return decoded;
    }

    private static byte[] readAll(ImageInputStream in) throws IOException {
        long len = in.length() >= 0 ? in.length() - in.getStreamPosition() : -1;
        if (len > Integer.MAX_VALUE - 16) {
            throw new IIOException("JPEG-LS stream of " + len + " bytes is too large");
        }
        if (len >= 0) {
            byte[] b = new byte[(int) len];
            in.readFully(b);
            return b;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Wraps the decoded samples (not copied) in a BufferedImage as described in the class comment. */
    static BufferedImage toBufferedImage(JpegLsImage img) {
        int w = img.width(), h = img.height(), nc = img.components();
        boolean wide = img.bitsPerSample() > 8;
        if (nc == 1) {
            BufferedImage bi = new BufferedImage(w, h, wide ? BufferedImage.TYPE_USHORT_GRAY : BufferedImage.TYPE_BYTE_GRAY);
            Object dst = wide ? ((DataBufferUShort) bi.getRaster().getDataBuffer()).getData()
                    : ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
            System.arraycopy(wide ? img.shorts() : img.bytes(), 0, dst, 0, w * h);
            return bi;
        }
        int type = wide ? DataBuffer.TYPE_USHORT : DataBuffer.TYPE_BYTE;
        DataBuffer buffer = wide ? new DataBufferUShort(img.shorts(), img.shorts().length)
                : new DataBufferByte(img.bytes(), img.bytes().length);
        int[] offsets = new int[nc];
        int[] bits = new int[nc];
        for (int c = 0; c < nc; c++) {
            offsets[c] = c;
            bits[c] = wide ? 16 : 8;
        }
        ColorSpace cs = nc == 3 ? ColorSpace.getInstance(ColorSpace.CS_sRGB) : new GenericColorSpace(nc);
        ComponentColorModel cm = new ComponentColorModel(cs, bits, false, false, Transparency.OPAQUE, type);
        WritableRaster raster = Raster.createWritableRaster(
                new PixelInterleavedSampleModel(type, w, h, nc, w * nc, offsets), buffer, null);
        return new BufferedImage(cm, raster, false, null);
    }

    /** A colour space without meaning, for component counts other than 1 and 3. */
    private static final class GenericColorSpace extends ColorSpace {
        private static final long serialVersionUID = 1L;

        GenericColorSpace(int components) {
            super(components == 2 ? TYPE_2CLR : ColorSpace.TYPE_4CLR + Math.min(components, 15) - 4, components);
        }

        @Override
        public float[] toRGB(float[] v) {
            return new float[] {v[0], v[0], v[0]};
        }

        @Override
        public float[] fromRGB(float[] rgb) {
            return new float[getNumComponents()];
        }

        @Override
        public float[] toCIEXYZ(float[] v) {
            return new float[] {v[0], v[0], v[0]};
        }

        @Override
        public float[] fromCIEXYZ(float[] xyz) {
            return new float[getNumComponents()];
        }
    }
}
