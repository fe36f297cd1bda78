package org.medlake.sdk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesFromTheBaseWithJitterOfUpToHalf() {
        Backoff none = new Backoff(5, Duration.ofMillis(100), () -> 0.0);
        assertThat(none.delay(1, null)).isEqualTo(Duration.ofMillis(100));
        assertThat(none.delay(2, null)).isEqualTo(Duration.ofMillis(200));
        assertThat(none.delay(4, null)).isEqualTo(Duration.ofMillis(800));
        Backoff most = new Backoff(5, Duration.ofMillis(100), () -> 0.999999);
        assertThat(most.delay(2, null)).isBetween(Duration.ofMillis(299), Duration.ofMillis(300));
    }

    @Test
    void cappedAndRetryAfterWinsWhenLonger() {
        Backoff b = new Backoff(50, Duration.ofSeconds(1), () -> 0.0);
        assertThat(b.delay(40, null)).isEqualTo(Backoff.MAX_DELAY);
        assertThat(b.delay(1, Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
        assertThat(b.delay(3, Duration.ofMillis(10))).isEqualTo(Duration.ofSeconds(4));
        assertThat(b.delay(1, Duration.ofHours(1))).isEqualTo(Backoff.MAX_RETRY_AFTER);
    }

    @Test
    void transientStatusesOnly() {
        assertThat(Backoff.transientStatus(429)).isTrue();
        assertThat(Backoff.transientStatus(502)).isTrue();
        assertThat(Backoff.transientStatus(503)).isTrue();
        assertThat(Backoff.transientStatus(504)).isTrue();
        for (int s : new int[] {400, 401, 403, 404, 409, 500}) {
            assertThat(Backoff.transientStatus(s)).as("status %d", s).isFalse();
        }
    }

    @Test
    void retryAfterSecondsOrHttpDate() {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        assertThat(Backoff.retryAfter("3", clock)).isEqualTo(Duration.ofSeconds(3));
        assertThat(Backoff.retryAfter("Thu, 01 Jan 2026 00:00:10 GMT", clock)).isEqualTo(Duration.ofSeconds(10));
        assertThat(Backoff.retryAfter("Wed, 31 Dec 2025 00:00:10 GMT", clock)).isEqualTo(Duration.ZERO);
        assertThat(Backoff.retryAfter("soon", clock)).isNull();
        assertThat(Backoff.retryAfter(null, clock)).isNull();
        assertThat(Backoff.retryAfter("-1", clock)).isNull();
    }
}
