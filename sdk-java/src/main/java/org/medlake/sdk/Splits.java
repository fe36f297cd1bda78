package org.medlake.sdk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Deterministic splits of a frozen cohort version <em>by patient</em>: all instances of a patient (see
 * {@link ManifestEntry#patientKey()}) land in the same split, and no patient is in two splits.
 *
 * <p>The assignment depends only on the seed, the cohort id, the version number and the set of patients: each
 * patient's rank is the SHA-256 of {@code "medlake-split-v1|" + seed + "|" + cohortId + "|" + version + "|" +
 * patientKey}, patients are ordered by it, and the first patients go to training, the next to validation, the rest
 * to test (fold {@code i % k} for k-fold). So the same call gives the same split on any machine, whatever the order
 * of the entries passed in, and it does not use {@link java.util.Random}. Proportions are of patients (rounded to
 * whole patients), not of instances. Every returned list is sorted by series then SOP Instance UID.
 */
public final class Splits {
    private static final Comparator<ManifestEntry> ORDER = Comparator.comparing(ManifestEntry::seriesInstanceUid)
            .thenComparing(ManifestEntry::sopInstanceUid);

    private Splits() {}

    /**
     * Splits a manifest into training, validation and test sets by patient.
     *
     * @param manifest a frozen version's manifest ({@link MedlakeClient#manifest})
     * @param seed the seed; another seed gives another split
     * @param train fraction of patients for training, &gt;= 0
     * @param validation fraction of patients for validation, &gt;= 0
     * @param test fraction of patients for test, &gt;= 0; the three fractions must add up to 1
     * @throws MedlakeException ({@link MedlakeException.Kind#USER_ERROR}) if the fractions are negative or do not
     *     add up to 1
     */
    public static TrainValTestSplit trainValTest(CohortManifest manifest, long seed, double train, double validation,
            double test) {
        return trainValTest(manifest.version().cohortId(), manifest.version().version(), manifest.entries(), seed,
                train, validation, test);
    }

    /**
     * {@link #trainValTest(CohortManifest, long, double, double, double)} over entries of the version
     * {@code version} of cohort {@code cohortId}, in any order.
     */
    public static TrainValTestSplit trainValTest(String cohortId, int version, List<ManifestEntry> entries, long seed,
            double train, double validation, double test) {
        if (!(train >= 0 && validation >= 0 && test >= 0) || Math.abs(train + validation + test - 1.0) > 1e-9) {
            throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0, "The split fractions " + train + ", "
                    + validation + ", " + test + " are not valid: each must be >= 0 and together they must add up to 1. "
                    + "Pass e.g. 0.8, 0.1, 0.1.");
        }
        List<String> patients = ranked(cohortId, version, entries, seed);
        int n = patients.size();
        int trainEnd = (int) Math.round(n * train);
        int valEnd = Math.min(n, (int) Math.round(n * (train + validation)));
        Map<String, Integer> split = new HashMap<>();
        for (int i = 0; i < n; i++) {
            split.put(patients.get(i), i < trainEnd ? 0 : i < valEnd ? 1 : 2);
        }
        List<List<ManifestEntry>> out = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (ManifestEntry e : sorted(entries)) {
            out.get(split.get(e.patientKey())).add(e);
        }
        return new TrainValTestSplit(out.get(0), out.get(1), out.get(2));
    }

    /**
     * Splits a manifest into {@code k} folds by patient: every patient is in the validation set of exactly one fold
     * and in the training set of all others. Fold sizes differ by at most one patient.
     *
     * @param manifest a frozen version's manifest
     * @param k number of folds, 2 to the number of patients
     * @param seed the seed; another seed gives other folds
     * @return the folds, index 0 to k-1
     * @throws MedlakeException ({@link MedlakeException.Kind#USER_ERROR}) if {@code k} is out of range
     */
    public static List<Fold> kFold(CohortManifest manifest, int k, long seed) {
        return kFold(manifest.version().cohortId(), manifest.version().version(), manifest.entries(), k, seed);
    }

    /** {@link #kFold(CohortManifest, int, long)} over entries of version {@code version} of cohort {@code cohortId}. */
    public static List<Fold> kFold(String cohortId, int version, List<ManifestEntry> entries, int k, long seed) {
        List<String> patients = ranked(cohortId, version, entries, seed);
        if (k < 2 || k > patients.size()) {
            throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0, "k = " + k + " folds is not possible for "
                    + patients.size() + " patients: k must be at least 2 and at most the number of patients. Choose "
                    + "a k in that range.");
        }
        Map<String, Integer> foldOf = new HashMap<>();
        for (int i = 0; i < patients.size(); i++) {
            foldOf.put(patients.get(i), i % k);
        }
        List<ManifestEntry> all = sorted(entries);
        List<Fold> folds = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            List<ManifestEntry> train = new ArrayList<>();
            List<ManifestEntry> val = new ArrayList<>();
            for (ManifestEntry e : all) {
                (foldOf.get(e.patientKey()) == f ? val : train).add(e);
            }
            folds.add(new Fold(f, train, val));
        }
        return List.copyOf(folds);
    }

    /** The distinct patient keys ordered by their seeded hash (ties, impossible in practice, by the key). */
    private static List<String> ranked(String cohortId, int version, List<ManifestEntry> entries, long seed) {
        Objects.requireNonNull(cohortId, "cohortId");
        Map<String, String> rank = new TreeMap<>();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new MedlakeException(MedlakeException.Kind.INTERNAL, 0, "This JVM has no SHA-256", e);
        }
        for (ManifestEntry e : entries) {
            rank.computeIfAbsent(e.patientKey(), p -> HexFormat.of().formatHex(sha.digest(("medlake-split-v1|" + seed
                    + "|" + cohortId + "|" + version + "|" + p).getBytes(StandardCharsets.UTF_8))));
        }
        List<String> patients = new ArrayList<>(rank.keySet());
        patients.sort(Comparator.comparing((String p) -> rank.get(p)).thenComparing(p -> p));
        return patients;
    }

    private static List<ManifestEntry> sorted(List<ManifestEntry> entries) {
        List<ManifestEntry> copy = new ArrayList<>(entries);
        copy.sort(ORDER);
        return copy;
    }
}
