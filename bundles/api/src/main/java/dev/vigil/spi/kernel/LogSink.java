package dev.vigil.spi.kernel;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where a runtime's notices, warnings and reports go (DESIGN.md §7): a logger name by area
 * ({@code dev.vigil.finalization}, {@code dev.vigil.leak}, {@code dev.vigil.policy},
 * {@code dev.vigil.signals}, ...), a level and the text. Implementations must be thread-safe
 * and must not block for long: they are called by finalizing threads, signal handlers and the
 * leak watch. A sink that throws is bypassed for that message (it goes to {@code System.err}).
 */
@FunctionalInterface
public interface LogSink {

    /** Logs {@code message} (and {@code thrown}, if not null) under logger {@code logger} at {@code level}. */
    void log(String logger, Level level, String message, Throwable thrown);

    /**
     * The platform's logging: {@link System#getLogger(String)}, which reaches
     * java.util.logging, or SLF4J / Logback / Log4j through their {@code System.Logger} bridges.
     */
    static LogSink platform() {
        return (logger, level, message, thrown) -> {
            System.Logger l = System.getLogger(logger);
            if (thrown == null) {
                l.log(level, message);
            } else {
                l.log(level, message, thrown);
            }
        };
    }

    /** A sink that hands every message's text to {@code notices}, whatever its logger and level. */
    static LogSink of(Consumer<String> notices) {
        Objects.requireNonNull(notices, "notices");
        return (logger, level, message, thrown) -> notices.accept(thrown == null ? message : message + ": " + thrown);
    }
}
