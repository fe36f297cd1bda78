package org.medlake.cohort.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the JSON criteria language of the REST API into a {@link Criteria} tree.
 *
 * <pre>
 * {}  or  null                                 all series
 * {"eq":     {"modality": "CT"}}
 * {"in":     {"modality": ["CT", "MR"]}}
 * {"range":  {"patient_age_years": {"gte": 40, "lte": 60}}}   bounds: gte, gt, lte, lt
 * {"prefix": {"site": "hosp"}}
 * {"exists": "body_part_examined"}
 * {"match":  {"series_description": "axial chest"}}
 * {"and": [ ... ]}   {"or": [ ... ]}   {"not": { ... }}
 * </pre>
 *
 * Each criteria object has exactly one operator key; field operators take exactly one field. Fields, their types
 * and the operators allowed on them are listed in {@link SeriesFields}. Values are JSON strings (keyword, text,
 * and date fields as {@code YYYY-MM-DD}), JSON whole numbers (integer fields) or any JSON numbers (decimal fields).
 *
 * <p>Limits, so that one request cannot make Elasticsearch work unboundedly: nesting at most {@value #MAX_DEPTH}
 * levels below the root, at most {@value #MAX_IN_VALUES} values in one {@code in} list, at most
 * {@value #MAX_CLAUSES} criteria objects in the whole tree, at most {@value #MAX_TEXT_LENGTH} characters in one
 * string value.
 *
 * <p>Any violation throws {@link QueryException} whose message gives the JSON path ({@code $.and[1].eq}), names
 * the bad field or operator and lists what is allowed. Thread-safe.
 */
public final class CriteriaParser {
    /** Maximum nesting depth of criteria objects. */
    public static final int MAX_DEPTH = 10;
    /** Maximum number of values in one {@code in}. */
    public static final int MAX_IN_VALUES = 1000;
    /** Maximum number of criteria objects (operators) in one tree. */
    public static final int MAX_CLAUSES = 200;
    /** Maximum length of one string value. */
    public static final int MAX_TEXT_LENGTH = 1024;

    private static final List<String> OPERATORS = List.of("eq", "in", "range", "prefix", "exists", "match", "and", "or", "not");
    private static final Set<String> BOUNDS = Set.of("gte", "gt", "lte", "lt");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Parses a JSON string; blank input means all series. */
    public Criteria parse(String json) {
        if (json == null || json.isBlank()) {
            return Criteria.all();
        }
        try {
            return parse(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new QueryException("Criteria are not valid JSON: " + e.getOriginalMessage()
                    + ". Send a JSON object such as {\"eq\":{\"modality\":\"CT\"}}.");
        }
    }

    /** Parses a JSON tree; {@code null}, JSON null, missing and {@code {}} mean all series. */
    public Criteria parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Criteria.all();
        }
        int clauses = count(node, 0);
        Criteria criteria = node(node, "$", 0);
        if (clauses > MAX_CLAUSES) {
            throw error("$", "the criteria have " + clauses + " clauses (criteria objects); at most " + MAX_CLAUSES
                    + " are allowed. Use 'in' with a list of values instead of many 'eq', or split the query");
        }
        return criteria;
    }

    /** Number of criteria objects in the tree (stops counting past the limit; depth is checked by node()). */
    private static int count(JsonNode node, int depth) {
        if (node == null || !node.isObject() || depth > MAX_DEPTH + 1) {
            return 1;
        }
        int n = 1;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext() && n <= MAX_CLAUSES; ) {
            Map.Entry<String, JsonNode> e = it.next();
            if ((e.getKey().equals("and") || e.getKey().equals("or")) && e.getValue().isArray()) {
                for (JsonNode child : e.getValue()) {
                    n += count(child, depth + 1);
                    if (n > MAX_CLAUSES) {
                        break;
                    }
                }
            } else if (e.getKey().equals("not")) {
                n += count(e.getValue(), depth + 1);
            }
        }
        return n;
    }

    private Criteria node(JsonNode node, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw error(path, "criteria are nested deeper than " + MAX_DEPTH + " levels; flatten them with and/or lists");
        }
        if (!node.isObject()) {
            throw error(path, "expected a criteria object like {\"eq\":{\"modality\":\"CT\"}} but found "
                    + kind(node));
        }
        if (node.isEmpty()) {
            return Criteria.all();
        }
        if (node.size() != 1) {
            throw error(path, "a criteria object must have exactly one operator key but has " + fieldNames(node)
                    + "; combine several conditions with {\"and\":[...]}");
        }
        Map.Entry<String, JsonNode> entry = node.fields().next();
        String op = entry.getKey();
        JsonNode arg = entry.getValue();
        String at = path + "." + op;
        try {
            return switch (op) {
                case "and", "or" -> {
                    if (!arg.isArray()) {
                        throw error(at, "'" + op + "' needs an array of criteria but found " + kind(arg));
                    }
                    List<Criteria> children = new ArrayList<>();
                    for (int i = 0; i < arg.size(); i++) {
                        children.add(node(arg.get(i), at + "[" + i + "]", depth + 1));
                    }
                    yield op.equals("and") ? new Criteria.And(children) : new Criteria.Or(children);
                }
                case "not" -> new Criteria.Not(node(arg, at, depth + 1));
                case "exists" -> {
                    if (!arg.isTextual()) {
                        throw error(at, "'exists' needs a field name string, e.g. {\"exists\":\"site\"}, but found " + kind(arg));
                    }
                    yield Criteria.exists(arg.asText());
                }
                case "eq" -> {
                    Map.Entry<String, JsonNode> f = singleField(arg, op, at);
                    yield Criteria.eq(f.getKey(), scalar(f.getValue(), at + "." + f.getKey()));
                }
                case "prefix", "match" -> {
                    Map.Entry<String, JsonNode> f = singleField(arg, op, at);
                    if (!f.getValue().isTextual()) {
                        throw error(at + "." + f.getKey(), "'" + op + "' needs a string but found " + kind(f.getValue()));
                    }
                    scalar(f.getValue(), at + "." + f.getKey());
                    yield op.equals("prefix") ? Criteria.prefix(f.getKey(), f.getValue().asText())
                            : Criteria.match(f.getKey(), f.getValue().asText());
                }
                case "in" -> {
                    Map.Entry<String, JsonNode> f = singleField(arg, op, at);
                    String fat = at + "." + f.getKey();
                    if (!f.getValue().isArray()) {
                        throw error(fat, "'in' needs an array of values but found " + kind(f.getValue()));
                    }
                    if (f.getValue().size() > MAX_IN_VALUES) {
                        throw error(fat, "'in' has " + f.getValue().size() + " values; at most " + MAX_IN_VALUES + " are allowed");
                    }
                    List<Object> values = new ArrayList<>();
                    for (int i = 0; i < f.getValue().size(); i++) {
                        values.add(scalar(f.getValue().get(i), fat + "[" + i + "]"));
                    }
                    yield new Criteria.In(f.getKey(), values);
                }
                case "range" -> {
                    Map.Entry<String, JsonNode> f = singleField(arg, op, at);
                    String fat = at + "." + f.getKey();
                    JsonNode b = f.getValue();
                    if (!b.isObject()) {
                        throw error(fat, "'range' needs bounds like {\"gte\":40,\"lte\":60} but found " + kind(b));
                    }
                    for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
                        String bound = it.next();
                        if (!BOUNDS.contains(bound)) {
                            throw error(fat, "unknown range bound '" + bound + "'; allowed bounds: gte, gt, lte, lt");
                        }
                    }
                    yield new Criteria.Range(f.getKey(), bound(b, "gte", fat), bound(b, "gt", fat),
                            bound(b, "lte", fat), bound(b, "lt", fat));
                }
                default -> throw error(path, "unknown operator '" + op + "'; allowed operators: "
                        + String.join(", ", OPERATORS));
            };
        } catch (QueryException e) {
            if (e.getMessage().startsWith("At $")) {
                throw e;
            }
            throw error(at, e.getMessage());
        }
    }

    private Object bound(JsonNode bounds, String name, String path) {
        JsonNode v = bounds.get(name);
        return v == null || v.isNull() ? null : scalar(v, path + "." + name);
    }

    private Map.Entry<String, JsonNode> singleField(JsonNode arg, String op, String path) {
        if (!arg.isObject() || arg.size() != 1) {
            throw error(path, "'" + op + "' needs an object with exactly one field, e.g. {\"" + op + "\":{\"modality\":"
                    + (op.equals("in") ? "[\"CT\",\"MR\"]" : "\"CT\"") + "}}, but found "
                    + (arg.isObject() ? fieldNames(arg) : kind(arg)));
        }
        return arg.fields().next();
    }

    private Object scalar(JsonNode v, String path) {
        if (v.isTextual()) {
            if (v.asText().length() > MAX_TEXT_LENGTH) {
                throw error(path, "the string has " + v.asText().length() + " characters; at most " + MAX_TEXT_LENGTH
                        + " are allowed");
            }
            return v.asText();
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.asLong();
        }
        if (v.isFloatingPointNumber() && Double.isFinite(v.asDouble())) {
            return v.asDouble();
        }
        throw error(path, "values must be strings or numbers but found " + kind(v));
    }

    private static String fieldNames(JsonNode obj) {
        List<String> names = new ArrayList<>();
        obj.fieldNames().forEachRemaining(n -> names.add("'" + n + "'"));
        return names.isEmpty() ? "no keys" : "keys " + String.join(", ", names);
    }

    private static String kind(JsonNode n) {
        if (n.isNumber()) {
            return "the number " + n.asText();
        }
        if (n.isTextual()) {
            return "the string \"" + n.asText() + "\"";
        }
        if (n.isBoolean()) {
            return "the boolean " + n.asText();
        }
        return n.isNull() ? "null" : "a JSON " + n.getNodeType().name().toLowerCase();
    }

    private static QueryException error(String path, String detail) {
        return new QueryException("At " + path + ": " + (detail.endsWith(".") ? detail : detail + "."));
    }
}
