package dev.vigil.it.cdi;

import java.time.Duration;

/**
 * The few durations the tests wait by, scaled by {@code vigil.test.timeoutFactor}. Every wait
 * is bounded by {@link #BOUND}; {@link #STILL_WAITING} is how long a test watches a wait that
 * must not end (a shutdown under daemon-hang) before it lets it end.
 */
final class Waits {

    private static final double FACTOR = Double.parseDouble(System.getProperty("vigil.test.timeoutFactor", "1"));

    /** The upper bound of every wait for something that must happen. */
    static final Duration BOUND = scaled(Duration.ofSeconds(20));
    /** How long a test checks that a wait does not end by itself. */
    static final Duration STILL_WAITING = scaled(Duration.ofMillis(300));

    private Waits() {
    }

    static Duration scaled(Duration d) {
        return Duration.ofNanos((long) (d.toNanos() * FACTOR));
    }
}
