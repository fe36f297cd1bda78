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
 *   objects/packs/&lt;name&gt;.pack    DICOM files owned by the lake, appended one after another (see {@link PackWriter})
 *   objects/packs/&lt;name&gt;.idx     one "sha256 offset length" line per object of the pack
 *   objects/sha256/ab/&lt;sha256&gt;   DICOM files owned by older lakes, one file per object, content-addressed
 * </pre>
 *
 * <p>An {@code instances.location} value is one of three forms; {@link LakeObjects} reads all of them:
 * <ul>
 *   <li>{@code objects/packs/<name>.pack@<offset>+<length>}: a region of a pack (lake-relative);</li>
 *   <li>{@code objects/sha256/ab/<sha256>}: a whole file (lake-relative, written by older lakes);</li>
 *   <li>an absolute URI such as {@code file:/...} or {@code s3a://...}: a file registered in place.</li>
 * </ul>
 * Lake-relative forms never contain {@code ':'}, which is how readers tell them from URIs.
 */
public final class LakeLayout {
    /** 64 lower-case hex digits. */
    static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** Allowed pack names: they become file names and parts of locations, so no separators and no ':' or '@'. */
    private static final Pattern PACK_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    /** The lake-relative folder of the packs; every location inside it is a packed location. */
    static final String PACKS = "objects/packs";

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

    /** The folder holding the packs ({@code objects/packs}). */
    public Path packs() {
        return root.resolve(PACKS);
    }

    /**
     * The pack file {@code objects/packs/<name>.pack}.
     *
     * @throws IllegalArgumentException if {@code name} is not 1 to 200 of {@code [A-Za-z0-9._-]}
     */
    public Path pack(String name) {
        return packs().resolve(checkPackName(name) + ".pack");
    }

    /**
     * The index of the pack {@code name}, {@code objects/packs/<name>.idx} (see {@link PackWriter}).
     *
     * @throws IllegalArgumentException if {@code name} is not 1 to 200 of {@code [A-Za-z0-9._-]}
     */
    public Path packIndex(String name) {
        return packs().resolve(checkPackName(name) + ".idx");
    }

    /** Whether {@code s} is 64 lower-case hex digits (a SHA-256 as the lake writes it); no regex: called per object. */
    static boolean isSha256Hex(String s) {
        if (s == null || s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    static String checkPackName(String name) {
        if (name == null || !PACK_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a pack name: '" + name + "' (use 1 to 200 of A-Z a-z 0-9 . _ -)");
        }
        return name;
    }

    /**
     * Resolves a {@code location} column value naming a whole file: a lake-relative key (no URI scheme) resolves
     * against the root; an absolute {@code file:} URI (files registered in place) is returned as that path. Use it
     * for derived files (NIfTI, thumbnails); read instance objects with {@link LakeObjects}, which also reads packs.
     *
     * @throws IllegalArgumentException if the location escapes the lake root, or names a region of a pack (a
     *         packed location is no file of its own: reading the path would return the whole pack)
     */
    public Path resolve(String location) {
        if (location.startsWith("file:")) {
            return Path.of(URI.create(location));
        }
        Path p = root.resolve(location).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("location escapes the lake root: '" + location + "'");
        }
        if (p.startsWith(packs())) {
            throw new IllegalArgumentException("location '" + location + "' is inside " + PACKS + ", so it names a "
                    + "region of a pack, not a file; read it with org.medlake.lake.LakeObjects");
        }
        return p;
    }

    @Override
    public String toString() {
        return "LakeLayout[" + root + "]";
    }
}
