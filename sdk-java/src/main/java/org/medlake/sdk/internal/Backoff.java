package org.medlake.sdk.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.function.DoubleSupplier;

/**
 * When to retry a transient failure and how long to wait: exponential backoff from a base delay, doubling per
 * attempt up to {@link #MAX_DELAY}, plus random jitter of up to half the delay; a {@code Retry-After} longer than
 * that wins (capped at {@link #MAX_RETRY_AFTER}).
 */
public final class Backoff {
    /** Longest computed delay. */
    public static final Duration MAX_DELAY = Duration.ofSeconds(30);
    /** Longest {@code Retry-After} honoured. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(2);

    private final int maxAttempts;
    private final Duration base;
    private final DoubleSupplier random;

    /**
     * @param maxAttempts attempts in all, at least 1
     * @param base delay before the first retry
     * @param random uniform numbers in [0, 1) for the jitter
     */
    public Backoff(int maxAttempts, Duration base, DoubleSupplier random) {
        this.maxAttempts = Math.max(1, maxAttempts);
        this.base = base;
        this.random = random;
    }

    /** Attempts in all. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Whether an HTTP status is worth retrying: 429, 502, 503, 504. */
    public static boolean transientStatus(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    /**
     * The wait after {@code failedAttempts} failed attempts (1 for the first failure).
     *
     * @param retryAfter the server's {@code Retry-After}, or {@code null}
     */
    public Duration delay(int failedAttempts, Duration retryAfter) {
        long baseMs = Math.max(0, base.toMillis());
        int shift = Math.min(failedAttempts - 1, 20);
        long ms = Math.min(MAX_DELAY.toMillis(), baseMs << shift);
        ms += (long) (random.getAsDouble() * ms / 2);
        if (retryAfter != null) {
            ms = Math.max(ms, Math.min(retryAfter.toMillis(), MAX_RETRY_AFTER.toMillis()));
        }
        return Duration.ofMillis(ms);
    }

    /**
     * Parses a {@code Retry-After} header: delta seconds or an HTTP date.
     *
     * @return the wait, or {@code null} when absent or not understood
     */
    public static Duration retryAfter(String header, Clock clock) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.strip();
        try {
            long seconds = Long.parseLong(h);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(clock.instant(), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }
}
