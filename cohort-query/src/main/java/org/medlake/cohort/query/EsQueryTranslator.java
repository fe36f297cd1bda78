package org.medlake.cohort.query;

import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import org.medlake.cohort.query.SeriesFields.Type;

/**
 * Translates a {@link Criteria} tree into an Elasticsearch query over the series index (mapping:
 * {@code infra/elasticsearch/series-template.json}). Everything runs in filter context (no scoring); results are
 * ordered by the caller. Exact comparisons (eq, in, prefix) on text fields use their {@code .keyword} sub-field.
 * Stateless and thread-safe.
 */
public final class EsQueryTranslator {

    /** The query for {@code criteria} alone. */
    public Query translate(Criteria criteria) {
        if (criteria instanceof Criteria.All) {
            return Query.of(q -> q.matchAll(m -> m));
        } else if (criteria instanceof Criteria.Eq e) {
            return Query.of(q -> q.term(t -> t.field(exactField(e.field())).value(fieldValue(e.value()))));
        } else if (criteria instanceof Criteria.In in) {
            return Query.of(q -> q.terms(t -> t.field(exactField(in.field()))
                    .terms(v -> v.value(in.values().stream().map(EsQueryTranslator::fieldValue).toList()))));
        } else if (criteria instanceof Criteria.Range r) {
            return range(r);
        } else if (criteria instanceof Criteria.Prefix p) {
            return Query.of(q -> q.prefix(x -> x.field(exactField(p.field())).value(p.prefix())));
        } else if (criteria instanceof Criteria.Exists x) {
            return Query.of(q -> q.exists(e -> e.field(x.field())));
        } else if (criteria instanceof Criteria.Match m) {
            return Query.of(q -> q.match(x -> x.field(m.field()).query(m.text())));
        } else if (criteria instanceof Criteria.And and) {
            return and.children().isEmpty() ? Query.of(q -> q.matchAll(m -> m))
                    : Query.of(q -> q.bool(b -> b.filter(translateAll(and.children()))));
        } else if (criteria instanceof Criteria.Or or) {
            return or.children().isEmpty() ? Query.of(q -> q.matchNone(m -> m))
                    : Query.of(q -> q.bool(b -> b.should(translateAll(or.children())).minimumShouldMatch("1")));
        } else if (criteria instanceof Criteria.Not not) {
            return Query.of(q -> q.bool(b -> b.mustNot(translate(not.child()))));
        }
        throw new IllegalArgumentException("unknown criteria node " + criteria);
    }

    /**
     * The query for {@code criteria} restricted to <em>released</em> series ({@code released: true}, see
     * {@link org.medlake.cohort.release.ReleasePolicy}) whose {@code project} is one of {@code projects}. These are
     * the access-control filters: callers of the search API pass the authenticated caller's projects, never values
     * taken from the request, and no criteria can reach an unreleased series. An empty project set matches nothing.
     */
    public Query translateForProjects(Criteria criteria, Collection<String> projects) {
        if (projects.isEmpty()) {
            return Query.of(q -> q.matchNone(m -> m));
        }
        Query projectFilter = Query.of(q -> q.terms(t -> t.field("project")
                .terms(v -> v.value(projects.stream().sorted().map(FieldValue::of).toList()))));
        Query releasedFilter = Query.of(q -> q.term(t -> t.field("released").value(true)));
        return Query.of(q -> q.bool(b -> b.filter(translate(criteria)).filter(projectFilter).filter(releasedFilter)));
    }

    private List<Query> translateAll(List<Criteria> children) {
        return children.stream().map(this::translate).toList();
    }

    private static Query range(Criteria.Range r) {
        Type type = SeriesFields.type(r.field()).orElseThrow();
        if (type == Type.DATE) {
            return Query.of(q -> q.range(x -> x.date(d -> {
                d.field(r.field()).format("yyyy-MM-dd");
                if (r.gte() != null) d.gte(r.gte().toString());
                if (r.gt() != null) d.gt(r.gt().toString());
                if (r.lte() != null) d.lte(r.lte().toString());
                if (r.lt() != null) d.lt(r.lt().toString());
                return d;
            })));
        }
        return Query.of(q -> q.range(x -> x.number(n -> {
            n.field(r.field());
            if (r.gte() != null) n.gte(((Number) r.gte()).doubleValue());
            if (r.gt() != null) n.gt(((Number) r.gt()).doubleValue());
            if (r.lte() != null) n.lte(((Number) r.lte()).doubleValue());
            if (r.lt() != null) n.lt(((Number) r.lt()).doubleValue());
            return n;
        })));
    }

    private static String exactField(String field) {
        return SeriesFields.type(field).orElseThrow() == Type.TEXT ? field + "." + SeriesFields.EXACT_SUBFIELD : field;
    }

    private static FieldValue fieldValue(Object v) {
        if (v instanceof Long l) {
            return FieldValue.of(l);
        }
        if (v instanceof Double d) {
            return FieldValue.of(d);
        }
        if (v instanceof LocalDate d) {
            return FieldValue.of(d.toString());
        }
        return FieldValue.of((String) v);
    }
}
