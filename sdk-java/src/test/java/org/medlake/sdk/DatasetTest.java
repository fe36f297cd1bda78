package org.medlake.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Order, shuffle, sharding and positions: no download happens, so the client points nowhere. */
class DatasetTest {
    private final MedlakeClient client = MedlakeClient.create(cfg -> cfg.url("http://127.0.0.1:9").accessToken("t"));

    @AfterEach
    void close() {
        client.close();
    }

    private static List<ManifestEntry> entries(int n) {
        List<ManifestEntry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ManifestEntry("demo", "1.3." + (i / 4), "1.3." + (i / 4) + "." + i, "a".repeat(64), 100,
                    "/api/v1/instances/x/file", "P" + i / 8));
        }
        return out;
    }

    private static CohortManifest manifest(List<ManifestEntry> entries) {
        return new CohortManifest(new CohortVersion("c-9", "demo", "mr", 2, Instant.EPOCH, "alice", 0, entries.size(),
                -1, "x"), "y", entries);
    }

    @Test
    void unshuffledIsTheManifestOrderWhateverTheInputOrder() {
        List<ManifestEntry> shuffled = new ArrayList<>(entries(50));
        Collections.shuffle(shuffled, new Random(3));
        assertThat(Dataset.of(client, manifest(shuffled)).order(0)).isEqualTo(Dataset.of(client, manifest(entries(50)))
                .order(0)).extracting(ManifestEntry::sopInstanceUid).isSorted();
    }

    @Test
    void shuffleIsDeterministicPerSeedAndEpoch() {
        List<ManifestEntry> reversed = new ArrayList<>(entries(100));
        Collections.reverse(reversed);
        Dataset a = Dataset.of(client, manifest(entries(100))).shuffle(11);
        Dataset b = Dataset.of(client, manifest(reversed)).shuffle(11);
        assertThat(b.order(0)).isEqualTo(a.order(0));
        assertThat(b.order(5)).isEqualTo(a.order(5));
        assertThat(a.order(1)).isNotEqualTo(a.order(0)).containsExactlyInAnyOrderElementsOf(a.order(0));
        assertThat(Dataset.of(client, manifest(entries(100))).shuffle(12).order(0)).isNotEqualTo(a.order(0));
        assertThat(a.order(0)).extracting(ManifestEntry::sopInstanceUid).isNotEqualTo(
                Dataset.of(client, manifest(entries(100))).order(0).stream().map(ManifestEntry::sopInstanceUid).toList());
    }

    @Test
    void shardsAreDisjointCoverEverythingAndDifferByAtMostOne() {
        Dataset ds = Dataset.of(client, manifest(entries(101))).shuffle(4);
        for (int epoch = 0; epoch < 3; epoch++) {
            List<ManifestEntry> all = new ArrayList<>();
            for (int rank = 0; rank < 4; rank++) {
                List<ManifestEntry> shard = ds.shard(rank, 4).order(epoch);
                assertThat(shard.size()).isBetween(25, 26);
                all.addAll(shard);
            }
            assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(entries(101));
        }
        assertThatThrownBy(() -> ds.shard(4, 4)).isInstanceOf(MedlakeException.class).hasMessageContaining("rank");
    }

    @Test
    void positionsRoundTripAndBelongToOneConfiguration() {
        Dataset ds = Dataset.of(client, manifest(entries(10))).shuffle(1).shard(1, 2);
        try (DatasetIterator it = ds.iterator(3)) {
            DatasetPosition p = it.position();
            assertThat(p.epoch()).isEqualTo(3);
            assertThat(p.offset()).isZero();
            assertThat(DatasetPosition.parse(p.token())).isEqualTo(p);
        }
        DatasetPosition p = new DatasetPosition(0, 2, ds.fingerprint());
        assertThatThrownBy(() -> ds.shuffle(2).iterator(p)).isInstanceOf(MedlakeException.class)
                .hasMessageContaining("another dataset");
        assertThatThrownBy(() -> ds.shard(0, 2).iterator(p)).isInstanceOf(MedlakeException.class);
        assertThatThrownBy(() -> ds.iterator(new DatasetPosition(0, 6, ds.fingerprint())))
                .isInstanceOf(MedlakeException.class).hasMessageContaining("beyond");
        assertThatThrownBy(() -> DatasetPosition.parse("v2:1:2:x")).isInstanceOf(MedlakeException.class)
                .hasMessageContaining("token");
    }
}
