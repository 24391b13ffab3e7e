package dev.vigil.registry.osgi;

import dev.vigil.spi.kernel.LogSink;
import java.lang.System.Logger.Level;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The runtime's notices inside a framework (DESIGN.md §7): through the OSGi Log Service's
 * R7 {@code LoggerFactory} when one is registered, else through {@link System.Logger} (the
 * registry imports {@code org.osgi.service.log} optionally, so it runs without a log
 * service). Each message is logged under its area's logger name ({@code dev.vigil.leak}, ...)
 * on behalf of the registry bundle. Thread-safe; {@link #close()} stops the tracking.
 */
final class OsgiLogSink implements LogSink, AutoCloseable {

    private static final String LOGGER_FACTORY = "org.osgi.service.log.LoggerFactory";

    private final ServiceTracker<Object, Object> tracker;
    private final LogSink fallback = LogSink.platform();
    /** Whether this bundle sees the Log Service API (its optional import is wired). */
    private final boolean apiWired;

    OsgiLogSink(BundleContext context) {
        this.apiWired = wired();
        this.tracker = new ServiceTracker<>(context, LOGGER_FACTORY, null);
        if (apiWired) {
            tracker.open();
        }
    }

    private static boolean wired() {
        try {
            Class.forName(LOGGER_FACTORY, false, OsgiLogSink.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public void log(String logger, Level level, String message, Throwable thrown) {
        Object factory = apiWired ? tracker.getService() : null;
        if (factory == null || !OsgiLogBridge.log(factory, logger, level, message, thrown)) {
            fallback.log(logger, level, message, thrown);
        }
    }

    @Override
    public void close() {
        if (apiWired) {
            tracker.close();
        }
    }
}
