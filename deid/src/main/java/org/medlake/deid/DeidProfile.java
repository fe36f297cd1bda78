package org.medlake.deid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import org.medlake.deid.DeidException;
import org.medlake.deid.DeidException.ErrorCode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A versioned de-identification rule set: for each listed attribute, its action in PS3.15 Annex E Table E.1-1
 * (Basic Application Confidentiality Profile) and the actions of the option columns that override it, plus the list
 * of private elements treated as safe under option 113111. The built-in profile is the resource
 * {@code deid-profile-v1.json} next to this class; {@link #load(Path)} reads a custom one of the same shape.
 * Attributes are named by DICOM keyword and resolved through PixelMed's dictionary, so a file never carries
 * hand-typed tags for standard attributes. Immutable.
 */
public final class DeidProfile {
    /** Name of the built-in profile resource. */
    public static final String BUILT_IN_RESOURCE = "deid-profile-v1.json";

    /** The Annex E action codes. */
    public enum Action {
        /** Replace with a non-zero length dummy value. */
        D,
        /** Replace with a zero length value, or a dummy value. */
        Z,
        /** Remove. */
        X,
        /** Keep. */
        K,
        /** Clean: replace with values of similar meaning known not to contain identifying information. */
        C,
        /** Replace with a non-zero length UID that is internally consistent within a set of instances. */
        U
    }

    /** What an attribute holds; the checker picks its value heuristics by kind. */
    public enum Kind { NAME, ID, CONTACT, INSTITUTION, DEVICE, CHARACTERISTIC, DESCRIPTOR, DATE, TIME, DATETIME, UID,
        SEQUENCE, OTHER }

    /**
     * One attribute's rule.
     *
     * @param keyword the DICOM keyword
     * @param tag the tag (for repeating groups such as overlays, the base group 6000)
     * @param kind what the attribute holds
     * @param basic the alternatives Table E.1-1 allows under the Basic Profile, e.g. {X, Z, D}
     * @param options the action that replaces {@code basic} when the option is declared
     */
    public record Rule(String keyword, AttributeTag tag, Kind kind, Set<Action> basic, Map<DeidOption, Action> options) {
        public Rule {
            basic = Collections.unmodifiableSet(EnumSet.copyOf(basic));
            options = options.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(options));
        }

        /** The Annex E basis, e.g. {@code PS3.15 E.1-1 PatientName (0010,0010): Z}, with the option columns. */
        public String basis() {
            StringBuilder b = new StringBuilder("PS3.15 E.1-1 ").append(keyword).append(' ').append(DeidChecker.tagString(tag))
                    .append(": ").append(actionsString(basic));
            options.forEach((o, a) -> b.append("; ").append(o.code()).append(' ').append(o.meaning()).append(": ").append(a));
            return b.toString();
        }

        /**
         * The action that applies given the declared options: the most permissive option override (K before C), else
         * {@code null} meaning the basic alternatives apply.
         */
        public Action optionAction(Set<DeidOption> declared) {
            Action best = null;
            for (Map.Entry<DeidOption, Action> e : options.entrySet()) {
                if (declared.contains(e.getKey()) && (best == null || e.getValue() == Action.K)) {
                    best = e.getValue();
                }
            }
            return best;
        }
    }

    private final String name;
    private final String version;
    private final String source;
    private final Map<AttributeTag, Rule> rules;
    private final Set<String> safePrivate;

    private DeidProfile(String name, String version, String source, Map<AttributeTag, Rule> rules, Set<String> safePrivate) {
        this.name = name;
        this.version = version;
        this.source = source;
        this.rules = Collections.unmodifiableMap(rules);
        this.safePrivate = Collections.unmodifiableSet(safePrivate);
    }

    /** The built-in profile (resource {@value #BUILT_IN_RESOURCE}). */
    public static DeidProfile builtIn() {
        try (InputStream in = DeidProfile.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
            if (in == null) {
                throw new DeidException(ErrorCode.DEID_INTERNAL, "The built-in de-id profile " + BUILT_IN_RESOURCE
                        + " is missing from the classpath. Fix: rebuild curation-pipelines; the resource ships with it.");
            }
            return parse(in, "built-in " + BUILT_IN_RESOURCE);
        } catch (IOException e) {
            throw new DeidException(ErrorCode.DEID_INTERNAL, "Cannot read the built-in de-id profile: " + e, e);
        }
    }

    /** Loads a custom profile file of the same shape as the built-in one. */
    public static DeidProfile load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DeidException(ErrorCode.DEID_INPUT_NOT_FOUND, "De-id profile " + file
                    + " does not exist or is not a file. Fix: pass an existing JSON file to --profile.");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new DeidException(ErrorCode.DEID_INPUT_NOT_FOUND, "Cannot read de-id profile " + file + ": " + e
                    + ". Fix: check the file's permissions.", e);
        }
    }

    /**
     * Parses a profile. Throws {@link DeidException} with {@link ErrorCode#DEID_BAD_CONFIG} naming the
     * offending entry when the JSON is malformed, a keyword is unknown, an action or option code is invalid, or an
     * attribute is listed twice.
     */
    public static DeidProfile parse(InputStream in, String sourceName) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw bad(sourceName, "is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", "fix the JSON syntax");
        }
        if (root == null || !root.isObject()) {
            throw bad(sourceName, "is not a JSON object", "start from " + BUILT_IN_RESOURCE);
        }
        String name = text(root, "profile", sourceName);
        String version = text(root, "version", sourceName);
        JsonNode rulesNode = root.get("rules");
        if (rulesNode == null || !rulesNode.isArray() || rulesNode.isEmpty()) {
            throw bad(sourceName, "has no non-empty \"rules\" array", "list at least one attribute rule");
        }
        Map<AttributeTag, Rule> rules = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode r : rulesNode) {
            String where = "rules[" + i++ + "]";
            String keyword = text(r, "keyword", sourceName + " " + where);
            AttributeTag tag = AttributeList.getDictionary().getTagFromName(keyword);
            if (tag == null) {
                throw bad(sourceName, where + " names keyword '" + keyword + "', which is not in the DICOM dictionary",
                        "use the exact PS3.6 keyword, e.g. PatientName");
            }
            Kind kind = parseEnum(Kind.class, text(r, "kind", sourceName + " " + where), sourceName, where + ".kind");
            Set<Action> basic = EnumSet.noneOf(Action.class);
            for (String a : text(r, "action", sourceName + " " + where).split("/")) {
                basic.add(parseEnum(Action.class, a.trim(), sourceName, where + ".action"));
            }
            Map<DeidOption, Action> options = new HashMap<>();
            JsonNode opts = r.get("options");
            if (opts != null) {
                if (!opts.isObject()) {
                    throw bad(sourceName, where + ".options is not an object", "write {\"113107\": \"C\"}");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = opts.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    DeidOption option = DeidOption.ofCode(e.getKey()).orElseThrow(() -> bad(sourceName, where
                            + ".options has code '" + e.getKey() + "', which is not a CID 7050 option",
                            "use codes 113101..113112"));
                    Action a = parseEnum(Action.class, e.getValue().asText(), sourceName, where + ".options." + e.getKey());
                    if (a != Action.K && a != Action.C) {
                        throw bad(sourceName, where + ".options." + e.getKey() + " is " + a
                                + "; option columns only keep (K) or clean (C)", "use K or C");
                    }
                    options.put(option, a);
                }
            }
            if (rules.put(tag, new Rule(keyword, tag, kind, basic, options)) != null) {
                throw bad(sourceName, where + " lists " + keyword + " a second time", "keep one rule per attribute");
            }
        }
        Set<String> safe = new HashSet<>();
        JsonNode sp = root.path("safePrivate").path("elements");
        if (!sp.isMissingNode()) {
            if (!sp.isArray()) {
                throw bad(sourceName, "safePrivate.elements is not an array", "list {\"creator\":..., \"element\":\"0x9C\"}");
            }
            int j = 0;
            for (JsonNode e : sp) {
                String where = "safePrivate.elements[" + j++ + "]";
                String creator = text(e, "creator", sourceName + " " + where);
                String element = text(e, "element", sourceName + " " + where);
                int value;
                try {
                    value = Integer.decode(element);
                } catch (NumberFormatException ex) {
                    value = -1;
                }
                if (value < 0 || value > 0xFF) {
                    throw bad(sourceName, where + ".element '" + element + "' is not a byte",
                            "give the element's low byte within the creator's block, e.g. \"0x9C\"");
                }
                safe.add(safeKey(creator, value));
            }
        }
        return new DeidProfile(name, version, sourceName, rules, safe);
    }

    private static String safeKey(String creator, int lowByte) {
        return creator.trim().toUpperCase(Locale.ROOT) + "|" + lowByte;
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw bad(where, "has no text field \"" + field + "\"", "add it (see " + BUILT_IN_RESOURCE + ")");
        }
        return v.asText();
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String source, String where) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad(source, where + " is '" + value + "', not one of " + java.util.Arrays.toString(type.getEnumConstants()),
                    "use one of those values");
        }
    }

    private static DeidException bad(String source, String problem, String fix) {
        return new DeidException(ErrorCode.DEID_BAD_CONFIG, "De-id profile " + source + " " + problem
                + ". Fix: " + fix + ".");
    }

    static String actionsString(Set<Action> actions) {
        // Annex E writes alternatives most-removing first: X/Z/D.
        List<String> order = new ArrayList<>();
        for (Action a : List.of(Action.X, Action.Z, Action.D, Action.U, Action.C, Action.K)) {
            if (actions.contains(a)) {
                order.add(a.name());
            }
        }
        return String.join("/", order);
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    /** Where the profile came from (file path or built-in resource name). */
    public String source() {
        return source;
    }

    /** All rules, by tag, in file order (unmodifiable). */
    public Map<AttributeTag, Rule> rules() {
        return rules;
    }

    /** The rule for a tag, if the profile lists it; overlay/curve repeating groups map to their base group. */
    public Optional<Rule> rule(AttributeTag tag) {
        Rule r = rules.get(tag);
        if (r == null && tag.isRepeatingGroup()) {
            r = rules.get(tag.getTagWithRepeatingGroupBase());
        }
        return Optional.ofNullable(r);
    }

    /** Whether the private element with this low byte in the block of {@code creator} is on the safe list. */
    public boolean isSafePrivate(String creator, int elementLowByte) {
        return creator != null && safePrivate.contains(safeKey(creator, elementLowByte));
    }

    /** Number of entries on the safe-private list. */
    public int safePrivateCount() {
        return safePrivate.size();
    }
}
