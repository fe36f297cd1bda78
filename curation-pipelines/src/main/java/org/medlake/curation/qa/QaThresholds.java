package org.medlake.curation.qa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;

/**
 * PASS/WARN/FAIL thresholds per metric and modality, from a versioned JSON file (the bundled default is
 * {@code org/medlake/curation/qa/qa-thresholds-v1.json}).
 *
 * <pre>
 * {"version": 1,
 *  "parameters": {"saturation_pixel_fraction": 0.05},
 *  "modalities": {
 *    "default": {"blank_frame_fraction": {"better": "lower", "pass": 0, "warn": 0.1}},
 *    "MR": {"mr_snr": {"better": "higher", "pass": 20, "warn": 8}},
 *    "CT": {"ct_air_hu": {"target": -1000, "pass": 30, "warn": 60}}}}
 * </pre>
 *
 * Rules: {@code better: higher} — PASS if value ≥ pass, WARN if ≥ warn, else FAIL; {@code better: lower} — PASS if
 * value ≤ pass, WARN if ≤ warn, else FAIL; {@code target: t} — the same as "lower" on {@code |value − t|}.
 * A modality's rule wins over the "default" section's; a metric without a rule is INFO. Anything else in the file
 * (unknown keys, a missing or non-numeric bound, pass and warn in the wrong order, another version) is rejected
 * with CURATION_BAD_CONFIG naming the file and the key.
 */
public final class QaThresholds {
    /** The only file format version this class reads. */
    public static final int VERSION = 1;
    static final String DEFAULT_RESOURCE = "qa-thresholds-v1.json";
    private static final Set<String> RULE_KEYS = Set.of("better", "pass", "warn", "target", "description");

    /** One threshold rule. {@code target} is non-null for "closer to target is better" rules. */
    public record Rule(boolean higherIsBetter, double pass, double warn, Double target) {
        /** The verdict for a value; NOT_EVALUATED for null or non-finite values. */
        public QaStatus judge(Double value) {
            if (value == null || !Double.isFinite(value)) {
                return QaStatus.NOT_EVALUATED;
            }
            double v = target == null ? value : Math.abs(value - target);
            if (higherIsBetter) {
                return v >= pass ? QaStatus.PASS : v >= warn ? QaStatus.WARN : QaStatus.FAIL;
            }
            return v <= pass ? QaStatus.PASS : v <= warn ? QaStatus.WARN : QaStatus.FAIL;
        }
    }

    private final int version;
    private final Map<String, Map<String, Rule>> rules;
    private final Map<String, Double> parameters;

    private QaThresholds(int version, Map<String, Map<String, Rule>> rules, Map<String, Double> parameters) {
        this.version = version;
        this.rules = rules;
        this.parameters = parameters;
    }

    /** The bundled thresholds. */
    public static QaThresholds defaults() {
        try (InputStream in = QaThresholds.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new CurationException(ErrorCode.CURATION_INTERNAL, "The bundled " + DEFAULT_RESOURCE + " is "
                        + "missing. Cause: a broken build. Fix: rebuild medlake-curation-pipelines.");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "bundled " + DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new CurationException(ErrorCode.CURATION_INTERNAL, "Cannot read the bundled " + DEFAULT_RESOURCE
                    + ": " + e + ". Fix: rebuild medlake-curation-pipelines.", e);
        }
    }

