package org.medlake.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LakeLayoutTest {
    private static final String SHA = "ab" + "cd" + "0123456789abcdef".repeat(3) + "0123456789ab";

    @Test
    void objectKeysFanOutByTheFirstTwoBytes() {
        assertThat(SHA).hasSize(64);
        assertThat(LakeLayout.objectKey(SHA)).isEqualTo("objects/sha256/ab/" + SHA);
        assertThat(LakeLayout.objectKey(SHA.toUpperCase())).isEqualTo("objects/sha256/ab/" + SHA);
    }

    @Test
    void rejectsSomethingThatIsNotADigest() {
        assertThatThrownBy(() -> LakeLayout.objectKey("../../etc/passwd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a SHA-256");
    }

    @Test
    void resolvesRelativeKeysInsideTheLakeAndRefusesEscapes() {
        LakeLayout lake = LakeLayout.at(Path.of("/data/lake"));
        assertThat(lake.resolve("objects/sha256/ab/" + SHA)).isEqualTo(Path.of("/data/lake/objects/sha256/ab/" + SHA));
        assertThat(lake.resolve("file:///mnt/pacs/x.dcm")).isEqualTo(Path.of("/mnt/pacs/x.dcm"));
        assertThatThrownBy(() -> lake.resolve("../secret")).hasMessageContaining("escapes");
        assertThat(lake.table(Tables.INSTANCES)).isEqualTo(Path.of("/data/lake/tables/instances"));
    }

    @Test
    void resolveRefusesPackedLocationsSoWholeFileReadersFailLoudly() {
        LakeLayout lake = LakeLayout.at(Path.of("/data/lake"));
        for (String packed : new String[] {"objects/packs/r-0.pack@0+10", "objects/packs/r-0.pack", "objects/packs/r-0.idx",
                "./objects/packs/r-0.pack@0+10", "objects/sha256/../packs/r-0.pack@0+10"}) {
            assertThatThrownBy(() -> lake.resolve(packed)).as(packed).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("region of a pack").hasMessageContaining("LakeObjects");
        }
        assertThat(lake.pack("r-0")).isEqualTo(Path.of("/data/lake/objects/packs/r-0.pack"));
        assertThat(lake.packIndex("r-0")).isEqualTo(Path.of("/data/lake/objects/packs/r-0.idx"));
        assertThatThrownBy(() -> lake.pack("../x")).hasMessageContaining("not a pack name");
    }
}
