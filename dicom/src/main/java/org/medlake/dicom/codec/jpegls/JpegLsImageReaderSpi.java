package org.medlake.dicom.codec.jpegls;

import java.io.IOException;
import java.util.Locale;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;

/**
 * ImageIO service provider for {@link JpegLsImageReader}, format names {@code jpeg-ls} and {@code JPEG-LS}: the
 * name PixelMed's {@code CompressedFrameDecoder} asks for with the JPEG-LS transfer syntaxes. Registered in
 * {@code META-INF/services/javax.imageio.spi.ImageReaderSpi}.
 */
public class JpegLsImageReaderSpi extends ImageReaderSpi {
    static final String VENDOR = "medlake";
    static final String VERSION = "1.0";

    public JpegLsImageReaderSpi() {
        super(VENDOR, VERSION,
                new String[] {"jpeg-ls", "JPEG-LS"},
                new String[] {"jls"},
                new String[] {"image/jls"},
                JpegLsImageReader.class.getName(),
                new Class<?>[] {ImageInputStream.class},
                null, false, null, null, null, null, false, null, null, null, null);
    }

    /**
     * Claims streams that start with SOI and whose first frame header is SOF55 (after any APPn/COM/LSE segments),
     * so the reader is never offered plain JPEG files.
     */
    @Override
    public boolean canDecodeInput(Object source) throws IOException {
        if (!(source instanceof ImageInputStream in)) {
            return false;
        }
        in.mark();
        try {
            if (in.read() != 0xFF || in.read() != 0xD8) {
                return false;
            }
            for (int segments = 0; segments < 64; segments++) {
                if (in.read() != 0xFF) {
                    return false;
                }
                int marker = in.read();
                while (marker == 0xFF) {
                    marker = in.read();
                }
                if (marker == 0xF7) {
                    return true;
                }
                boolean skippable = (marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE || marker == 0xF8
                        || marker == 0xDD;
                int len = (in.read() << 8) | in.read();
                if (!skippable || len < 2) {
                    return false;
                }
                in.skipBytes(len - 2);
            }
            return false;
        } finally {
            in.reset();
        }
    }

    @Override
    public ImageReader createReaderInstance(Object extension) {
        return new JpegLsImageReader(this);
    }

    @Override
    public String getDescription(Locale locale) {
        return "medlake JPEG-LS (ITU-T T.87) Image Reader";
    }
}
