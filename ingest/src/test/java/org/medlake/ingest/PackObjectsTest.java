package org.medlake.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.LakeObjects;

class PackObjectsTest {
    @TempDir
    Path tmp;

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void storesEachContentOnceAndReusesWhatTheLakeHolds() throws Exception {
        LakeLayout lake = LakeLayout.at(tmp.resolve("lake"));
        byte[] a = "first object".getBytes(StandardCharsets.UTF_8);
        byte[] b = "second object".getBytes(StandardCharsets.UTF_8);
        byte[] held = "already in the lake".getBytes(StandardCharsets.UTF_8);
        Map<String, String> known = Map.of(sha(held), "objects/sha256/ab/" + sha(held));
        ConcurrentHashMap<String, String> stored = new ConcurrentHashMap<>();

        String la;
        String lb;
        String again;
        String other;
        try (PackObjects one = new PackObjects(lake, "run-0", known, stored);
             PackObjects two = new PackObjects(lake, "run-1", known, stored)) {
            la = one.store(a, a.length, null, sha(a));
            lb = two.store(b, b.length, null, sha(b));
            again = two.store(a.clone(), a.length, null, sha(a));
            other = one.store(held, held.length, null, sha(held));
        }
        assertThat(again).as("same bytes in the same run: one copy").isEqualTo(la);
        assertThat(other).as("bytes the lake holds are not stored again").isEqualTo(known.get(sha(held)));
        LakeObjects objects = new LakeObjects(lake);
        assertThat(objects.readAllBytes(la)).isEqualTo(a);
        assertThat(objects.readAllBytes(lb)).isEqualTo(b);
        assertThat(Files.size(lake.root().resolve("objects/packs/run-0.pack")) + Files.size(lake.root().resolve("objects/packs/run-1.pack")))
                .isEqualTo(a.length + b.length);
    }

    @Test
    void aSpilledEntryIsPackedAndItsSpillFileRemoved() throws Exception {
        LakeLayout lake = LakeLayout.at(tmp.resolve("lake"));
        byte[] big = new byte[3 << 20];
        new java.util.Random(7).nextBytes(big);
        Path spill = Files.write(tmp.resolve("entry.part"), big);
        String location;
        try (PackObjects p = new PackObjects(lake, "run-s", Map.of(), new ConcurrentHashMap<>())) {
            location = p.store(null, 0, spill, sha(big));
        }
        assertThat(spill).doesNotExist();
        assertThat(new LakeObjects(lake).readAllBytes(location)).isEqualTo(big);
    }
}
