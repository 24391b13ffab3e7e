package dev.vigil.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads the durations of policy options (P6): {@code 500ms}, {@code 2s}, {@code 1m},
 * {@code 1h}, or ISO-8601 ({@code PT2S}). Zero is allowed, negative is not.
 */
public final class Durations {

    private Durations() {
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException saying which forms are accepted
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.trim().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (s.startsWith("pt") || s.startsWith("p")) {
                d = Duration.parse(s.toUpperCase(Locale.ROOT));
            } else if (s.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
            } else if (s.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).trim()));
            } else if (s.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1).trim()));
            } else if (s.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1).trim()));
            } else {
                throw new IllegalArgumentException(bad(text));
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(bad(text), e);
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative: \"" + text + "\"");
        }
        return d;
    }

    /** Formats a duration in the shortest of the forms {@link #parse} reads. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 && ms != 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    private static String bad(String text) {
        return "not a duration: \"" + text + "\" (use 500ms, 2s, 1m, 1h or ISO-8601 such as PT2S)";
    }
}
