package org.medlake.cohort.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.medlake.cohort.search.Facets;

/** Random search requests of the criteria language over the fields {@link SyntheticSeriesDocs} fills. */
final class RandomQueries {
    private RandomQueries() {}

    /** A request body: 1-4 random clauses (and, sometimes or/not), size 0, every facet. */
    static String request(SplittableRandom r) {
        int n = 1 + r.nextInt(4);
        List<String> clauses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clauses.add(clause(r));
        }
        String query;
        if (n == 1) {
            query = clauses.get(0);
        } else if (r.nextInt(5) == 0) {
            query = "{\"and\":[" + clauses.get(0) + ",{\"or\":[" + String.join(",", clauses.subList(1, n)) + "]}]}";
        } else {
            query = "{\"and\":[" + String.join(",", clauses) + "]}";
        }
        return "{\"query\":" + query + ",\"size\":0,\"facets\":[\"" + String.join("\",\"", Facets.all().keySet()) + "\"]}";
    }

    /** The caller's projects: 1 to 3 distinct projects. */
    static List<String> projects(SplittableRandom r, List<String> all) {
        int n = 1 + r.nextInt(3);
        List<String> out = new ArrayList<>();
        while (out.size() < n) {
            String p = all.get(SyntheticSeriesDocs.zipf(r, all.size()));
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    private static String clause(SplittableRandom r) {
        return switch (r.nextInt(12)) {
            case 0 -> "{\"eq\":{\"modality\":\"" + SyntheticSeriesDocs.pick(r, SyntheticSeriesDocs.MODALITIES,
                    SyntheticSeriesDocs.MODALITY_WEIGHTS) + "\"}}";
            case 1 -> "{\"in\":{\"modality\":[\"MR\",\"" + SyntheticSeriesDocs.pick(r, SyntheticSeriesDocs.MODALITIES,
                    SyntheticSeriesDocs.MODALITY_WEIGHTS) + "\"]}}";
            case 2 -> {
                int lo = r.nextInt(80);
                yield "{\"range\":{\"patient_age_years\":{\"gte\":" + lo + ",\"lt\":" + (lo + 5 + r.nextInt(30)) + "}}}";
            }
            case 3 -> "{\"eq\":{\"patient_sex\":\"" + (r.nextBoolean() ? "F" : "M") + "\"}}";
            case 4 -> "{\"in\":{\"manufacturer\":[\"SIEMENS\",\"" + SyntheticSeriesDocs.pick(r,
                    SyntheticSeriesDocs.MANUFACTURERS, SyntheticSeriesDocs.MANUFACTURER_WEIGHTS) + "\"]}}";
            case 5 -> "{\"prefix\":{\"site\":\"site-0\"}}";
            case 6 -> "{\"range\":{\"magnetic_field_strength\":{\"gte\":" + (r.nextBoolean() ? "1.5" : "3") + "}}}";
            case 7 -> "{\"in\":{\"series_type\":[\"T1W\",\"FLAIR\",\"CONTRAST\"]}}";
            case 8 -> "{\"exists\":\"body_part_examined\"}";
            case 9 -> "{\"not\":{\"eq\":{\"qa_status\":\"FAIL\"}}}";
            case 10 -> "{\"match\":{\"series_description\":\"" + (r.nextBoolean() ? "axial brain" : "contrast") + "\"}}";
            default -> {
                int year = 2010 + r.nextInt(14);
                yield "{\"range\":{\"study_date\":{\"gte\":\"" + year + "-01-01\",\"lt\":\"" + (year + 1 + r.nextInt(3)) + "-01-01\"}}}";
            }
        };
    }
}
