package org.medlake.dicom.codec.jpegls;

import javax.imageio.IIOException;

/**
 * A JPEG-LS stream that is malformed, truncated, or uses a feature this decoder does not implement.
 * Extends {@link IIOException} so that ImageIO callers (PixelMed among them) see an ordinary read failure.
 */
public class JpegLsException extends IIOException {
    private static final long serialVersionUID = 1L;

    public JpegLsException(String message) {
        super(message);
    }
}
