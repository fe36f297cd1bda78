package org.medlake.lake;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where things live inside a lake folder. Every writer (Spark jobs) and reader (server, indexer) resolves
 * paths through this class so that the layout is defined once.
 *
 * <pre>
 * LAKE/
 *   tables/&lt;name&gt;/          Delta tables (see {@link Tables})
 *   objects/sha256/ab/&lt;sha256&gt;   DICOM files owned by the lake, content-addressed
 * </pre>
 */
public final class LakeLayout {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final Path root;

    private LakeLayout(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** A layout rooted at {@code root}; the folder need not exist yet. */
    public static LakeLayout at(Path root) {
        return new LakeLayout(Objects.requireNonNull(root, "root"));
    }

    /** The absolute lake root. */
    public Path root() {
        return root;
    }

    /** The folder of the Delta table {@code name}. */
    public Path table(String name) {
        return root.resolve("tables").resolve(name);
    }

    /** The table folder as a URI string, the form Spark and Delta Kernel accept. */
    public String tableUri(String name) {
        return table(name).toUri().toString();
    }

    /**
     * The lake-relative key under which a file with this SHA-256 is stored. Keys are relative so that a lake
     * folder can be moved or copied without rewriting its tables.
     *
     * @throws IllegalArgumentException if {@code sha256} is not 64 lower-case hex digits
     */
    public static String objectKey(String sha256) {
        String hex = sha256.toLowerCase(Locale.ROOT);
        if (!SHA256_HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a SHA-256 hex digest: '" + sha256 + "'");
        }
        return "objects/sha256/" + hex.substring(0, 2) + "/" + hex;
    }

    /**
     * Resolves a {@code location} column value: a lake-relative key (no URI scheme) resolves against the
     * root; an absolute {@code file:} URI (files registered in place) is returned as that path.
     */
    public Path resolve(String location) {
        if (location.startsWith("file:")) {
            return Path.of(URI.create(location));
        }
        Path p = root.resolve(location).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("location escapes the lake root: '" + location + "'");
        }
        return p;
    }

    @Override
    public String toString() {
        return "LakeLayout[" + root + "]";
    }
}