    /** Reads a thresholds file. */
    public static QaThresholds load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CurationException(ErrorCode.CURATION_INPUT_NOT_FOUND, "QA thresholds file " + file
                    + " does not exist. Fix: pass an existing file to --thresholds, or leave it out for the defaults.");
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new CurationException(ErrorCode.CURATION_EXTERNAL, "Cannot read QA thresholds file " + file + ": "
                    + e + ". Fix: check its permissions.", e);
        }
    }

    /**
     * Parses thresholds JSON.
     *
     * @param source name of the file for messages
     * @throws CurationException CURATION_BAD_CONFIG on any malformation
     */
    public static QaThresholds parse(String json, String source) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw bad(source, "it is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw bad(source, "the top level must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("version", "description", "parameters", "modalities").contains(k)) {
                throw bad(source, "unknown top-level key \"" + k + "\" (allowed: version, description, parameters, modalities)");
            }
        }
        JsonNode v = root.get("version");
        if (v == null || !v.isInt() || v.intValue() != VERSION) {
            throw bad(source, "\"version\" must be " + VERSION + " but is " + v);
        }
        Map<String, Double> params = new HashMap<>();
        JsonNode p = root.get("parameters");
        if (p != null) {
            if (!p.isObject()) {
                throw bad(source, "\"parameters\" must be an object");
            }
            p.fields().forEachRemaining(e -> params.put(e.getKey(), number(source, "parameters." + e.getKey(), e.getValue())));
        }
        JsonNode mods = root.get("modalities");
        if (mods == null || !mods.isObject()) {
            throw bad(source, "\"modalities\" must be an object of modality -> metric -> rule");
        }
        Map<String, Map<String, Rule>> rules = new HashMap<>();
        mods.fields().forEachRemaining(m -> {
            if (!m.getValue().isObject()) {
                throw bad(source, "modalities." + m.getKey() + " must be an object of metric -> rule");
            }
            Map<String, Rule> byMetric = new HashMap<>();
            m.getValue().fields().forEachRemaining(r -> byMetric.put(r.getKey(),
                    rule(source, "modalities." + m.getKey() + "." + r.getKey(), r.getValue())));
            rules.put(m.getKey().toUpperCase(Locale.ROOT), byMetric);
        });
        return new QaThresholds(VERSION, rules, params);
    }

    private static Rule rule(String source, String path, JsonNode n) {
        if (!n.isObject()) {
            throw bad(source, path + " must be an object like {\"better\": \"higher\", \"pass\": 20, \"warn\": 8}");
        }
        n.fieldNames().forEachRemaining(k -> {
            if (!RULE_KEYS.contains(k)) {
                throw bad(source, path + " has unknown key \"" + k + "\" (allowed: better, pass, warn, target, description)");
            }
        });
        double pass = number(source, path + ".pass", n.get("pass"));
        double warn = number(source, path + ".warn", n.get("warn"));
        JsonNode t = n.get("target");
        JsonNode b = n.get("better");
        Double target = null;
        boolean higher;
        if (t != null) {
            if (b != null) {
                throw bad(source, path + " has both \"target\" and \"better\"; a target rule is always closer-is-better");
            }
            target = number(source, path + ".target", t);
            higher = false;
        } else if (b != null && b.isTextual() && (b.textValue().equals("higher") || b.textValue().equals("lower"))) {
            higher = b.textValue().equals("higher");
        } else {
            throw bad(source, path + ".better must be \"higher\" or \"lower\" (or give a \"target\") but is " + b);
        }
        if (higher ? pass < warn : pass > warn) {
            throw bad(source, path + ": pass " + pass + " and warn " + warn + " are in the wrong order for "
                    + (higher ? "higher-is-better (pass must be >= warn)" : "lower-is-better (pass must be <= warn)"));
        }
        if (target != null && pass < 0) {
            throw bad(source, path + ": a target rule's pass and warn are distances and cannot be negative");
        }
        return new Rule(higher, pass, warn, target);
    }

    private static double number(String source, String path, JsonNode n) {
        if (n == null || !n.isNumber() || !Double.isFinite(n.doubleValue())) {
            throw bad(source, path + " must be a finite number but is " + n);
        }
        return n.doubleValue();
    }

    private static CurationException bad(String source, String problem) {
        return new CurationException(ErrorCode.CURATION_BAD_CONFIG, "QA thresholds " + source + " are malformed: "
                + problem + ". Fix: correct the file; the bundled " + DEFAULT_RESOURCE + " shows the format.");
    }

    public int version() {
        return version;
    }

    /** The rule for a metric of a modality (falling back to the "default" section), or null. */
    public Rule rule(String modality, String metric) {
        Map<String, Rule> m = modality == null ? null : rules.get(modality.toUpperCase(Locale.ROOT));
        Rule r = m == null ? null : m.get(metric);
        if (r == null) {
            Map<String, Rule> d = rules.get("DEFAULT");
            r = d == null ? null : d.get(metric);
        }
        return r;
    }

    /** The verdict for a metric value: the rule's, INFO when there is no rule, NOT_EVALUATED without a value. */
    public QaStatus judge(String modality, String metric, Double value) {
        if (value == null || !Double.isFinite(value)) {
            return QaStatus.NOT_EVALUATED;
        }
        Rule r = rule(modality, metric);
        return r == null ? QaStatus.INFO : r.judge(value);
    }

    /** A numeric parameter, or {@code dflt} when the file does not set it. */
    public double parameter(String name, double dflt) {
        return parameters.getOrDefault(name, dflt);
    }
}
