package dev.vigil.it.payara.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * The application's side of the test channel: appends one line per event to the file the
 * test named in the WAR's {@code vigil-it.properties} — a file, because the events that
 * matter happen while the server stops, when no HTTP request can carry them out. Each line is
 * {@code <epoch millis> <event>}, newlines in the event escaped. Thread-safe (one lock).
 */
public final class EventLog {

    /** The WAR's settings: {@code events}, {@code policy} and {@code option.<key>} entries. */
    static final Properties SETTINGS = load();

    private EventLog() {
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = EventLog.class.getResourceAsStream("/vigil-it.properties")) {
            if (in == null) {
                throw new IllegalStateException("vigil-it.properties is missing from the WAR");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Appends the event, with the time, to the test's events file. */
    public static synchronized void add(String event) {
        String line = System.currentTimeMillis() + " " + event.replace("\n", "\\n") + "\n";
        try {
            Files.writeString(Path.of(SETTINGS.getProperty("events")), line, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
