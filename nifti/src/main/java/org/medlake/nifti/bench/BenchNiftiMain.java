package org.medlake.nifti.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./medlake bench nifti [--input DIR] [--runs N] [--json]}: times {@code ./medlake to-nifti} (a fresh JVM
 * per run, so JVM start is included) against {@code dcm2niix -z y} on the same input in the same run, and prints
 * the ratio of their median times. The default input is every series of {@code ../shared/corpus} that has a
 * dcm2niix reference ({@code series:<id>} rows of its {@code MANIFEST.tsv} with a {@code ref-nifti:<id>} row),
 * linked one folder per series into a staging folder so both tools see exactly the same files. With
 * {@code --json} the last line is {@code {"series":N,"files":N,"mb":x,"dcm2niix_s":a,"medlake_s":b,"ratio":b/a,...}}.
 */
public final class BenchNiftiMain {
    static final String USAGE = String.join("\n",
            "usage: bench nifti [--input DIR] [--runs N] [--json]",
            "  --input DIR  DICOM to convert (default: the dcm2niix reference series of ../shared/corpus)",
            "  --runs N     timed runs of each tool; the median counts (default 3)",
            "  --json       print the figures as one JSON object on the last stdout line");

    record Options(Path input, int runs, boolean json) {}

    record Timing(double median, double[] all, int outputs) {}

