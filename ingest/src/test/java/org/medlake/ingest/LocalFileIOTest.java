package org.medlake.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.utils.FileStatus;
import java.io.FileNotFoundException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalFileIO}: Kernel's file contract on java.nio, and tables it writes read the same through Hadoop. */
class LocalFileIOTest {
    @TempDir
    Path dir;

    private final LocalFileIO io = new LocalFileIO(Map.of("some.key", "v"));

    @Test
    void anAtomicWriteWithoutOverwriteHasOneWinnerAndLeavesNoTemporaryFiles() throws Exception {
        String path = LocalFileIO.toUriString(dir.resolve("_delta_log/00000000000000000001.json"));
        io.newOutputFile(path).writeAtomically(Utils.toCloseableIterator(List.of("{\"a\":1}", "{\"b\":2}").iterator()),
                false);
        assertThatThrownBy(() -> io.newOutputFile(path).writeAtomically(
                Utils.toCloseableIterator(List.of("{\"c\":3}").iterator()), false))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(LocalFileIO.toPath(path))).isEqualTo("{\"a\":1}\n{\"b\":2}\n");
        io.newOutputFile(path).writeAtomically(Utils.toCloseableIterator(List.of("{\"d\":4}").iterator()), true);
        assertThat(Files.readString(LocalFileIO.toPath(path))).isEqualTo("{\"d\":4}\n");
        try (var files = Files.list(dir.resolve("_delta_log"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("00000000000000000001.json");
        }
        assertThat(io.getConf("some.key")).contains("v");
        assertThat(io.getConf("other")).isEmpty();
    }

    @Test
    void listFromGivesTheNamesFromTheGivenOneInOrder() throws Exception {
        Path log = Files.createDirectories(dir.resolve("t/_delta_log"));
        for (String n : List.of("00000000000000000002.json", "00000000000000000000.json", "00000000000000000001.json",
                "00000000000000000001.checkpoint.parquet")) {
            Files.writeString(log.resolve(n), "x");
        }
        List<String> names = new ArrayList<>();
        try (var it = io.listFrom(LocalFileIO.toUriString(log.resolve("00000000000000000001")))) {
            while (it.hasNext()) {
                FileStatus f = it.next();
                assertThat(f.getPath()).startsWith("file:/").doesNotStartWith("file://");
                assertThat(f.getSize()).isEqualTo(1);
                names.add(f.getPath().substring(f.getPath().lastIndexOf('/') + 1));
            }
        }
        assertThat(names).containsExactly("00000000000000000001.checkpoint.parquet", "00000000000000000001.json",
                "00000000000000000002.json");
        assertThatThrownBy(() -> io.listFrom(LocalFileIO.toUriString(dir.resolve("none/_delta_log/0"))))
                .isInstanceOf(FileNotFoundException.class);
        assertThatThrownBy(() -> io.getFileStatus(LocalFileIO.toUriString(dir.resolve("none"))))
                .isInstanceOf(FileNotFoundException.class);
    }

    @Test
    void tablesWrittenThroughItReadTheSameThroughHadoopAndBack() throws Exception {
        Engine local = DefaultEngine.create(io);
        Engine hadoop = DefaultEngine.create(new Configuration());
        Path table = dir.resolve("table");
        Random r = new Random(2);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            rows.add(ParquetDataFilesTest.row(i, r));
        }
        KernelTables.append(local, table, ParquetDataFilesTest.SCHEMA, Map.of(), rows.subList(0, 100));
        KernelTables.append(hadoop, table, ParquetDataFilesTest.SCHEMA, Map.of(), rows.subList(100, 200));
        KernelTables.append(local, table, ParquetDataFilesTest.SCHEMA, Map.of(), rows.subList(200, 300));
        List<String> all = ParquetDataFilesTest.COLUMNS.stream().map(InstanceColumns.Column::name).toList();
        for (Engine e : List.of(local, hadoop)) {
            List<Object[]> back = KernelTables.scan(e, table, all);
            back.sort(java.util.Comparator.comparing(x -> (String) x[0]));
            assertThat(back).hasSize(300);
            for (int i = 0; i < 300; i++) {
                assertThat(back.get(i)).containsExactly(rows.get(i));
            }
        }
        KernelTables.overwrite(local, table, ParquetDataFilesTest.SCHEMA, rows.subList(0, 10));
        assertThat(KernelTables.scan(hadoop, table, all)).hasSize(10);

        // A folder name that URIs escape: written and read back through the local file access alone.
        Path spaced = dir.resolve("lake with space/t");
        KernelTables.append(local, spaced, ParquetDataFilesTest.SCHEMA, Map.of(), rows.subList(0, 50));
        KernelTables.append(local, spaced, ParquetDataFilesTest.SCHEMA, Map.of(), rows.subList(50, 60));
        assertThat(KernelTables.scan(local, spaced, all)).hasSize(60);
        // data files are recorded relative to the table, so the lake can move
        assertThat(Files.readString(spaced.resolve("_delta_log/00000000000000000001.json")))
                .contains("\"path\":\"part-").doesNotContain("file:");
        try (var files = Files.list(spaced)) {
            assertThat(files.filter(p -> p.toString().endsWith(".parquet")).count()).isEqualTo(2);
        }
    }
}
