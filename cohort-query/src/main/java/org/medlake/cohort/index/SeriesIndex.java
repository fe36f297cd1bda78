package org.medlake.cohort.index;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import java.io.IOException;
import java.util.List;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.medlake.cohort.CohortException;

/**
 * Names of the series index (docs/contracts.md) and a factory for Elasticsearch clients.
 */
public final class SeriesIndex {
    private SeriesIndex() {}

    /** Alias every reader uses. */
    public static final String ALIAS = "medlake-series";
    /** The live concrete index behind {@link #ALIAS}. */
    public static final String INDEX_V1 = "medlake-series-v1";
    /** Name of the composable index template (patterns {@code medlake-series-*}). */
    public static final String TEMPLATE_NAME = "medlake-series";
    /** Classpath location of {@code infra/elasticsearch/series-template.json}. */
    public static final String TEMPLATE_RESOURCE = "/elasticsearch/series-template.json";
    /** Default Elasticsearch URL when neither an option nor {@code MEDLAKE_ES_URL} is given. */
    public static final String DEFAULT_ES_URL = "http://127.0.0.1:9200";

    /**
     * The alias and concrete index an indexer/search works on. Production uses {@link #DEFAULT}; tests use
     * {@link #isolated} so they never touch the live index. The concrete index must match {@code medlake-series-*}
     * so that the template applies.
     */
    public record Names(String alias, String index) {
        public Names {
            if (!index.startsWith("medlake-series-")) {
                throw new IllegalArgumentException("index '" + index + "' does not match the template pattern medlake-series-*");
            }
        }
    }

    /** The contract's names: alias {@value #ALIAS} on index {@value #INDEX_V1}. */
    public static final Names DEFAULT = new Names(ALIAS, INDEX_V1);

    /** Names for an isolated copy: alias {@code medlake-series-<tag>}, index {@code medlake-series-<tag>-v1}. */
    public static Names isolated(String tag) {
        String t = tag.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
        return new Names(ALIAS + "-" + t, ALIAS + "-" + t + "-v1");
    }

    /**
     * Document fields, in the order of the contract: the series fields from {@code instances}, then the curation
     * fields from {@code series_curation} (absent for never-curated series), then {@code released} and
     * {@code deid_override} (always present).
     */
    public static final List<String> DOCUMENT_FIELDS = List.of("series_instance_uid", "study_instance_uid", "patient_id",
            "modality", "project", "site", "series_description", "study_description", "study_date", "body_part_examined",
            "manufacturer", "patient_sex", "patient_age_years", "series_number", "instance_count", "size_bytes",
            "sop_class_uid", "series_type", "series_type_confidence", "deid_status", "completeness_status", "qa_status",
            "classification_attributes", ReleaseFlags.RELEASED, ReleaseFlags.DEID_OVERRIDE);

    /** {@code explicit} if non-blank, else env {@code MEDLAKE_ES_URL}, else {@value #DEFAULT_ES_URL}. */
    public static String esUrl(String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        String env = System.getenv("MEDLAKE_ES_URL");
        return env != null && !env.isBlank() ? env : DEFAULT_ES_URL;
    }

    /**
     * A client for the Elasticsearch at {@code url} (e.g. {@code http://127.0.0.1:9200}). Close it with
     * {@link #close(ElasticsearchClient)}. No request is made here.
     *
     * @throws CohortException USER_ERROR if the URL is malformed
     */
    public static ElasticsearchClient connect(String url) {
        HttpHost host;
        try {
            host = HttpHost.create(url);
        } catch (IllegalArgumentException e) {
            throw new CohortException(CohortException.ErrorCode.USER_ERROR, "Elasticsearch URL '" + url
                    + "' is malformed: " + e.getMessage() + ". Give it as http://HOST:PORT.", e);
        }
        RestClient rest = RestClient.builder(host).build();
        return new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper()));
    }

    /** Closes the client's transport, ignoring errors. */
    public static void close(ElasticsearchClient client) {
        try {
            client._transport().close();
        } catch (IOException ignored) {
            // closing a connection pool; nothing to do
        }
    }

    static CohortException unreachable(String url, String action, Exception e) {
        return new CohortException(CohortException.ErrorCode.EXTERNAL, "Elasticsearch request failed while " + action
                + " (" + url + "): " + e.getMessage() + ". Check that Elasticsearch is running (infra/bin/services "
                + "start) and that MEDLAKE_ES_URL/--es points to it.", e);
    }
}
