package dev.vigil.registry.osgi;

import java.lang.System.Logger.Level;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The only class that names the OSGi Log Service API: loaded by {@link OsgiLogSink} only
 * when the registry's optional import of {@code org.osgi.service.log} is wired.
 */
final class OsgiLogBridge {

    private OsgiLogBridge() {
    }

    /** Logs through {@code factory}; false if it is not a {@link LoggerFactory} this bundle can use. */
    static boolean log(Object factory, String name, Level level, String message, Throwable thrown) {
        if (!(factory instanceof LoggerFactory f)) {
            return false;
        }
        Logger l = f.getLogger(name);
        // Message and throwable as arguments ("{}"), so that braces in a message are never a format.
        Object[] args = thrown == null ? new Object[] {message} : new Object[] {message, thrown};
        switch (level) {
            case ERROR -> l.error("{}", args);
            case WARNING -> l.warn("{}", args);
            case INFO -> l.info("{}", args);
            case DEBUG -> l.debug("{}", args);
            case OFF -> { } // nothing to log
            default -> l.trace("{}", args); // TRACE, ALL
        }
        return true;
    }
}
