package org.medlake.examples;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.medlake.sdk.CohortManifest;
import org.medlake.sdk.CohortVersion;
import org.medlake.sdk.ManifestEntry;
import org.medlake.sdk.MedlakeClient;
import org.medlake.sdk.MedlakeException;
import org.medlake.sdk.Query;
import org.medlake.sdk.Splits;
import org.medlake.sdk.TrainValTestSplit;
import org.medlake.sdk.Volume;
import org.medlake.sdk.VolumeDataset;
import org.medlake.sdk.VolumeIterator;
import org.medlake.sdk.VolumeSample;

/**
 * The whole loop of a training job through the SDK, with a model too small to matter (it learns the intensity
 * mean and standard deviation that a real model would normalise with): log in, create and freeze a cohort, split it
 * by patient, iterate epochs of shuffled NIfTI volumes with parallel prefetch, evaluate on the validation split, and
 * report throughput.
 *
 * <pre>
 * ./medlake example training --api URL [--issuer URL] (--user U --password P | --client-id C --client-secret S)
 *     [--project demo] [--modality MR] [--epochs 2] [--seed 7] [--split 0.7,0.15,0.15] [--json]
 * </pre>
 */
public final class TrainingLoopExample {
    private TrainingLoopExample() {}

    /** What the example was asked to do. */
    record Options(String project, String modality, int epochs, long seed, double train, double validation, double test,
            int threads, long budgetBytes) {}

    /** One epoch's figures. */
    record Epoch(int epoch, int volumes, long voxels, long bytes, double seconds) {
        double mbPerSecond() {
            return bytes / 1e6 / Math.max(seconds, 1e-9);
        }
    }

    /** What a run did and measured. */
    record Report(CohortVersion version, int instances, int series, int patients, int trainSeries, int validationSeries,
            int testSeries, List<Epoch> epochs, double mean, double std, double validationMeanAbsZ,
            int validationVolumes) {}

