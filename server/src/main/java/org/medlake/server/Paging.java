package org.medlake.server;

import io.javalin.http.Context;
import java.util.List;

/**
 * {@code limit} and {@code offset} query parameters of a list route, validated: a bad value is 400 naming the
 * parameter, its allowed range and the value given.
 *
 * @param limit  1..max, the page size
 * @param offset 0.., the number of items skipped
 */
record Paging(int limit, int offset) {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1000;

    /** The paging of this request (defaults {@value #DEFAULT_LIMIT} and 0). */
    static Paging of(Context ctx) {
        return new Paging(number(ctx.queryParam("limit"), "limit", 1, MAX_LIMIT, DEFAULT_LIMIT),
                number(ctx.queryParam("offset"), "offset", 0, Integer.MAX_VALUE, 0));
    }

    /** The page of {@code items} this paging selects. */
    <T> List<T> page(List<T> items) {
        if (offset >= items.size()) {
            return List.of();
        }
        return items.subList(offset, (int) Math.min(items.size(), (long) offset + limit));
    }

    private static int number(String value, String name, int min, int max, int dflt) {
        if (value == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("'" + name + "' must be a whole number from " + min
                + (max == Integer.MAX_VALUE ? " up" : " to " + max) + " but was '" + value + "'.");
    }
}
