package org.medlake.ingest.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.medlake.ingest.ErrorCode;
import org.medlake.ingest.IngestException;

/**
 * Assigns each instance to a project. Rules are tried in order; the first whose conditions all hold decides;
 * when none matches, the default project (the command's {@code --project}) applies.
 *
 * <p>File format (JSON):
 * <pre>{@code
 * {"rules": [
 *   {"project": "neuro", "match": {"modality": "MR", "body_part_examined": "BRAIN|HEAD"}},
 *   {"project": "scanner-a", "match": {"calling_ae": "SCANNER1"}},
 *   {"project": "archive-2019", "match": {"source": "file:/mnt/archive/2019/*", "site": "north"}}
 * ]}
 * }</pre>
 * Condition keys: {@code source} (the file's source URI), {@code site}, {@code calling_ae} (the AE title that sent
 * the instance to the gateway), and any text column of the {@code instances} table (e.g. {@code modality},
 * {@code manufacturer}, {@code institution_name}). Values are case-insensitive globs ({@code *} any run of
 * characters, {@code ?} one character) with {@code |} between alternatives. Immutable and serializable.
 */
public final class RoutingRules implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String PROJECT_NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";

    /** One rule: a project and the conditions that send an instance there. */
    public record Rule(String project, Map<String, String> match) implements Serializable {
        public Rule {
            Objects.requireNonNull(project, "project");
            match = Map.copyOf(match);
        }
    }

    private final List<Rule> rules;
    private final String defaultProject;
    private transient Map<String, Pattern> compiled;

    private RoutingRules(List<Rule> rules, String defaultProject) {
        this.rules = List.copyOf(rules);
        this.defaultProject = defaultProject;
    }

    /** Every instance goes to {@code project}. */
    public static RoutingRules single(String project) {
        return new RoutingRules(List.of(), project);
    }

    /** Rules in order, falling back to {@code defaultProject}. */
    public static RoutingRules of(List<Rule> rules, String defaultProject) {
        for (Rule r : rules) {
            checkProject(r.project(), "rule");
        }
        return new RoutingRules(rules, defaultProject);
    }

    /**
     * Reads a rules file.
     *
     * @throws IngestException USER_ERROR naming the file and what is wrong
     */
    public static RoutingRules read(Path file, String defaultProject) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw bad(file, "it cannot be read as JSON (" + e.getMessage() + ")");
        }
        if (root == null || !root.path("rules").isArray()) {
            throw bad(file, "it has no \"rules\" array at the top level");
        }
        List<Rule> rules = new ArrayList<>();
        int i = 0;
        for (JsonNode r : root.get("rules")) {
            i++;
            if (!r.path("project").isTextual()) {
                throw bad(file, "rule " + i + " has no \"project\" string");
            }
            if (!r.path("match").isObject() || r.get("match").isEmpty()) {
                throw bad(file, "rule " + i + " has no non-empty \"match\" object");
            }
            Map<String, String> match = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = r.get("match").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isValueNode()) {
                    throw bad(file, "rule " + i + " condition \"" + e.getKey() + "\" must be a string");
                }
                match.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().asText());
            }
            String project = r.get("project").asText();
            if (!project.matches(PROJECT_NAME)) {
                throw bad(file, "rule " + i + " names an invalid project '" + project + "'");
            }
            rules.add(new Rule(project, match));
        }
        return new RoutingRules(rules, defaultProject);
    }

    /**
     * The project of an instance.
     *
     * @param facts the instance's attributes: {@code source}, {@code site}, {@code calling_ae} and column values;
     *     a missing or {@code null} fact never matches a condition on it
     */
    public String route(Map<String, ?> facts) {
        for (Rule rule : rules) {
            if (matches(rule, facts)) {
                return rule.project();
            }
        }
        return defaultProject;
    }

    /** The rules, in order. */
    public List<Rule> rules() {
        return rules;
    }

    /** The project used when no rule matches. */
    public String defaultProject() {
        return defaultProject;
    }

    private boolean matches(Rule rule, Map<String, ?> facts) {
        for (Map.Entry<String, String> c : rule.match().entrySet()) {
            Object value = facts.get(c.getKey());
            if (value == null || !pattern(c.getValue()).matcher(value.toString()).matches()) {
                return false;
            }
        }
        return true;
    }

    private Pattern pattern(String glob) {
        if (compiled == null) {
            compiled = new java.util.concurrent.ConcurrentHashMap<>();
        }
        return compiled.computeIfAbsent(glob, g -> {
            StringBuilder re = new StringBuilder();
            for (char ch : g.toCharArray()) {
                switch (ch) {
                    case '*' -> re.append(".*");
                    case '?' -> re.append('.');
                    case '|' -> re.append('|');
                    default -> re.append(Pattern.quote(String.valueOf(ch)));
                }
            }
            return Pattern.compile("(?:" + re + ")", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
        });
    }

    private static void checkProject(String project, String where) {
        if (project == null || !project.matches(PROJECT_NAME)) {
            throw new IngestException(ErrorCode.INGEST_BAD_ARGUMENT, "Invalid project '" + project + "' in a routing "
                    + where + ". Fix: use 1-64 letters, digits, '_', '.' or '-'.");
        }
    }

    private static IngestException bad(Path file, String problem) {
        return new IngestException(ErrorCode.INGEST_BAD_ARGUMENT, "Routing rules file " + file + " is invalid: "
                + problem + ". Fix the file; the format is {\"rules\":[{\"project\":\"p\",\"match\":{\"modality\":\"MR\"}}]}.");
    }

    /** The calling AE title encoded in a gateway source URI ({@code dimse-store://AE@host}), else {@code null}. */
    public static String callingAe(String sourceUri) {
        if (sourceUri == null || !sourceUri.startsWith("dimse-store://")) {
            return null;
        }
        String rest = sourceUri.substring("dimse-store://".length());
        int at = rest.indexOf('@');
        return at < 0 ? null : rest.substring(0, at);
    }
}