    public static void main(String[] args) {
        ExampleLogin login = new ExampleLogin();
        String project = "demo", modality = "MR";
        int epochs = 2;
        long seed = 7;
        double[] split = {0.7, 0.15, 0.15};
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            int taken = login.accept(args, i);
            if (taken >= 0) {
                i = taken;
                continue;
            }
            switch (args[i]) {
                case "--project" -> project = args[++i];
                case "--modality" -> modality = args[++i];
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--split" -> {
                    String[] p = args[++i].split(",");
                    if (p.length != 3) {
                        ExampleLogin.usage("--split takes three fractions, e.g. 0.7,0.15,0.15");
                    }
                    split = new double[] {Double.parseDouble(p[0]), Double.parseDouble(p[1]), Double.parseDouble(p[2])};
                }
                case "--json" -> json = true;
                case "--help", "-h" -> {
                    System.out.println("usage: ./medlake example training " + ExampleLogin.USAGE
                            + " [--project demo] [--modality MR] [--epochs 2] [--seed 7] [--split 0.7,0.15,0.15] [--json]");
                    return;
                }
                default -> ExampleLogin.usage("unknown argument '" + args[i] + "'");
            }
        }
        login.requireComplete();
        Options options = new Options(project, modality, epochs, seed, split[0], split[1], split[2], 4, 256L << 20);
        try (MedlakeClient client = login.connect()) {
            Report r = run(client, options, "training-example-" + System.currentTimeMillis(), System.out);
            if (json) {
                System.out.println(toJson(r));
            }
        } catch (MedlakeException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Runs the loop as the logged-in user of {@code client}: creates cohort {@code cohortName} in the project, freezes
     * it, splits, trains and validates, printing progress to {@code out}.
     */
    static Report run(MedlakeClient client, Options o, String cohortName, PrintStream out) {
        client.createCohort(o.project(), cohortName, Query.eq("modality", o.modality()),
                "Training loop example: every " + o.modality() + " series");
        CohortVersion version = client.freezeCohort(o.project(), cohortName);
        CohortManifest manifest = client.manifest(o.project(), cohortName, version.version());
        out.printf(Locale.ROOT, "cohort %s v%d: %d instances, %d series, %d patients%n", cohortName, version.version(),
                manifest.entries().size(), count(manifest.entries(), ManifestEntry::seriesInstanceUid),
                count(manifest.entries(), ManifestEntry::patientKey));

        TrainValTestSplit split = Splits.trainValTest(manifest, o.seed(), o.train(), o.validation(), o.test());
        int trainSeries = count(split.train(), ManifestEntry::seriesInstanceUid);
        int validationSeries = count(split.validation(), ManifestEntry::seriesInstanceUid);
        int testSeries = count(split.test(), ManifestEntry::seriesInstanceUid);
        out.printf(Locale.ROOT, "split (seed %d, by patient): train %d series, validation %d, test %d%n", o.seed(),
                trainSeries, validationSeries, testSeries);

        VolumeDataset train = VolumeDataset.of(client, version, split.train()).shuffle(o.seed())
                .prefetch(o.threads(), o.budgetBytes());
        List<Epoch> epochs = new ArrayList<>();
        // The "model": running intensity moments, learned over the epochs (Welford's update keeps it stable).
        long n = 0;
        double mean = 0;
        double m2 = 0;
        for (int e = 0; e < o.epochs(); e++) {
            long start = System.nanoTime();
            int volumes = 0;
            long voxels = 0;
            long bytes = 0;
            try (VolumeIterator it = train.iterator(e)) {
                while (it.hasNext()) {
                    Volume v = it.next().volume();
                    volumes++;
                    voxels += v.voxelCount();
                    bytes += v.data().remaining();
                    for (long i = 0; i < v.voxelCount(); i += 7) { // a strided sample is enough to normalise with
                        double x = v.value(i);
                        n++;
                        double d = x - mean;
                        mean += d / n;
                        m2 += d * (x - mean);
                    }
                }
            }
            Epoch epoch = new Epoch(e, volumes, voxels, bytes, (System.nanoTime() - start) / 1e9);
            epochs.add(epoch);
            out.printf(Locale.ROOT, "epoch %d: %d volumes, %.1f MB of voxels in %.2f s (%.1f MB/s), mean %.1f%n", e,
                    volumes, bytes / 1e6, epoch.seconds(), epoch.mbPerSecond(), mean);
        }
        double std = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;

        // Validation: how far, in standard deviations, the held-out patients' voxels lie from the learned mean.
        double sumAbsZ = 0;
        long count = 0;
        int validationVolumes = 0;
        try (VolumeIterator it = VolumeDataset.of(client, version, split.validation()).iterator(0)) {
            while (it.hasNext()) {
                VolumeSample s = it.next();
                validationVolumes++;
                Volume v = s.volume();
                ByteBuffer voxels = v.data(); // what a tensor library would wrap without copying
                if (!voxels.isDirect()) {
                    throw new IllegalStateException("volume of " + s.seriesInstanceUid() + " is not in a direct buffer");
                }
                for (long i = 0; i < v.voxelCount(); i += 7) {
                    sumAbsZ += std > 0 ? Math.abs(v.value(i) - mean) / std : 0;
                    count++;
                }
            }
        }
        double meanAbsZ = count > 0 ? sumAbsZ / count : 0;
        out.printf(Locale.ROOT, "validation: %d volumes, mean |z| %.3f under the learned normalisation (mean %.1f, std %.1f)%n",
                validationVolumes, meanAbsZ, mean, std);
        return new Report(version, manifest.entries().size(), count(manifest.entries(), ManifestEntry::seriesInstanceUid),
                count(manifest.entries(), ManifestEntry::patientKey), trainSeries, validationSeries, testSeries,
                List.copyOf(epochs), mean, std, meanAbsZ, validationVolumes);
    }

    static String toJson(Report r) {
        double seconds = r.epochs().stream().mapToDouble(Epoch::seconds).sum();
        long bytes = r.epochs().stream().mapToLong(Epoch::bytes).sum();
        return String.format(Locale.ROOT, "{\"cohort\":\"%s\",\"version\":%d,\"instances\":%d,\"series\":%d,"
                + "\"patients\":%d,\"train_series\":%d,\"validation_series\":%d,\"test_series\":%d,\"epochs\":%d,"
                + "\"volumes_per_epoch\":%d,\"mb_per_s\":%.2f,\"validation_volumes\":%d}", r.version().cohort(),
                r.version().version(), r.instances(), r.series(), r.patients(), r.trainSeries(), r.validationSeries(),
                r.testSeries(), r.epochs().size(), r.epochs().isEmpty() ? 0 : r.epochs().get(0).volumes(),
                bytes / 1e6 / Math.max(seconds, 1e-9), r.validationVolumes());
    }

    private static <T> int count(List<T> items, java.util.function.Function<T, String> key) {
        Set<String> keys = new LinkedHashSet<>();
        for (T t : items) {
            keys.add(key.apply(t));
        }
        return keys.size();
    }
}
