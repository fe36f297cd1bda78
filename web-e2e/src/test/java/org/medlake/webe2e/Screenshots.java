package org.medlake.webe2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** Checks that a screenshot the scripts wrote is a real PNG of a rendered page, not an empty or blank file. */
final class Screenshots {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** A rendered page of text and tables compresses to well above this; a blank page to far less. */
    static final long MIN_BYTES = 8 * 1024;
    static final int MIN_WIDTH = 800;
    static final int MIN_HEIGHT = 500;

    private Screenshots() {
    }

    static void assertRealPng(Path png) throws IOException {
        assertThat(png).as("screenshot").isRegularFile();
        byte[] bytes = Files.readAllBytes(png);
        assertThat(Arrays.copyOf(bytes, PNG_SIGNATURE.length)).as("PNG signature of %s", png).isEqualTo(PNG_SIGNATURE);
        assertThat((long) bytes.length).as("size of %s", png).isGreaterThanOrEqualTo(MIN_BYTES).isLessThan(20L << 20);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("%s decodes as an image", png).isNotNull();
        assertThat(image.getWidth()).as("width of %s", png).isGreaterThanOrEqualTo(MIN_WIDTH);
        assertThat(image.getHeight()).as("height of %s", png).isGreaterThanOrEqualTo(MIN_HEIGHT);
        assertThat(distinctColours(image)).as("distinct colours in %s (a blank page has one)", png).isGreaterThan(8);
    }

    private static int distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 4) {
            for (int x = 0; x < image.getWidth(); x += 4) {
                colours.add(image.getRGB(x, y));
                if (colours.size() > 64) {
                    return colours.size();
                }
            }
        }
        return colours.size();
    }
}
