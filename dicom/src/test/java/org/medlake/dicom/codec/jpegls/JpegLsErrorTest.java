package org.medlake.dicom.codec.jpegls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;

/** Malformed, truncated and unsupported streams fail with a {@link JpegLsException}: quickly, without huge buffers. */
class JpegLsErrorTest {
    private static final Duration QUICK = Duration.ofSeconds(5);

    private static byte[] valid(int bits, int ilv) {
        int[] samples = JpegLsRoundTripTest.image("smooth", 120, 90, 3, bits, 5);
        return new JpegLsTestEncoder().interleave(ilv).encode(samples, 120, 90, 3, bits);
    }

    private static void assertRejected(byte[] stream, String messagePart) {
        assertTimeoutPreemptively(QUICK, () -> assertThatThrownBy(() -> new JpegLsDecoder().decode(stream))
                .isInstanceOf(JpegLsException.class)
                .hasMessageContaining(messagePart));
    }

    private static int find(byte[] data, int marker) {
        for (int i = 0; i + 1 < data.length; i++) {
            if ((data[i] & 0xFF) == 0xFF && (data[i + 1] & 0xFF) == marker) {
                return i;
            }
        }
        throw new AssertionError("marker " + marker + " not found");
    }

    @Test
    void truncatedStreamsAreRejected() {
        for (int ilv = 0; ilv <= 2; ilv++) {
            byte[] stream = valid(12, ilv);
            int sos = find(stream, 0xDA);
            for (int cut : new int[] {1, 5, sos, sos + 8, sos + 20, sos + 200, stream.length / 2, stream.length - 40,
                    stream.length - 2}) {
                byte[] truncated = Arrays.copyOf(stream, cut);
                assertTimeoutPreemptively(QUICK, () -> assertThatThrownBy(() -> new JpegLsDecoder().decode(truncated))
                        .as("cut at %d of %d", cut, stream.length)
                        .isInstanceOf(JpegLsException.class));
            }
        }
    }

    @Test
    void notJpegLs() {
        assertRejected(new byte[] {1, 2, 3, 4}, "no SOI");
        assertRejected(new byte[0], "no SOI");
        byte[] baseline = valid(8, 0);
        baseline[find(baseline, 0xF7) + 1] = (byte) 0xC0;
        assertRejected(baseline, "not a JPEG-LS (SOF55) stream");
    }

    @Test
    void badMarkers() {
        byte[] unknown = valid(8, 1);
        unknown[find(unknown, 0xDA) + 1] = (byte) 0x01;
        assertRejected(unknown, "unexpected marker 0xFF01");

        byte[] noMarker = valid(8, 1);
        noMarker[find(noMarker, 0xDA)] = 0x12;
        assertRejected(noMarker, "expected a marker");

        byte[] badLength = valid(8, 1);
        int sof = find(badLength, 0xF7);
        badLength[sof + 2] = (byte) 0x7F;
        assertRejected(badLength, "segment length");

        byte[] badComponent = valid(8, 0);
        badComponent[find(badComponent, 0xDA) + 5] = 9;
        assertRejected(badComponent, "unknown component 9");
    }

    @Test
    void unsupportedFeatures() {
        byte[] mapping = valid(8, 0);
        byte[] lse = {(byte) 0xFF, (byte) 0xF8, 0, 5, 2, 1, 1};
        assertRejected(insertAfterSof(mapping, lse), "mapping tables");

        byte[] tm = valid(8, 0);
        tm[find(tm, 0xDA) + 6] = 1;
        assertRejected(tm, "mapping tables");

        byte[] pointTransform = valid(8, 0);
        int sos = find(pointTransform, 0xDA);
        pointTransform[sos + 2 + 2 + 1 + 2 + 2] = 1;
        assertRejected(pointTransform, "point transform");

        byte[] subsampled = valid(8, 0);
        subsampled[find(subsampled, 0xF7) + 14] = 0x21; // H/V of the second component
        assertRejected(subsampled, "subsampled");
    }

    @Test
    void hugeDimensionsAreRefusedBeforeAllocating() {
        byte[] huge = valid(16, 0);
        int sof = find(huge, 0xF7);
        huge[sof + 5] = huge[sof + 6] = huge[sof + 7] = huge[sof + 8] = (byte) 0xFF; // 65535 x 65535 x 3, 16 bit
        assertRejected(huge, "more than the limit");

        byte[] small = valid(8, 0);
        assertTimeoutPreemptively(QUICK, () -> assertThatThrownBy(() -> new JpegLsDecoder(1000).decode(small))
                .isInstanceOf(JpegLsException.class).hasMessageContaining("more than the limit of 1000"));
    }

    @Test
    void invalidPresetParameters() {
        byte[] stream = valid(8, 0);
        // T1 > MAXVAL
        byte[] lse = {(byte) 0xFF, (byte) 0xF8, 0, 13, 1, 0, (byte) 255, 1, 0, 0, 0, 0, 0, 0, 0};
        assertRejected(insertAfterSof(stream, lse), "invalid JPEG-LS coding parameters");
    }

    /** Corrupting random bytes of valid streams either decodes to something or throws JpegLsException. */
    @Test
    void corruptedStreamsNeverFailOtherwise() {
        Random r = new Random(42);
        for (int ilv = 0; ilv <= 2; ilv++) {
            byte[] stream = valid(ilv == 1 ? 16 : 8, ilv);
            for (int round = 0; round < 300; round++) {
                byte[] bad = stream.clone();
                for (int k = 0; k < 1 + r.nextInt(4); k++) {
                    bad[r.nextInt(bad.length)] = (byte) r.nextInt(256);
                }
                assertTimeoutPreemptively(QUICK, () -> {
                    try {
                        new JpegLsDecoder().decode(bad);
                    } catch (JpegLsException expected) {
                        // fine: a clear failure
                    }
                });
            }
        }
    }

    @Test
    void imageReaderReportsFailuresAsIioException() throws Exception {
        byte[] truncated = Arrays.copyOf(valid(8, 0), 300);
        ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg-ls").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(truncated))) {
            reader.setInput(in);
            assertThatThrownBy(() -> reader.read(0)).isInstanceOf(IIOException.class);
        } finally {
            reader.dispose();
        }
        // the service provider does not claim baseline JPEG
        byte[] baseline = valid(8, 0);
        baseline[find(baseline, 0xF7) + 1] = (byte) 0xC0;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(baseline))) {
            assertThat(reader.getOriginatingProvider().canDecodeInput(in)).isFalse();
        }
    }

    private static byte[] insertAfterSof(byte[] stream, byte[] segment) {
        int sof = find(stream, 0xF7);
        int sofEnd = sof + 2 + (((stream[sof + 2] & 0xFF) << 8) | (stream[sof + 3] & 0xFF));
        byte[] out = new byte[stream.length + segment.length];
        System.arraycopy(stream, 0, out, 0, sofEnd);
        System.arraycopy(segment, 0, out, sofEnd, segment.length);
        System.arraycopy(stream, sofEnd, out, sofEnd + segment.length, stream.length - sofEnd);
        return out;
    }
}
