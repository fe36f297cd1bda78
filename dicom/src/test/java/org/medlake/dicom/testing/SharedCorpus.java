package org.medlake.dicom.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the shared public DICOM corpus ({@code ../shared/corpus} next to the repository, described by its
 * {@code MANIFEST.tsv}) for the tests that may use it; they must skip when it is absent. Looked for, in order: system
 * property {@code medlake.corpus}, environment variable {@code MEDLAKE_CORPUS}, then {@code ../shared/corpus} and
 * {@code ../../shared/corpus} relative to system property {@code medlake.repo.root} (a git worktree sits one level
 * deeper than the main checkout), then the same relative to the working directory and its parent. The corpus is read
 * in place, never copied.
 */
public final class SharedCorpus {
    private SharedCorpus() {}

    /**
     * The corpus folder as its real path (the commands report entries under it, even when it is reached through a
     * link), or empty when there is none.
     */
    public static Optional<Path> locate() {
        List<Path> candidates = new ArrayList<>();
        String prop = System.getProperty("medlake.corpus");
        String env = System.getenv("MEDLAKE_CORPUS");
        if (prop != null && !prop.isBlank()) candidates.add(Path.of(prop));
        if (env != null && !env.isBlank()) candidates.add(Path.of(env));
        String root = System.getProperty("medlake.repo.root");
        if (root != null && !root.isBlank()) {
            candidates.add(Path.of(root, "..", "shared", "corpus"));
            candidates.add(Path.of(root, "..", "..", "shared", "corpus"));
        }
        candidates.add(Path.of("..", "shared", "corpus"));
        candidates.add(Path.of("..", "..", "shared", "corpus"));
        candidates.add(Path.of("..", "..", "..", "shared", "corpus"));
        for (Path p : candidates) {
            if (Files.isRegularFile(p.resolve("MANIFEST.tsv"))) {
                try {
                    return Optional.of(p.toRealPath());
                } catch (IOException e) {
                    return Optional.of(p.toAbsolutePath().normalize());
                }
            }
        }
        return Optional.empty();
    }

    /** {@link #locate()}, or null when the corpus is absent. */
    public static Path orNull() {
        return locate().orElse(null);
    }
}
