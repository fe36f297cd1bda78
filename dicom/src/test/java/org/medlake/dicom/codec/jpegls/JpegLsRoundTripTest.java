package org.medlake.dicom.codec.jpegls;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.util.Iterator;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Encodes images with {@link JpegLsTestEncoder} and checks that the decoder reproduces them exactly. */
class JpegLsRoundTripTest {

    /** Random noise (exercises escape codes and large k), smooth gradients with flat areas (run mode). */
    static int[] image(String kind, int w, int h, int nc, int bits, long seed) {
        Random r = new Random(seed);
        int max = (1 << bits) - 1;
        int[] s = new int[w * h * nc];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < nc; c++) {
                    int v = switch (kind) {
                        case "random" -> r.nextInt(max + 1);
                        case "smooth" -> {
                            double f = 0.5 + 0.5 * Math.sin(x * 0.07 + c) * Math.cos(y * 0.05);
                            int base = (int) (f * max);
                            // flat blocks give long runs; sparse noise gives run interruptions
                            if ((x / 16 + y / 8) % 3 == 0) {
                                base = (max / 3) * (c + 1) / nc;
                            }
                            yield Math.min(max, Math.max(0, base + (r.nextInt(40) == 0 ? r.nextInt(5) - 2 : 0)));
                        }
                        case "edges" -> ((x * 7 + y * 3) % 29 < 14) ? max : (r.nextInt(8) == 0 ? r.nextInt(max + 1) : 0);
                        default -> throw new IllegalArgumentException(kind);
                    };
                    s[(y * w + x) * nc + c] = v;
                }
            }
        }
        return s;
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (int bits : new int[] {2, 8, 12, 16}) {
            for (String kind : new String[] {"random", "smooth", "edges"}) {
                for (int near : new int[] {0, 1, 3}) {
                    if (near > ((1 << bits) - 1) / 2) {
                        continue;
                    }
                    b.add(Arguments.of(kind, bits, 1, 0, near));
                    for (int ilv = 0; ilv <= 2; ilv++) {
                        b.add(Arguments.of(kind, bits, 3, ilv, near));
                    }
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} {1}-bit {2} comp ILV {3} NEAR {4}")
    @MethodSource("cases")
    void roundTrip(String kind, int bits, int nc, int ilv, int near) throws Exception {
        int w = 67, h = 41;
        int[] samples = image(kind, w, h, nc, bits, 31L * bits + nc + ilv + near);
        JpegLsTestEncoder enc = new JpegLsTestEncoder().near(near).interleave(ilv);
        byte[] stream = enc.encode(samples, w, h, nc, bits);
        JpegLsImage img = new JpegLsDecoder().decode(stream);
        assertThat(img.width()).isEqualTo(w);
        assertThat(img.height()).isEqualTo(h);
        assertThat(img.components()).isEqualTo(nc);
        assertThat(img.bitsPerSample()).isEqualTo(bits);
        int[] out = samples(img);
        assertThat(out).isEqualTo(enc.reconstructed);
        for (int i = 0; i < samples.length; i++) {
            assertThat(Math.abs(out[i] - samples[i])).as("sample %d", i).isLessThanOrEqualTo(near);
        }
    }

    @Test
    void restartIntervalsAndPresetParameters() throws Exception {
        int w = 50, h = 37;
        for (int ilv = 0; ilv <= 2; ilv++) {
            int[] samples = image("smooth", w, h, 3, 12, ilv);
            JpegLsTestEncoder enc = new JpegLsTestEncoder().interleave(ilv).restartInterval(5).near(ilv)
                    .preset(4095, 5, 11, 40, 32);
            byte[] stream = enc.encode(samples, w, h, 3, 12);
            assertThat(samples(new JpegLsDecoder().decode(stream))).isEqualTo(enc.reconstructed);
        }
    }

    @Test
    void maxValBelowPrecision() throws Exception {
        // 12-bit precision, samples restricted to 0..1000 and signalled as MAXVAL
        int w = 40, h = 30;
        int[] samples = image("random", w, h, 1, 12, 7);
        for (int i = 0; i < samples.length; i++) {
            samples[i] %= 1001;
        }
        JpegLsTestEncoder enc = new JpegLsTestEncoder().preset(1000, 0, 0, 0, 0);
        assertThat(samples(new JpegLsDecoder().decode(enc.encode(samples, w, h, 1, 12)))).isEqualTo(samples);
    }

    @Test
    void onePixelAndOneColumnImages() throws Exception {
        for (int[] dim : new int[][] {{1, 1}, {1, 20}, {20, 1}}) {
            int[] samples = image("random", dim[0], dim[1], 1, 16, 3);
            JpegLsTestEncoder enc = new JpegLsTestEncoder();
            assertThat(samples(new JpegLsDecoder().decode(enc.encode(samples, dim[0], dim[1], 1, 16))))
                    .isEqualTo(samples);
        }
    }

    @Test
    void imageIoFindsTheReaderAndReturnsRawSamples() throws Exception {
        int w = 33, h = 17;
        int[] grey16 = image("smooth", w, h, 1, 16, 1);
        int[] grey8 = image("smooth", w, h, 1, 8, 2);
        int[] rgb = image("edges", w, h, 3, 8, 3);
        BufferedImage a = read(new JpegLsTestEncoder().encode(grey16, w, h, 1, 16));
        assertThat(a.getType()).isEqualTo(BufferedImage.TYPE_USHORT_GRAY);
        assertThat(pixels(a.getRaster())).isEqualTo(grey16);
        BufferedImage b = read(new JpegLsTestEncoder().encode(grey8, w, h, 1, 8));
        assertThat(b.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(pixels(b.getRaster())).isEqualTo(grey8);
        BufferedImage c = read(new JpegLsTestEncoder().interleave(2).encode(rgb, w, h, 3, 8));
        assertThat(c.getColorModel().getNumComponents()).isEqualTo(3);
        assertThat(pixels(c.getRaster())).isEqualTo(rgb);
        assertThat(c.getRGB(5, 5) & 0xFFFFFF).isEqualTo((rgb[(5 * w + 5) * 3] << 16) | (rgb[(5 * w + 5) * 3 + 1] << 8)
                | rgb[(5 * w + 5) * 3 + 2]);
    }

    @Test
    void imageIoRegistersBothFormatNames() {
        for (String name : new String[] {"jpeg-ls", "JPEG-LS"}) {
            Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(name);
            assertThat(it.hasNext()).as(name).isTrue();
            assertThat(it.next()).isInstanceOf(JpegLsImageReader.class);
        }
    }

    static BufferedImage read(byte[] stream) throws Exception {
        ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg-ls").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(stream))) {
            assertThat(reader.getOriginatingProvider().canDecodeInput(in)).isTrue();
            reader.setInput(in);
            return reader.read(0);
        } finally {
            reader.dispose();
        }
    }

    static int[] pixels(Raster r) {
        return r.getPixels(0, 0, r.getWidth(), r.getHeight(), (int[]) null);
    }

    static int[] samples(JpegLsImage img) {
        int nc = img.components();
        int[] out = new int[img.width() * img.height() * nc];
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                for (int c = 0; c < nc; c++) {
                    out[(y * img.width() + x) * nc + c] = img.sample(x, y, c);
                }
            }
        }
        return out;
    }
}
