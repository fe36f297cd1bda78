package org.medlake.cohort.testing;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.index.SeriesIndexer;

/**
 * Test fixture: an isolated series index (the production template, alias {@code names.alias()}) filled directly with
 * given documents, e.g. from {@link org.medlake.cohort.bench.SyntheticSeriesDocs}, for search tests that need many
 * series with known values. Indexing from Delta is tested separately.
 */
public final class SearchTestIndex {
    private SearchTestIndex() {}

    /** Drops whatever {@code names} had, creates a fresh index behind its alias, loads {@code docs} and refreshes. */
    public static void load(ElasticsearchClient es, String url, SeriesIndex.Names names, List<Map<String, Object>> docs)
            throws IOException {
        SeriesIndex.drop(es, names);
        int version = new SeriesIndexer(es, new DeltaTableReader(), url, names).putTemplate();
        String index = names.newIndexName(version);
        es.indices().create(c -> c.index(index).aliases(names.alias(), a -> a));
        for (int from = 0; from < docs.size(); from += 1000) {
            BulkRequest.Builder b = new BulkRequest.Builder().index(index);
            for (Map<String, Object> doc : docs.subList(from, Math.min(docs.size(), from + 1000))) {
                b.operations(op -> op.index(i -> i.id((String) doc.get("series_instance_uid")).document(doc)));
            }
            var response = es.bulk(b.build());
            if (response.errors()) {
                throw new IllegalStateException("bulk failed: " + response.items().stream()
                        .filter(i -> i.error() != null).findFirst().orElseThrow().error().reason());
            }
        }
        es.indices().refresh(r -> r.index(index));
    }
}
