package org.medlake.curation.classify;

import org.medlake.dicom.testing.SharedCorpus;
import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Classifies every series of the labelled evaluation set ({@code corpus-labels.tsv}) read in place from the shared
 * public corpus, writes the accuracy table to {@code target/classification-accuracy.md} and prints it. Skipped when the
 * corpus is absent. Labels come from each dataset's documentation, never from this classifier.
 */
class CorpusEvaluationTest {
    /** Overall series-type accuracy the default rules must keep on the labelled set. */
    private static final double MIN_TYPE_ACCURACY = 0.9;
    /** Modality accuracy over every labelled row. */
    private static final double MIN_MODALITY_ACCURACY = 0.95;

    record Label(String path, String modality, String seriesType, String source) {}

    record Outcome(Label label, Classification result, int instances) {
        boolean modalityCorrect() {
            return label.modality.equals(result.modality());
        }

        boolean typeCorrect() {
            return label.seriesType.equals(result.seriesType());
        }
    }

    static Path corpus() {
        return SharedCorpus.orNull();
    }

    static List<Label> labels() throws IOException {
        List<Label> out = new ArrayList<>();
        try (InputStream in = CorpusEvaluationTest.class.getResourceAsStream("corpus-labels.tsv")) {
            assertThat(in).as("corpus-labels.tsv on the test classpath").isNotNull();
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (String line : lines) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("series_path\t")) continue;
                String[] c = line.split("\t", -1);
                assertThat(c).as("4 tab-separated columns in: " + line).hasSize(4);
                out.add(new Label(c[0], c[1], c[2], c[3]));
            }
        }
        return out;
    }

    /** The DICOM headers of the files a label names, grouped by SeriesInstanceUID. */
    static Map<String, List<AttributeList>> read(Path corpus, String seriesPath) throws IOException {
        List<Path> files = new ArrayList<>();
        if (seriesPath.endsWith("/")) {
            try (Stream<Path> walk = Files.walk(corpus.resolve(seriesPath))) {
                walk.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        } else if (seriesPath.contains("*")) {
            int slash = seriesPath.lastIndexOf('/');
            Path dir = corpus.resolve(seriesPath.substring(0, slash));
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + seriesPath.substring(slash + 1));
            try (Stream<Path> list = Files.list(dir)) {
                list.filter(p -> m.matches(p.getFileName())).sorted().forEach(files::add);
            }
        } else {
            files.add(corpus.resolve(seriesPath));
        }
        Map<String, List<AttributeList>> series = new LinkedHashMap<>();
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                AttributeList l = HeaderReader.read(in);
                series.computeIfAbsent(SeriesFeatures.text(l, Tags.SERIES_INSTANCE_UID), k -> new ArrayList<>()).add(l);
            } catch (HeaderReader.NotDicomException e) {
                // README, NIfTI and PDF files sit inside some series folders upstream.
            }
        }
        return series;
    }

    @Test
    void accuracyOnTheLabelledCorpusSeries() throws IOException {
        Path corpus = corpus();
        Assumptions.assumeTrue(corpus != null, "shared corpus not found (../shared/corpus); evaluation skipped");
        List<Label> labels = labels();
        assertThat(labels).hasSizeGreaterThanOrEqualTo(40);
        SeriesClassifier classifier = SeriesClassifier.withDefaults();
        List<Outcome> outcomes = new ArrayList<>();
        for (Label label : labels) {
            Map<String, List<AttributeList>> series = read(corpus, label.path);
            assertThat(series).as("DICOM series under " + label.path).isNotEmpty();
            List<AttributeList> largest = series.values().stream().max(Comparator.comparingInt(List::size)).orElseThrow();
            Classification c = classifier.classify(SeriesFeatures.from(largest));
            outcomes.add(new Outcome(label, c, largest.size()));
        }
        String report = report(outcomes, classifier.rules().version(), corpus);
        Path out = Path.of("target", "classification-accuracy.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report, StandardCharsets.UTF_8);
        System.out.println(report);

        List<Outcome> typed = outcomes.stream().filter(o -> !o.label.seriesType.equals("-")).toList();
        double typeAccuracy = typed.stream().filter(Outcome::typeCorrect).count() / (double) typed.size();
        double modalityAccuracy = outcomes.stream().filter(Outcome::modalityCorrect).count() / (double) outcomes.size();
        assertThat(typed).hasSizeGreaterThanOrEqualTo(30);
        assertThat(typeAccuracy).as("series-type accuracy; see " + out.toAbsolutePath()).isGreaterThanOrEqualTo(MIN_TYPE_ACCURACY);
        assertThat(modalityAccuracy).as("modality accuracy").isGreaterThanOrEqualTo(MIN_MODALITY_ACCURACY);
    }

    static String report(List<Outcome> outcomes, String rulesVersion, Path corpus) {
        StringBuilder b = new StringBuilder();
        b.append("# Series classification accuracy (rules ").append(rulesVersion).append(")\n\n");
        b.append("Labelled set: `corpus-labels.tsv` (").append(outcomes.size()).append(" series from ")
                .append(corpus.getFileName()).append("; labels from upstream documentation).\n\n");
        b.append("| expected series type | n | correct | accuracy |\n|---|---:|---:|---:|\n");
        Map<String, int[]> perType = new TreeMap<>();
        int n = 0;
        int ok = 0;
        for (Outcome o : outcomes) {
            if (o.label.seriesType.equals("-")) continue;
            int[] c = perType.computeIfAbsent(o.label.modality + " " + o.label.seriesType, k -> new int[2]);
            c[0]++;
            n++;
            if (o.typeCorrect()) {
                c[1]++;
                ok++;
            }
        }
        perType.forEach((t, c) -> b.append(row(t, c[0], c[1])));
        b.append(row("**all series types**", n, ok));
        int mn = outcomes.size();
        int mok = (int) outcomes.stream().filter(Outcome::modalityCorrect).count();
        b.append(row("modality (all rows, incl. modality-only labels)", mn, mok));
        b.append("\n| series_path | expected | got | confidence | instances | top evidence |\n|---|---|---|---:|---:|---|\n");
        for (Outcome o : outcomes) {
            String mark = o.modalityCorrect() && (o.label.seriesType.equals("-") || o.typeCorrect()) ? "" : " **MISS**";
            String evidence = o.result.evidence().isEmpty() ? "" : o.result.evidence().get(0).replace("|", "\\|");
            b.append("| `").append(o.label.path).append("` | ").append(o.label.modality).append(' ')
                    .append(o.label.seriesType).append(" | ").append(o.result.modality()).append(' ')
                    .append(o.result.seriesType()).append(mark).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f", o.result.confidence())).append(" | ").append(o.instances)
                    .append(" | ").append(evidence).append(" |\n");
        }
        return b.toString();
    }

    private static String row(String label, int n, int correct) {
        return String.format(Locale.ROOT, "| %s | %d | %d | %.2f |%n", label, n, correct, n == 0 ? 0.0 : correct / (double) n);
    }

}
