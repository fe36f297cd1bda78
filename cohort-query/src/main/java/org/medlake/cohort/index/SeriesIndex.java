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
 * Names of the series index (docs/contracts.md, docs/search.md) and a factory for Elasticsearch clients.
 */
public final class SeriesIndex {
    private SeriesIndex() {}

    /** Alias every reader uses. */
    public static final String ALIAS = "medlake-series";
    /** Name of the composable index template (patterns {@code medlake-series-*}). */
    public static final String TEMPLATE_NAME = "medlake-series";
    /** Classpath location of {@code infra/elasticsearch/series-template.json}. */
    public static final String TEMPLATE_RESOURCE = "/elasticsearch/series-template.json";
    /** Default Elasticsearch URL when neither an option nor {@code MEDLAKE_ES_URL} is given. */
    public static final String DEFAULT_ES_URL = "http://127.0.0.1:9200";

    /**
     * The alias readers use and the prefix of the concrete indices behind it. Concrete indices are named
     * {@code <indexPrefix>-v<template version>-<UTC timestamp>} ({@link #newIndexName}); the alias points at exactly
     * one of them, and a rebuild creates the next one and moves the alias atomically. Production uses
     * {@link #DEFAULT}; tests and benchmarks use {@link #isolated} so they never touch the live index. The prefix must
     * match {@code medlake-series-*} or be {@code medlake-series} itself, so that the template applies.
     */
    public record Names(String alias, String indexPrefix) {
        public Names {
            if (!indexPrefix.equals(ALIAS) && !indexPrefix.startsWith(ALIAS + "-")) {
                throw new IllegalArgumentException("index prefix '" + indexPrefix + "' does not match the template pattern "
                        + "medlake-series-*");
            }
        }

        /** A fresh concrete index name for {@code templateVersion}, e.g. {@code medlake-series-v3-20260101t120000123}. */
        public String newIndexName(int templateVersion) {
            String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd't'HHmmssSSS")
                    .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
            return indexPrefix + "-v" + templateVersion + "-" + stamp;
        }

        /** The wildcard pattern of all concrete indices of these names (older ones included). */
        public String indexPattern() {
            return indexPrefix + "-v*";
        }
    }

    /** The contract's names: alias {@value #ALIAS} on indices {@code medlake-series-v<version>-<timestamp>}. */
    public static final Names DEFAULT = new Names(ALIAS, ALIAS);

    /** Names for an isolated copy: alias and index prefix {@code medlake-series-<tag>}. */
    public static Names isolated(String tag) {
        String t = tag.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
        return new Names(ALIAS + "-" + t, ALIAS + "-" + t);
    }

    /**
     * Deletes the alias and every concrete index behind it or named with its prefix (tests, benchmarks). Idempotent.
     *
     * @throws CohortException EXTERNAL when Elasticsearch fails
     */
    public static void drop(ElasticsearchClient client, Names names) {
        try {
            java.util.Set<String> indices = new java.util.TreeSet<>();
            if (client.indices().existsAlias(a -> a.name(names.alias())).value()) {
                indices.addAll(client.indices().getAlias(a -> a.name(names.alias())).result().keySet());
            }
            indices.addAll(client.indices().get(g -> g.index(names.indexPattern()).allowNoIndices(true)
                    .ignoreUnavailable(true)).result().keySet());
            for (String index : indices) {
                client.indices().delete(d -> d.index(index).ignoreUnavailable(true));
            }
        } catch (IOException | co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
            throw unreachable("the client's URL", "dropping " + names.alias() + " and its indices", e);
        }
    }

    /**
     * Document fields, in the order of the contract: the series fields from {@code instances}, then the curation
     * fields from {@code series_curation} (absent for never-curated series), then {@code released} and
     * {@code deid_override} (always present), then the facet bucket fields
     * ({@link org.medlake.cohort.search.Facets#BUCKET_FIELDS}, internal: search results leave them out).
     */
    public static final List<String> DOCUMENT_FIELDS = List.of("series_instance_uid", "study_instance_uid", "patient_id",
            "modality", "project", "site", "series_description", "study_description", "study_date", "body_part_examined",
            "manufacturer", "patient_sex", "patient_age_years", "magnetic_field_strength", "series_number", "instance_count", "size_bytes",
            "sop_class_uid", "series_type", "series_type_confidence", "deid_status", "completeness_status", "qa_status",
            "classification_attributes", ReleaseFlags.RELEASED, ReleaseFlags.DEID_OVERRIDE, "patient_age_bucket",
            "magnetic_field_strength_bucket");

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
