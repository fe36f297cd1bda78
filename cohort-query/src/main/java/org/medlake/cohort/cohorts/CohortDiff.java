package org.medlake.cohort.cohorts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The difference between two member lists (e.g. versions {@code from} and {@code to} of a cohort). Pure and
 * immutable; every list is sorted by UID.
 *
 * @param seriesAdded    series in {@code to} only
 * @param seriesRemoved  series in {@code from} only
 * @param seriesChanged  series in both whose instances differ
 * @param seriesUnchanged number of series in both with identical instances (same SOP UIDs and SHA-256)
 */
public record CohortDiff(List<String> seriesAdded, List<String> seriesRemoved, List<SeriesChange> seriesChanged,
                         int seriesUnchanged) {
    public CohortDiff {
        seriesAdded = List.copyOf(seriesAdded);
        seriesRemoved = List.copyOf(seriesRemoved);
        seriesChanged = List.copyOf(seriesChanged);
    }

    /**
     * How the instances of one series differ.
     *
     * @param instancesAdded   SOP UIDs in {@code to} only
     * @param instancesRemoved SOP UIDs in {@code from} only
     * @param instancesChanged SOP UIDs in both whose SHA-256 differs
     */
    public record SeriesChange(String seriesInstanceUid, List<String> instancesAdded, List<String> instancesRemoved,
                               List<String> instancesChanged) {
        public SeriesChange {
            instancesAdded = List.copyOf(instancesAdded);
            instancesRemoved = List.copyOf(instancesRemoved);
            instancesChanged = List.copyOf(instancesChanged);
        }
    }

    /** True when both lists have the same instances with the same bytes. */
    public boolean identical() {
        return seriesAdded.isEmpty() && seriesRemoved.isEmpty() && seriesChanged.isEmpty();
    }

    /** Compares {@code from} with {@code to}. */
    public static CohortDiff between(List<Member> from, List<Member> to) {
        Map<String, Map<String, String>> a = bySeries(from);
        Map<String, Map<String, String>> b = bySeries(to);
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<SeriesChange> changed = new ArrayList<>();
        int unchanged = 0;
        TreeSet<String> all = new TreeSet<>(a.keySet());
        all.addAll(b.keySet());
        for (String s : all) {
            Map<String, String> x = a.get(s);
            Map<String, String> y = b.get(s);
            if (x == null) {
                added.add(s);
            } else if (y == null) {
                removed.add(s);
            } else if (x.equals(y)) {
                unchanged++;
            } else {
                List<String> ia = new ArrayList<>();
                List<String> ir = new ArrayList<>();
                List<String> ic = new ArrayList<>();
                TreeSet<String> sops = new TreeSet<>(x.keySet());
                sops.addAll(y.keySet());
                for (String sop : sops) {
                    if (!x.containsKey(sop)) {
                        ia.add(sop);
                    } else if (!y.containsKey(sop)) {
                        ir.add(sop);
                    } else if (!Objects.equals(x.get(sop), y.get(sop))) {
                        ic.add(sop);
                    }
                }
                changed.add(new SeriesChange(s, ia, ir, ic));
            }
        }
        return new CohortDiff(added, removed, changed, unchanged);
    }

    private static Map<String, Map<String, String>> bySeries(List<Member> members) {
        Map<String, Map<String, String>> m = new TreeMap<>();
        for (Member x : members) {
            m.computeIfAbsent(x.seriesInstanceUid(), k -> new TreeMap<>()).put(x.sopInstanceUid(), x.sha256());
        }
        return m;
    }
}
