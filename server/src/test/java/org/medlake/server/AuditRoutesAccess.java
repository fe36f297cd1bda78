package org.medlake.server;

import java.util.Map;

/** Test access to package-private {@link AuditRoutes} members from other test packages. */
public final class AuditRoutesAccess {
    private AuditRoutesAccess() {}

    public static String match(String method, String path, Map<String, String> params) {
        return AuditRoutes.match(method, path, params);
    }
}
