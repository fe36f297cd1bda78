package org.medlake.curation.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The curation code's version, from the build, with the versions of the rule sets it ran with. */
final class CodeVersion {
    private CodeVersion() {}

    static String describe(String deidProfile, String classificationRules, int qaThresholds) {
        return "medlake-curation " + build() + "; deid-profile " + deidProfile + "; classification-rules "
                + classificationRules + "; qa-thresholds v" + qaThresholds;
    }

    /** The Maven project version written into {@code curation-version.properties} at build time. */
    static String build() {
        try (InputStream in = CodeVersion.class.getResourceAsStream("/org/medlake/curation/curation-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
