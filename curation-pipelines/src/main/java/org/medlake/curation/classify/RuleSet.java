package org.medlake.curation.classify;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;
import org.medlake.curation.classify.SeriesFeatures.Feature;
import org.medlake.curation.classify.SeriesFeatures.Type;

/**
 * A versioned, immutable set of classification rules read from JSON (format in {@code classification-rules-v1.json}):
 *
 * <pre>
 * { "version": "1.0.0", "description": "...",
 *   "fallback": { "series_type": "OTHER", "attribute": "UNKNOWN", "confidence": 0.2 },
 *   "conditions": { "epi": { "feature": "scanning_sequence", "contains_any": ["EP"] } },
 *   "rules": [ { "id": "mr-dwi-b-value", "modality": ["MR"], "series_type": "DWI", "strength": "strong",
 *                "weight": 0.95, "when": { "all": [ { "feature": "max_b_value", "gt": 50 } ] },
 *                "evidence": "b-values {b_values} s/mm2" } ] }
 * </pre>
 *
 * A rule names either {@code series_type} or an {@code attribute} with its {@code value}; labels are upper case.
 * {@code conditions} defines named conditions that rules (and later named conditions) reuse as {@code {"use": "epi"}}.
 * Loading checks everything and fails with {@link ErrorCode#CURATION_BAD_CONFIG} naming the rule and the field: unknown
 * features or operators, wrong operand types, weights outside (0, 1], duplicate ids, and two policy checks that keep
 * descriptions weak: a {@code strong} rule must not read {@code description}, {@code series_description} or
 * {@code protocol_name}, and a {@code weak} rule's weight is at most {@value #MAX_WEAK_WEIGHT}.
 */
