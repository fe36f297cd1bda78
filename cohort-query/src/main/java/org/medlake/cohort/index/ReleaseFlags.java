package org.medlake.cohort.index;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.Refresh;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.medlake.cohort.release.ReleasePolicy;

/**
 * The release fields of a series document ({@code released}, {@code deid_override}) and their in-place update,
 * used when an override changes a series' release without a full re-index. Thread-safe.
 */
public final class ReleaseFlags {
    /** Document field: the series passes the release rule (search filters on it). */
    public static final String RELEASED = "released";
    /** Document field: released only thanks to a project admin's de-identification override. */
    public static final String DEID_OVERRIDE = "deid_override";

    private final ElasticsearchClient client;
    private final String esUrl;
    private final String alias;

    /** Updates documents through {@code alias} (which must point at one index). */
    public ReleaseFlags(ElasticsearchClient client, String esUrl, String alias) {
        this.client = Objects.requireNonNull(client);
        this.esUrl = esUrl;
        this.alias = Objects.requireNonNull(alias);
    }

    /** The two document fields for an outcome. */
    public static Map<String, Object> fields(ReleasePolicy.Outcome outcome) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(RELEASED, outcome.released());
        m.put(DEID_OVERRIDE, outcome.byOverride());
        return m;
    }

    /**
     * Sets the release fields of the series' document and waits until search sees them.
     *
     * @return false if the series has no document (not indexed yet; the next index run writes the fields)
     * @throws org.medlake.cohort.CohortException EXTERNAL when Elasticsearch fails
     */
    public boolean update(String seriesInstanceUid, ReleasePolicy.Outcome outcome) {
        try {
            client.update(u -> u.index(alias).id(seriesInstanceUid).doc(fields(outcome)).refresh(Refresh.WaitFor), Map.class);
            return true;
        } catch (ElasticsearchException e) {
            if ("document_missing_exception".equals(e.error().type()) || "index_not_found_exception".equals(e.error().type())) {
                return false;
            }
            throw SeriesIndex.unreachable(esUrl, "updating the release of series " + seriesInstanceUid, e);
        } catch (IOException e) {
            throw SeriesIndex.unreachable(esUrl, "updating the release of series " + seriesInstanceUid, e);
        }
    }
}
