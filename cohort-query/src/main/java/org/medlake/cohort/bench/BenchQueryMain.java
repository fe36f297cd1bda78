package org.medlake.cohort.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.medlake.cohort.CohortException;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.index.SeriesIndexer;
import org.medlake.cohort.search.SearchRequest;
import org.medlake.cohort.search.SearchRequestParser;
import org.medlake.cohort.search.SeriesSearch;

/**
 * Command line: {@code bench query --series N [--queries Q] [--threads T] [--seed S] [--keep] [--reuse] [--es URL] [--json]}.
 *
 * <p>Measures the search on the real Elasticsearch: generates N series documents ({@link SyntheticSeriesDocs}),
 * bulk-loads them with T parallel writers into an isolated index ({@code medlake-series-bench}, same template as the
 * live index; replicas 0 and refresh disabled during the load, restored after), then runs Q count+facet searches
 * (after Q/10 warm-up searches that are not counted). After the load the index is force-merged to one segment, as
 * {@code medlake index --rebuild} does before it swaps the alias (timed and printed, not part of the indexing rate),
 * and Elasticsearch's request cache is bypassed, so every search does its work. Each search is a random request of the criteria language
 * (1 to 4 clauses among eq, in, range, prefix, exists, match, not, and/or), with size 0 and all facets, parsed by
 * {@link SearchRequestParser} and run by {@link SeriesSearch} for a random set of 1 to 3 projects, i.e. exactly
 * the server's path minus HTTP. Latency is measured around the search call, one search at a time.
 *
 * <p>With {@code --json} the last line is
 * {@code {"series_indexed":N,"queries":Q,"p50_ms":x,"p99_ms":y,"index_docs_per_s":z}}, where the indexing rate
 * covers the bulk load plus the final refresh. The bench index is deleted at the end unless {@code --keep};
 * {@code --reuse} keeps it and, when it already holds N documents, skips the load (no indexing figure: null), to
 * measure searches again. Defaults: 1000 queries, 3 writers, seed 42.
 * Exit codes: 0 ok, 2 usage error, 1 failure.
 */
public final class BenchQueryMain {
    private BenchQueryMain() {}