public final class RuleSet {
    /** Classpath resource of the default rules. */
    public static final String DEFAULT_RESOURCE = "/org/medlake/curation/classify/classification-rules-v1.json";
    /** Largest weight a weak (free-text) rule may have. */
    public static final double MAX_WEAK_WEIGHT = 0.5;
    private static final Pattern LABEL = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final Pattern AXIS = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Set<Feature> FREE_TEXT = Set.of(Feature.DESCRIPTION, Feature.SERIES_DESCRIPTION, Feature.PROTOCOL_NAME);
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.ALLOW_COMMENTS);

    private final String version;
    private final String description;
    private final List<Rule> rules;
    private final String fallbackSeriesType;
    private final String fallbackAttribute;
    private final double fallbackConfidence;

    private RuleSet(String version, String description, List<Rule> rules, String fallbackSeriesType,
                    String fallbackAttribute, double fallbackConfidence) {
        this.version = version;
        this.description = description;
        this.rules = List.copyOf(rules);
        this.fallbackSeriesType = fallbackSeriesType;
        this.fallbackAttribute = fallbackAttribute;
        this.fallbackConfidence = fallbackConfidence;
    }

    /** The rules shipped with medlake ({@value #DEFAULT_RESOURCE}). */
    public static RuleSet defaults() {
        try (InputStream in = RuleSet.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new CurationException(ErrorCode.CURATION_INTERNAL, "The default classification rules "
                        + DEFAULT_RESOURCE + " are missing from the classpath. This is a packaging bug; please report it.");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new CurationException(ErrorCode.CURATION_INTERNAL, "Cannot read the default classification rules: "
                    + e + ". This is a packaging bug; please report it.", e);
        }
    }

    /** Reads a rules file. */
    public static RuleSet load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (NoSuchFileException e) {
            throw new CurationException(ErrorCode.CURATION_INPUT_NOT_FOUND, "Rules file " + file + " does not exist. "
                    + "Fix: check the --rules path, or omit --rules to use the built-in rules.", e);
        } catch (IOException e) {
            throw new CurationException(ErrorCode.CURATION_EXTERNAL, "Cannot read rules file " + file + ": " + e
                    + ". Fix: check that the file is readable.", e);
        }
    }

    /**
     * Parses rules from JSON text.
     *
     * @param source the name of the text in error messages (a path)
     */
    public static RuleSet parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw bad(source, "is not valid JSON (" + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ")", "fix the JSON syntax");
        }
        if (root == null || !root.isObject()) {
            throw bad(source, "must hold a JSON object", "start from classification-rules-v1.json");
        }
        String version = requiredText(root, "version", source, "top level");
        JsonNode fallback = root.path("fallback");
        String fbType = fallback.path("series_type").asText("OTHER");
        String fbAttr = fallback.path("attribute").asText("UNKNOWN");
        double fbConf = fallback.path("confidence").asDouble(0.2);
        if (!LABEL.matcher(fbType).matches() || !LABEL.matcher(fbAttr).matches() || fbConf < 0 || fbConf > 1) {
            throw bad(source, "has an invalid 'fallback' (labels must be upper case, confidence within 0..1)",
                    "use e.g. {\"series_type\": \"OTHER\", \"attribute\": \"UNKNOWN\", \"confidence\": 0.2}");
        }
        JsonNode rulesNode = root.get("rules");
        if (rulesNode == null || !rulesNode.isArray() || rulesNode.isEmpty()) {
            throw bad(source, "has no 'rules' array (or it is empty)", "add a non-empty \"rules\": [ ... ] array");
        }
        Map<String, Condition> named = new LinkedHashMap<>();
        JsonNode defs = root.get("conditions");
        if (defs != null) {
            if (!defs.isObject()) {
                throw bad(source, "has a 'conditions' field that is not an object",
                        "write \"conditions\": {\"name\": {condition}, ...}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = defs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!AXIS.matcher(e.getKey()).matches()) {
                    throw bad(source, "has a named condition '" + e.getKey() + "'", "name conditions in lower-case snake_case");
                }
                // A named condition may use the ones defined before it.
                named.put(e.getKey(), parseCondition(e.getValue(), "conditions." + e.getKey(), source,
                        "named condition '" + e.getKey() + "'", named));
            }
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int index = 0;
        for (JsonNode r : rulesNode) {
            index++;
            Rule rule = parseRule(r, index, source, named);
            if (!ids.add(rule.id())) {
                throw bad(source, "has two rules with id '" + rule.id() + "' (the second is rule #" + index + ")",
                        "give every rule a unique id");
            }
            rules.add(rule);
        }
        return new RuleSet(version, root.path("description").asText(""), rules, fbType, fbAttr, fbConf);
    }

    private static Rule parseRule(JsonNode r, int index, String source, Map<String, Condition> named) {
        String where = "rule #" + index;
        if (!r.isObject()) {
            throw bad(source, where + " is not a JSON object", "write each rule as { \"id\": ..., ... }");
        }
        String id = requiredText(r, "id", source, where);
        where = "rule '" + id + "' (#" + index + ")";
        for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!Set.of("id", "modality", "series_type", "attribute", "value", "strength", "weight", "when", "evidence",
                    "comment").contains(name)) {
                throw bad(source, where + " has unknown field '" + name + "'", "remove it or fix its spelling");
            }
        }
        Set<String> modalities = new LinkedHashSet<>();
        JsonNode m = r.get("modality");
        if (m != null && m.isTextual() && !m.asText().isBlank()) {
            modalities.add(m.asText().trim().toUpperCase(Locale.ROOT));
        } else if (m != null && m.isArray() && !m.isEmpty()) {
            for (JsonNode x : m) {
                if (!x.isTextual() || x.asText().isBlank()) {
                    throw bad(source, where + " field 'modality' has a non-text entry " + x, "list modality codes as strings");
                }
                modalities.add(x.asText().trim().toUpperCase(Locale.ROOT));
            }
        } else {
            throw bad(source, where + " field 'modality' is missing or empty",
                    "give a modality code or a list of them, e.g. \"MR\" or [\"CR\", \"DX\"] (\"*\" for any)");
        }
        String axis;
        String label;
        if (r.has("series_type") == r.has("attribute")) {
            throw bad(source, where + " must have exactly one of 'series_type' or 'attribute'",
                    "set \"series_type\": \"T1W\", or \"attribute\": \"contrast\" with \"value\": \"CONTRAST\"");
        }
        if (r.has("series_type")) {
            axis = Rule.SERIES_TYPE;
            label = requiredText(r, "series_type", source, where);
            if (r.has("value")) {
                throw bad(source, where + " has 'value' next to 'series_type'", "drop 'value' (it goes with 'attribute')");
            }
        } else {
            axis = requiredText(r, "attribute", source, where);
            label = requiredText(r, "value", source, where);
            if (!AXIS.matcher(axis).matches() || axis.equals(Rule.SERIES_TYPE)) {
                throw bad(source, where + " field 'attribute' is '" + axis + "'",
                        "use a lower-case snake_case attribute name other than series_type, e.g. \"contrast\"");
            }
        }
        if (!LABEL.matcher(label).matches()) {
            throw bad(source, where + " label '" + label + "' is not upper case", "write it as e.g. \""
                    + label.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_") + "\"");
        }
        String strengthText = requiredText(r, "strength", source, where);
        Rule.Strength strength;
        try {
            strength = Rule.Strength.valueOf(strengthText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad(source, where + " field 'strength' is '" + strengthText + "'", "use \"strong\" or \"weak\"");
        }
        JsonNode w = r.get("weight");
        if (w == null || !w.isNumber() || w.asDouble() <= 0 || w.asDouble() > 1) {
            throw bad(source, where + " field 'weight' is " + (w == null ? "missing" : w.toString()),
                    "give a number greater than 0 and at most 1");
        }
        double weight = w.asDouble();
        if (strength == Rule.Strength.WEAK && weight > MAX_WEAK_WEIGHT) {
            throw bad(source, where + " is weak but has weight " + weight, "keep weak rules at or below " + MAX_WEAK_WEIGHT);
        }
        JsonNode when = r.get("when");
        if (when == null) {
            throw bad(source, where + " field 'when' is missing", "add a condition, e.g. {\"feature\": \"max_b_value\", \"gt\": 50}");
        }
        Condition condition = parseCondition(when, "when", source, where, named);
        if (strength == Rule.Strength.STRONG) {
            for (Feature f : condition.features()) {
                if (FREE_TEXT.contains(f)) {
                    throw bad(source, where + " is strong but reads free-text feature '" + f.key() + "'",
                            "descriptions lie or are blank in real data: make the rule \"weak\" (weight <= "
                                    + MAX_WEAK_WEIGHT + ") or test acquisition features instead");
                }
            }
        }
        String evidence = requiredText(r, "evidence", source, where);
        for (String p : Rule.placeholders(evidence)) {
            if (Feature.byKey(p) == null) {
                throw bad(source, where + " field 'evidence' refers to unknown feature {" + p + "}",
                        "use one of " + SeriesFeatures.keys());
            }
        }
        return new Rule(id, modalities, axis, label, strength, weight, condition, evidence);
    }

    private static Condition parseCondition(JsonNode n, String path, String source, String where,
                                            Map<String, Condition> named) {
        if (!n.isObject() || n.isEmpty()) {
            throw bad(source, where + " field '" + path + "' is not a condition object",
                    "write {\"all\": [...]}, {\"any\": [...]}, {\"not\": {...}}, {\"use\": \"<named condition>\"} or "
                            + "{\"feature\": ..., \"<operator>\": ...}");
        }
        if (n.has("use")) {
            Condition c = named.get(n.get("use").asText());
            if (n.size() != 1 || c == null) {
                throw bad(source, where + " field '" + path + ".use' names unknown condition " + n.get("use"),
                        "use one of the named conditions defined above it: " + named.keySet());
            }
            return c;
        }
        if (n.has("all") || n.has("any")) {
            String op = n.has("all") ? "all" : "any";
            JsonNode parts = n.get(op);
            if (n.size() != 1 || !parts.isArray() || parts.isEmpty()) {
                throw bad(source, where + " field '" + path + "." + op + "' must be the only key and a non-empty array",
                        "write {\"" + op + "\": [ {...}, {...} ]}");
            }
            List<Condition> cs = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                cs.add(parseCondition(parts.get(i), path + "." + op + "[" + i + "]", source, where, named));
            }
            return op.equals("all") ? new Condition.All(cs) : new Condition.Any(cs);
        }
        if (n.has("not")) {
            if (n.size() != 1) {
                throw bad(source, where + " field '" + path + ".not' must be the only key", "write {\"not\": {...}}");
            }
            return new Condition.Not(parseCondition(n.get("not"), path + ".not", source, where, named));
        }
        JsonNode fn = n.get("feature");
        if (fn == null || !fn.isTextual()) {
            throw bad(source, where + " field '" + path + "' has no 'feature'",
                    "name a feature, one of " + SeriesFeatures.keys());
        }
        Feature feature = Feature.byKey(fn.asText());
        if (feature == null) {
            throw bad(source, where + " field '" + path + ".feature' names unknown feature '" + fn.asText() + "'",
                    "use one of " + SeriesFeatures.keys());
        }
        if (n.size() != 2) {
            throw bad(source, where + " field '" + path + "' must have 'feature' and exactly one operator",
                    "use one of " + new java.util.TreeSet<>(Condition.OPERATORS));
        }
        String op = null;
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("feature")) op = k;
        }
        if (!Condition.OPERATORS.contains(op)) {
            throw bad(source, where + " field '" + path + "' has unknown operator '" + op + "'",
                    "use one of " + new java.util.TreeSet<>(Condition.OPERATORS));
        }
        JsonNode arg = n.get(op);
        String field = path + "." + op;
        boolean numeric = feature.type() == Type.NUMBER || feature.type() == Type.NUMBER_LIST;
        switch (op) {
            case "present":
                if (!arg.isBoolean()) throw operand(source, where, field, "true or false");
                return new Condition.Leaf(feature, op, null, null, null, arg.asBoolean());
            case "gt", "gte", "lt", "lte":
                if (!numeric || !arg.isNumber()) {
                    throw operand(source, where, field, "a number, on a numeric feature (" + feature.key() + " is "
                            + feature.type() + ")");
                }
                return new Condition.Leaf(feature, op, null, List.of(arg.asDouble()), null, null);
            case "between":
                if (!numeric || !arg.isArray() || arg.size() != 2 || !arg.get(0).isNumber() || !arg.get(1).isNumber()
                        || arg.get(0).asDouble() > arg.get(1).asDouble()) {
                    throw operand(source, where, field, "[low, high] with low <= high, on a numeric feature");
                }
                return new Condition.Leaf(feature, op, null, List.of(arg.get(0).asDouble(), arg.get(1).asDouble()), null, null);
            case "matches":
                if (numeric || !arg.isTextual()) throw operand(source, where, field, "a regular expression, on a text feature");
                try {
                    return new Condition.Leaf(feature, op, null, null,
                            Pattern.compile(arg.asText(), Pattern.CASE_INSENSITIVE), null);
                } catch (PatternSyntaxException e) {
                    throw operand(source, where, field, "a valid regular expression (" + e.getDescription() + ")");
                }
            case "eq":
                if (feature.type() == Type.BOOLEAN) {
                    if (!arg.isBoolean()) throw operand(source, where, field, "true or false");
                    return new Condition.Leaf(feature, op, null, null, null, arg.asBoolean());
                }
                if (numeric) {
                    if (!arg.isNumber()) throw operand(source, where, field, "a number");
                    return new Condition.Leaf(feature, op, null, List.of(arg.asDouble()), null, null);
                }
                if (!arg.isTextual()) throw operand(source, where, field, "a string");
                return new Condition.Leaf(feature, op, List.of(arg.asText().toUpperCase(Locale.ROOT)), null, null, null);
            default: // in, contains_*
                if (!arg.isArray() || arg.isEmpty()) throw operand(source, where, field, "a non-empty array");
                List<String> texts = new ArrayList<>();
                List<Double> nums = new ArrayList<>();
                for (JsonNode x : arg) {
                    if (numeric && x.isNumber()) {
                        nums.add(x.asDouble());
                    } else if (!numeric && x.isTextual()) {
                        texts.add(x.asText().toUpperCase(Locale.ROOT));
                    } else {
                        throw operand(source, where, field, "an array of " + (numeric ? "numbers" : "strings"));
                    }
                }
                if (numeric && !op.equals("in")) throw operand(source, where, field, "a text or text-list feature");
                return new Condition.Leaf(feature, op, texts, nums, null, null);
        }
    }

    private static CurationException operand(String source, String where, String field, String expected) {
        return bad(source, where + " field '" + field + "' has the wrong operand", "give " + expected);
    }

    private static String requiredText(JsonNode n, String field, String source, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw bad(source, where + " field '" + field + "' is missing or not a non-blank string",
                    "set \"" + field + "\" to a string");
        }
        return v.asText().trim();
    }

    private static CurationException bad(String source, String problem, String fix) {
        return new CurationException(ErrorCode.CURATION_BAD_CONFIG, "Classification rules " + source + ": " + problem
                + ". Fix: " + fix + ".");
    }

    /** The rules' version, reported with every classification. */
    public String version() {
        return version;
    }

    public String description() {
        return description;
    }

    /** Rules in file order (the order breaks ties). */
    public List<Rule> rules() {
        return rules;
    }

    /** Series type when no rule voted (e.g. OTHER). */
    public String fallbackSeriesType() {
        return fallbackSeriesType;
    }

    /** Attribute value when no rule voted on an axis that applies to the modality (e.g. UNKNOWN). */
    public String fallbackAttribute() {
        return fallbackAttribute;
    }

    /** Confidence reported with the fallback series type. */
    public double fallbackConfidence() {
        return fallbackConfidence;
    }

    /** Attribute axes with at least one rule for the modality, in first-rule order. */
    public List<String> attributeAxes(String modality) {
        Set<String> axes = new LinkedHashSet<>();
        for (Rule r : rules) {
            if (!r.axis().equals(Rule.SERIES_TYPE) && r.appliesTo(modality)) axes.add(r.axis());
        }
        return List.copyOf(axes);
    }

    /** Labels per axis over all rules (for documentation and tests). */
    public Map<String, Set<String>> labels() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        for (Rule r : rules) {
            m.computeIfAbsent(r.axis(), k -> new LinkedHashSet<>()).add(r.label());
        }
        m.replaceAll((k, v) -> Collections.unmodifiableSet(v));
        return Collections.unmodifiableMap(m);
    }

    @Override
    public String toString() {
        return "RuleSet[version=" + version + ", rules=" + rules.size() + "]";
    }

}
