package org.medlake.webe2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.medlake.testkit.MedlakeServices;

/**
 * Runs a Playwright scenario script ({@code src/test/e2e/NAME.mjs}) with node against Debian's chromium.
 *
 * <p>{@link #prepare()} makes sure the three things the scripts need are there, and fails with what to do when one
 * is not (never skips: CI must run the browser tests): chromium (installed through
 * {@code infra/bin/ensure-packages chromium}, which needs root), the node the web module was built with ({@code web/target/node-path}, else {@code node} on the PATH), and the
 * {@code playwright-core} package in {@code web/node_modules} (system property {@code medlake.e2e.node.modules}
 * to point elsewhere). The scripts get their input as a JSON file named by {@code MEDLAKE_E2E_INPUT} and the
 * node_modules folder as {@code MEDLAKE_NODE_MODULES}; they print one JSON summary as their last stdout line.
 */
final class E2eRunner {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_MINUTES = 10;

    private final Path scripts;
    private final Path nodeModules;
    private final String node;
    private final Path screenshots;

    /** What a script run produced. {@code summary} is its last stdout line as JSON (null when not JSON). */
    record Outcome(int exitCode, String output, JsonNode summary) {}

    private E2eRunner(String node, Path scripts, Path nodeModules, Path screenshots) {
        this.node = node;
        this.scripts = scripts;
        this.nodeModules = nodeModules;
        this.screenshots = screenshots;
    }

    private static E2eRunner prepared;

    /**
     * Checks (and installs) chromium, node and playwright-core, and empties the screenshots folder of old PNGs; once
     * per JVM, later calls return the same runner.
     */
    static synchronized E2eRunner prepare() throws IOException {
        if (prepared == null) {
            prepared = check();
        }
        return prepared;
    }

    private static E2eRunner check() throws IOException {
        Path root = MedlakeServices.repoRoot();
        ensureChromium(root);
        // The node the web module was built with (its build may have fetched a portable one), else the PATH's.
        Path nodePath = root.resolve("web/target/node-path");
        String node = Files.isRegularFile(nodePath) ? Files.readString(nodePath).strip() : "node";
        String nodeVersion = run(List.of(node, "--version"), "node is needed to run the browser scenarios; build the "
                + "web module first (mvn -pl web package), which finds or fetches Node.js").strip();
        Path scripts = Path.of(System.getProperty("medlake.e2e.scripts", root.resolve("web-e2e/src/test/e2e").toString()));
        Path nodeModules = Path.of(System.getProperty("medlake.e2e.node.modules", root.resolve("web/node_modules").toString()));
        if (!Files.isRegularFile(nodeModules.resolve("playwright-core/package.json"))) {
            throw new IllegalStateException("playwright-core is not installed in " + nodeModules + " (node " + nodeVersion
                    + "). It is a devDependency of the web module: build it first (mvn -pl web package, which runs npm ci),"
                    + " or pass -Dmedlake.e2e.node.modules=DIR naming a node_modules folder that has it.");
        }
        Path screenshots = Path.of(System.getProperty("medlake.e2e.screenshots", root.resolve("web-e2e/target/screenshots").toString()));
        Files.createDirectories(screenshots);
        try (var old = Files.list(screenshots)) {
            for (Path p : old.filter(p -> p.toString().endsWith(".png")).toList()) {
                Files.delete(p);
            }
        }
        return new E2eRunner(node, scripts, nodeModules, screenshots);
    }

    /** Folder the scripts write their screenshots to. */
    Path screenshots() {
        return screenshots;
    }

    /**
     * Runs {@code scripts/<script>} with {@code input} written to a file in {@code work}; its output is echoed to
     * this JVM's stdout line by line (so a hung browser step shows in the Failsafe report) and returned.
     */
    Outcome run(String script, JsonNode input, Path work) throws IOException, InterruptedException {
        Path inputFile = work.resolve(script + ".input.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(inputFile.toFile(), input);
        ProcessBuilder pb = new ProcessBuilder(node, scripts.resolve(script).toString()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("MEDLAKE_E2E_INPUT", inputFile.toString());
        pb.environment().put("MEDLAKE_NODE_MODULES", nodeModules.toString());
        pb.environment().put("MEDLAKE_CHROMIUM", CHROMIUM.toString());
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        Thread pump = new Thread(() -> {
            try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println("[" + script + "] " + line);
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process died; its exit code tells
            }
        }, "e2e-output");
        pump.start();
        if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            pump.join(5000);
            throw new IllegalStateException(script + " did not finish within " + TIMEOUT_MINUTES + " minutes. Output:\n" + out);
        }
        pump.join(10_000);
        String output;
        synchronized (out) {
            output = out.toString();
        }
        return new Outcome(p.exitValue(), output, lastJsonLine(output));
    }

    private static JsonNode lastJsonLine(String output) {
        String[] lines = output.strip().split("\n");
        String last = lines[lines.length - 1].strip();
        if (!last.startsWith("{")) {
            return null;
        }
        try {
            return JSON.readTree(last);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Runs {@code infra/bin/ensure-packages chromium} (quick when the package is there; installs it as root). A
     * chromium at {@link #CHROMIUM} that dpkg does not know (installed by hand) is accepted.
     */
    private static void ensureChromium(Path root) {
        try {
            run(List.of(root.resolve("infra/bin/ensure-packages").toString(), "chromium"),
                    "The browser tests need Debian's chromium (" + CHROMIUM + ") and infra/bin/ensure-packages could not "
                            + "install it (it installs with apt-get as root). Install it: apt-get install -y chromium");
        } catch (IllegalStateException e) {
            if (!Files.isExecutable(CHROMIUM)) {
                throw e;
            }
        }
        if (!Files.isExecutable(CHROMIUM)) {
            throw new IllegalStateException("infra/bin/ensure-packages reports chromium installed but " + CHROMIUM
                    + " is not there; the browser tests need Debian's chromium package at that path.");
        }
    }

    /** Runs a short command; returns its output, or fails with {@code why} and the output. */
    private static String run(List<String> command, String why) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(why + ". Output of " + String.join(" ", command) + ":\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(why + " (cannot run " + command.get(0) + ": " + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }
}