    static final String USAGE = "usage: bench query --series N [--queries Q] [--threads T] [--seed S] [--keep] [--reuse] [--es URL] [--json]";
    private static final int BATCH = 5000;
    /** Plain Jackson with an unclosed stream per document (the bulk body is one buffer). */
    private static final ObjectMapper NDJSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);

    public static void main(String[] args) {
        System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        System.setProperty("log4j2.simplelogLevel", "WARN");
        System.exit(run(args));
    }

    /** Runs the benchmark and returns the exit code. */
    public static int run(String[] args) {
        long series = -1;
        int queries = 1000;
        int threads = 3;
        long seed = 42;
        boolean keep = false;
        boolean reuse = false;
        boolean json = false;
        String es = null;
        int i = 0;
        if (i < args.length && args[i].equals("query")) {
            i++;
        }
        try {
            for (; i < args.length; i++) {
                switch (args[i]) {
                    case "--series" -> series = Long.parseLong(args[++i]);
                    case "--queries" -> queries = Integer.parseInt(args[++i]);
                    case "--threads" -> threads = Integer.parseInt(args[++i]);
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--es" -> es = args[++i];
                    case "--keep" -> keep = true;
                    case "--reuse" -> reuse = true;
                    case "--json" -> json = true;
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage() + ". " + USAGE);
            return 2;
        }
        if (series < 1 || queries < 1 || threads < 1) {
            System.err.println("error: --series N (N >= 1) is required; --queries and --threads must be positive. " + USAGE);
            return 2;
        }
        String url = SeriesIndex.esUrl(es);
        ElasticsearchClient client = SeriesIndex.connect(url);
        SeriesIndex.Names names = SeriesIndex.isolated("bench");
        try {
            double docsPerSecond = Double.NaN;
            long existing = reuse && client.indices().existsAlias(a -> a.name(names.alias())).value()
                    ? client.count(c -> c.index(names.alias())).count() : -1;
            if (existing == series) {
                System.err.printf("bench query: reusing the %d series of %s (--reuse); no indexing figure%n", series, names.alias());
            } else {
                docsPerSecond = load(client, url, names, series, threads, seed);
            }
            keep |= reuse;

            SeriesSearch search = new SeriesSearch(client, url, names).withoutRequestCache();
            SearchRequestParser parser = new SearchRequestParser();
            ObjectMapper mapper = new ObjectMapper();
            SplittableRandom random = new SplittableRandom(seed + 1 + System.nanoTime());
            List<String> projects = SyntheticSeriesDocs.projects();
            int warmup = Math.max(10, queries / 10);
            long[] nanos = new long[queries];
            long matched = 0;
            for (int q = -warmup; q < queries; q++) {
                String body = RandomQueries.request(random);
                List<String> caller = RandomQueries.projects(random, projects);
                SearchRequest request = parser.parse(mapper.readTree(body));
                long s = System.nanoTime();
                SeriesSearch.Result result = search.search(request, caller);
                long took = System.nanoTime() - s;
                if (q >= 0) {
                    nanos[q] = took;
                    matched += result.total();
                }
            }
            Arrays.sort(nanos);
            double p50 = nanos[(int) Math.min(queries - 1, Math.ceil(queries * 0.50) - 1)] / 1e6;
            double p99 = nanos[(int) Math.min(queries - 1, Math.ceil(queries * 0.99) - 1)] / 1e6;
            double max = nanos[queries - 1] / 1e6;
            System.out.printf("%d series indexed at %.0f docs/s; %d count+facet searches (all %d facets, 1-3 projects, "
                            + "mean %d matches): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", series, docsPerSecond, queries,
                    org.medlake.cohort.search.Facets.all().size(), matched / queries, p50, p99, max);
            if (json) {
                System.out.printf(java.util.Locale.ROOT, "{\"series_indexed\":%d,\"queries\":%d,\"p50_ms\":%.1f,\"p99_ms\":%.1f,"
                        + "\"index_docs_per_s\":%s}%n", series, queries, p50, p99,
                        Double.isNaN(docsPerSecond) ? "null" : String.valueOf(Math.round(docsPerSecond)));
            }
            return 0;
        } catch (CohortException e) {
            System.err.println("error [" + e.code() + "]: " + e.getMessage());
            return e.code() == CohortException.ErrorCode.USER_ERROR ? 2 : 1;
        } catch (IOException | ElasticsearchException e) {
            System.err.println("error [EXTERNAL]: Elasticsearch at " + url + " failed: " + e.getMessage()
                    + ". Check that it runs (./medlake services start) and has heap for the documents (ES_JAVA_OPTS).");
            return 1;
        } finally {
            if (!keep) {
                try {
                    SeriesIndex.drop(client, names);
                } catch (CohortException e) {
                    System.err.println("warning: could not delete the bench index: " + e.getMessage());
                }
            }
            SeriesIndex.close(client);
        }
    }

    /** Creates the bench index, loads it, merges it and returns the rate (documents per second, refresh included). */
    private static double load(ElasticsearchClient client, String url, SeriesIndex.Names names, long series, int threads, long seed)
            throws IOException {
        SeriesIndex.drop(client, names);
        int templateVersion = new SeriesIndexer(client, new DeltaTableReader(), url, names).putTemplate();
        String index = names.newIndexName(templateVersion);
        client.indices().create(c -> c.index(index).aliases(names.alias(), a -> a)
                    .settings(s -> s.numberOfReplicas("0").refreshInterval(t -> t.time("-1"))
                        .translog(t -> t.durability(co.elastic.clients.elasticsearch.indices.TranslogDurability.Async))));
        System.err.printf("bench query: loading %d series into %s with %d writers%n", series, index, threads);
        long t0 = System.nanoTime();
        load(client, index, new SyntheticSeriesDocs(seed), series, threads);
        client.indices().putSettings(p -> p.index(index).settings(s -> s.refreshInterval(t -> t.time("1s"))
                .translog(t -> t.durability(co.elastic.clients.elasticsearch.indices.TranslogDurability.Request))));
        client.indices().refresh(r -> r.index(index));
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        long m0 = System.nanoTime();
        client.indices().forcemerge(f -> f.index(index).maxNumSegments(1L));
        System.err.printf("bench query: merged to one segment in %.1f s (as medlake index --rebuild does; not in the rate)%n",
                (System.nanoTime() - m0) / 1e9);
        double docsPerSecond = series / loadSeconds;
        long count = client.count(c -> c.index(index)).count();
        if (count != series) {
            throw new CohortException(CohortException.ErrorCode.INTERNAL, "The bench index holds " + count
                    + " documents after loading " + series + "; the load lost documents.");
        }
        System.err.printf("bench query: indexed %d series in %.1f s (%.0f docs/s)%n", series, loadSeconds, docsPerSecond);

        return docsPerSecond;
    }

    private static void load(ElasticsearchClient client, String index, SyntheticSeriesDocs docs, long total, int threads)
            throws IOException {
        AtomicLong next = new AtomicLong();
        org.elasticsearch.client.RestClient rest =
                ((co.elastic.clients.transport.rest_client.RestClientTransport) client._transport()).restClient();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    while (true) {
                        long from = next.getAndAdd(BATCH);
                        if (from >= total) {
                            return null;
                        }
                        List<Map<String, Object>> batch = docs.range(from, Math.min(total, from + BATCH));
                        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(batch.size() * 900);
                        for (Map<String, Object> doc : batch) {
                            body.write(("{\"index\":{\"_id\":\"" + doc.get("series_instance_uid") + "\"}}\n")
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                            NDJSON.writeValue(body, doc);
                            body.write('\n');
                        }
                        org.elasticsearch.client.Request request = new org.elasticsearch.client.Request("POST", "/" + index + "/_bulk");
                        request.addParameter("filter_path", "errors,items.*.error,items.*._id");
                        request.setEntity(new org.apache.http.entity.ByteArrayEntity(body.toByteArray(),
                                org.apache.http.entity.ContentType.create("application/x-ndjson")));
                        org.elasticsearch.client.Response response = rest.performRequest(request);
                        com.fasterxml.jackson.databind.JsonNode answer = NDJSON.readTree(response.getEntity().getContent());
                        if (answer.path("errors").asBoolean(true)) {
                            throw new CohortException(CohortException.ErrorCode.INTERNAL, "Elasticsearch rejected bench "
                                    + "documents: " + answer.toString().substring(0, Math.min(500, answer.toString().length())));
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IOException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
