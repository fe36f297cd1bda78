package org.medlake.curation.qa;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class MosaicTest {
    static List<float[]> ramp(int n, int rows, int cols) {
        List<float[]> frames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] f = new float[rows * cols];
            Arrays.fill(f, i * 10f);
            frames.add(f);
        }
        return frames;
    }

    static BufferedImage decode(byte[] png) throws Exception {
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    @Test
    void sixteenOfTwentySmallFramesInAFourByFourGrid() throws Exception {
        BufferedImage img = decode(Mosaic.png(ramp(20, 64, 64), 64, 64));
        assertThat(img.getWidth()).isEqualTo(256);
        assertThat(img.getHeight()).isEqualTo(256);
        // First tile is the darkest frame, last tile the brightest (frames 0 and 19 are both picked).
        assertThat(img.getRaster().getSample(5, 5, 0)).isZero();
        assertThat(img.getRaster().getSample(250, 250, 0)).isEqualTo(255);
    }

    @Test
    void largeFramesAreScaledToTheMaximumWidth() throws Exception {
        BufferedImage img = decode(Mosaic.png(ramp(30, 256, 256), 256, 256));
        assertThat(img.getWidth()).isEqualTo(512);
        assertThat(img.getHeight()).isEqualTo(512);
    }

    @Test
    void nonSquareFewFrames() throws Exception {
        BufferedImage img = decode(Mosaic.png(ramp(3, 100, 50), 100, 50, 16, 512));
        assertThat(img.getWidth()).isEqualTo(100); // 2 columns of 50
        assertThat(img.getHeight()).isEqualTo(200); // 2 rows of 100
        assertThat(Mosaic.pick(20, 16)).startsWith(0).endsWith(19).hasSize(16);
    }
}