    private BenchNiftiMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("bench nifti: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        if (o == null) {
            out.println(USAGE);
            return 0;
        }
        Path stage = null;
        try {
            Path root = repoRoot();
            String dcm2niix = findDcm2niix(root, err);
            Path input = o.input();
            int series;
            if (input == null) {
                Path corpus = corpus(root);
                stage = Files.createTempDirectory("medlake-bench-nifti-in");
                series = stageReferenceSeries(corpus, stage);
                input = stage;
                err.println("bench nifti: " + series + " reference series of " + corpus + " linked into " + stage);
            } else {
                series = -1;
            }
            long[] size = sizeOf(input);
            // warm the page cache so neither tool pays for the first read
            for (Path f : files(input)) {
                Files.readAllBytes(f);
            }
            final Path in = input;
            Path launcher = root.resolve("medlake");
            run(List.of(launcher.toString(), "to-nifti", "--help"), root, 600); // builds first if sources changed
            // The two tools alternate run by run, so a change in machine load affects both alike.
            Tool dcm = new Tool("dcm2niix", o.runs(), outDir -> List.of(dcm2niix, "-z", "y", "-b", "y", "-f", "%s_%p",
                    "-o", outDir.toString(), in.toString()));
            Tool med = new Tool("medlake", o.runs(), outDir -> List.of(launcher.toString(), "to-nifti", in.toString(),
                    "-o", outDir.toString()));
            for (int i = 0; i < o.runs(); i++) {
                dcm.runOnce(i, err);
                med.runOnce(i, err);
            }
            Timing d = dcm.timing();
            Timing m = med.timing();
            double ratio = m.median() / d.median();
            out.printf(Locale.ROOT, "%nmedlake bench nifti: %s series, %d files, %.1f MB of DICOM%n",
                    series < 0 ? "?" : Integer.toString(series), size[0], size[1] / 1e6);
            out.printf(Locale.ROOT, "  %-46s %10s %10s %10s%n", "tool (median of " + o.runs() + " runs)", "seconds",
                    "MB/s", "outputs");
            out.printf(Locale.ROOT, "  %-46s %10.2f %10.1f %10d%n", "dcm2niix -z y (" + dcm2niix + ")", d.median(),
                    size[1] / 1e6 / d.median(), d.outputs());
            out.printf(Locale.ROOT, "  %-46s %10.2f %10.1f %10d%n", "./medlake to-nifti (JVM start included)",
                    m.median(), size[1] / 1e6 / m.median(), m.outputs());
            out.printf(Locale.ROOT, "  ratio medlake/dcm2niix: %.2fx (target <= 1.5x; below 1 is faster)%n", ratio);
            if (o.json()) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("series", series < 0 ? null : series);
                j.put("files", size[0]);
                j.put("mb", round(size[1] / 1e6));
                j.put("dcm2niix_s", round(d.median()));
                j.put("medlake_s", round(m.median()));
                j.put("ratio", round(ratio));
                j.put("dcm2niix_outputs", d.outputs());
                j.put("medlake_outputs", m.outputs());
                j.put("dcm2niix_runs_s", Arrays.toString(roundAll(d.all())));
                j.put("medlake_runs_s", Arrays.toString(roundAll(m.all())));
                StringBuilder sb = new StringBuilder("{");
                j.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":")
                        .append(v));
                out.println(sb.append('}'));
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("bench nifti: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            if (stage != null) {
                deleteQuietly(stage);
            }
        }
    }

    static Options parse(String[] args) {
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && rest.get(0).equals("nifti")) {
            rest.remove(0);
        }
        Path input = null;
        int runs = 3;
        boolean json = false;
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            switch (a) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--input" -> {
                    input = Path.of(value(rest, i++, a));
                    if (!Files.exists(input)) throw new IllegalArgumentException("--input " + input + " does not exist");
                }
                case "--runs" -> {
                    try {
                        runs = Integer.parseInt(value(rest, i++, a));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--runs needs a whole number");
                    }
                    if (runs < 1) throw new IllegalArgumentException("--runs must be at least 1");
                }
                case "--json" -> json = true;
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        return new Options(input, runs, json);
    }

    private static String value(List<String> args, int i, String option) {
        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i + 1);
    }

    /**
     * Links the files of every corpus series that has a reference NIfTI into {@code stage/<n>/}, and returns how many
     * series were linked.
     */
    static int stageReferenceSeries(Path corpus, Path stage) throws IOException {
        Map<String, List<String>> seriesFiles = new TreeMap<>();
        java.util.Set<String> withRef = new java.util.HashSet<>();
        List<String> lines = Files.readAllLines(corpus.resolve("MANIFEST.tsv"), StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split("\t", -1);
            if (c.length < 7) continue;
            String role = c[6];
            if (role.startsWith("series:")) {
                seriesFiles.computeIfAbsent(role.substring("series:".length()), k -> new ArrayList<>()).add(c[0]);
            } else if (role.startsWith("ref-nifti:")) {
                withRef.add(role.substring("ref-nifti:".length()));
            }
        }
        int n = 0;
        for (Map.Entry<String, List<String>> e : seriesFiles.entrySet()) {
            if (!withRef.contains(e.getKey())) continue;
            Path dir = stage.resolve(String.format(Locale.ROOT, "s%03d", n++));
            Files.createDirectories(dir);
            int k = 0;
            for (String rel : e.getValue()) {
                Path src = corpus.resolve(rel).toRealPath();
                Files.createSymbolicLink(dir.resolve(String.format(Locale.ROOT, "%05d_%s", k++, src.getFileName())), src);
            }
        }
        if (n == 0) {
            throw new IllegalStateException(corpus.resolve("MANIFEST.tsv") + " lists no series with a reference NIfTI");
        }
        return n;
    }

    interface Command {
        List<String> forOutput(Path outDir);
    }

    /** One tool's timed runs. */
    private static final class Tool {
        private final String name;
        private final Command command;
        private final double[] seconds;
        private int outputs;

        Tool(String name, int runs, Command command) {
            this.name = name;
            this.command = command;
            this.seconds = new double[runs];
        }

        void runOnce(int i, PrintStream err) throws IOException, InterruptedException {
            Path outDir = Files.createTempDirectory("medlake-bench-nifti-" + name);
            try {
                long t0 = System.nanoTime();
                Run r = run(command.forOutput(outDir), null, 3600);
                seconds[i] = (System.nanoTime() - t0) / 1e9;
                // dcm2niix exits non-zero when it skips a series it cannot read; medlake must not fail
                if (r.exit() != 0 && !name.equals("dcm2niix")) {
                    throw new IllegalStateException(name + " failed with exit code " + r.exit() + ":\n" + r.tail());
                }
                outputs = countNifti(outDir);
                err.printf(Locale.ROOT, "bench nifti: %-8s run %d: %.2f s, %d NIfTI files%n", name, i + 1, seconds[i],
                        outputs);
            } finally {
                deleteQuietly(outDir);
            }
        }

        Timing timing() {
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            return new Timing(sorted[sorted.length / 2], seconds.clone(), outputs);
        }
    }

    private static int countNifti(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return (int) s.filter(p -> p.getFileName().toString().endsWith(".nii.gz")
                    || p.getFileName().toString().endsWith(".nii")).count();
        }
    }

    private static List<Path> files(Path input) throws IOException {
        try (Stream<Path> s = Files.walk(input, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private static long[] sizeOf(Path input) throws IOException {
        long n = 0;
        long bytes = 0;
        for (Path f : files(input)) {
            n++;
            bytes += Files.size(f);
        }
        return new long[] {n, bytes};
    }

    /** dcm2niix on the PATH, installed through {@code infra/bin/ensure-packages} when missing (as root). */
    private static String findDcm2niix(Path root, PrintStream err) throws IOException, InterruptedException {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "dcm2niix"))) {
                return Path.of(dir, "dcm2niix").toString();
            }
        }
        err.println("bench nifti: dcm2niix not found; trying infra/bin/ensure-packages dcm2niix");
        Run r = run(List.of(root.resolve("infra/bin/ensure-packages").toString(), "dcm2niix"), root, 900);
        if (r.exit() != 0 || !Files.isExecutable(Path.of("/usr/bin/dcm2niix"))) {
            throw new IllegalStateException("dcm2niix, the reference converter, is not installed and could not be "
                    + "installed (" + r.tail().strip() + "). Fix: apt-get install -y dcm2niix, then re-run.");
        }
        return "/usr/bin/dcm2niix";
    }

    /** {@code ${medlake.repo.root}/../shared/corpus}, or one level higher (git worktrees). */
    static Path corpus(Path root) throws IOException {
        for (Path p : List.of(root.resolve("../shared/corpus"), root.resolve("../../shared/corpus"))) {
            if (Files.isRegularFile(p.resolve("MANIFEST.tsv"))) {
                return p.toRealPath();
            }
        }
        throw new IllegalStateException("the shared DICOM corpus (../shared/corpus next to the repository) is absent, "
                + "and it holds the reference series this benchmark converts. Fix: pass --input DIR with DICOM series.");
    }

    record Run(int exit, String stdout, String stderr) {
        String tail() {
            String all = stdout + "\n" + stderr;
            return all.length() > 3000 ? all.substring(all.length() - 3000) : all;
        }
    }

    private static Run run(List<String> command, Path dir, long timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) pb.directory(dir.toFile());
        Path out = Files.createTempFile("medlake-bench", ".out");
        Path errFile = Files.createTempFile("medlake-bench", ".err");
        try {
            pb.redirectOutput(out.toFile()).redirectError(errFile.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(errFile));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(errFile);
        }
    }

    /** The folder holding the {@code medlake} launcher: system property {@code medlake.repo.root}, else walk up. */
    static Path repoRoot() {
        String prop = System.getProperty("medlake.repo.root");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("medlake")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the medlake launcher: run from the repository or pass "
                + "-Dmedlake.repo.root=DIR");
    }

    private static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }

    private static double[] roundAll(double[] d) {
        return Arrays.stream(d).map(BenchNiftiMain::round).toArray();
    }

    private static void deleteQuietly(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (IOException ignored) {
            // temp folder; the OS cleans up
        }
    }
}
