package dev.vigil.distribution;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The distribution's console as the one sink of logging (DESIGN.md §7): a listener on the
 * framework's OSGi Log Service (Felix Log) and a java.util.logging root handler (for
 * {@link System.Logger} users) both print here, on the process's standard error. Vigil's own
 * loggers ({@code dev.vigil.*}) print their message as is, from {@code INFO} up, so the screen
 * reads as it did before logging went through the Log Service; other loggers print from
 * {@code WARN} up with their level and name.
 *
 * <p>Felix Log delivers to listeners on a thread of its own, so {@link #flush()} logs a marker
 * and waits (bounded) until the listener has printed it: everything logged before is on the
 * screen, which the process's exit (S3) must wait for. Thread-safe. The Log Service API lives
 * in a bundle, so it is reached by reflection and a {@link Proxy} listener.
 */
final class ConsoleLog {

    private static final String LOG_READER = "org.osgi.service.log.LogReaderService";
    private static final String LOG_SERVICE = "org.osgi.service.log.LogService";
    private static final long FLUSH_TIMEOUT_SECONDS = 5;

    private final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
    private final String marker = "vigil-console-flush-" + UUID.randomUUID();
    private volatile CountDownLatch flushed;
    private BundleContext context;

    /** Sends java.util.logging (and so {@link System.Logger}) to this console, replacing its handlers. */
    ConsoleLog installJulHandler() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Formatter formatter = new SimpleFormatter();
        root.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                print(r.getLoggerName(), julLevel(r.getLevel().intValue()), formatter.formatMessage(r), r.getThrown());
            }

            @Override
            public void flush() {
                out.flush();
            }

            @Override
            public void close() {
                out.flush();
            }
        });
        return this;
    }

    /** Listens to the framework's Log Service; false if none runs. */
    boolean listen(BundleContext context) throws Exception {
        ServiceReference<?> ref = context.getServiceReference(LOG_READER);
        if (ref == null) {
            return false;
        }
        this.context = context;
        ClassLoader loader = ref.getBundle().adapt(org.osgi.framework.wiring.BundleWiring.class).getClassLoader();
        Class<?> listenerType = loader.loadClass("org.osgi.service.log.LogListener");
        Class<?> entryType = loader.loadClass("org.osgi.service.log.LogEntry");
        Method loggerName = entryType.getMethod("getLoggerName");
        Method level = entryType.getMethod("getLogLevel");
        Method message = entryType.getMethod("getMessage");
        Method exception = entryType.getMethod("getException");
        InvocationHandler handler = (proxy, method, args) -> {
            switch (method.getName()) {
                case "logged" -> {
                    Object e = args[0];
                    String text = (String) message.invoke(e);
                    if (marker.equals(text)) {
                        CountDownLatch f = flushed;
                        if (f != null) {
                            f.countDown();
                        }
                    } else {
                        print((String) loggerName.invoke(e), String.valueOf(level.invoke(e)), text,
                                (Throwable) exception.invoke(e));
                    }
                    return null;
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "toString" -> {
                    return "Vigil console log listener";
                }
                default -> throw new UnsupportedOperationException(method.getName());
            }
        };
        Object listener = Proxy.newProxyInstance(loader, new Class<?>[] {listenerType}, handler);
        Object reader = context.getService(ref);
        loader.loadClass(LOG_READER).getMethod("addLogListener", listenerType).invoke(reader, listener);
        return true;
    }

    /** Waits (at most {@value #FLUSH_TIMEOUT_SECONDS} s) until everything logged so far is printed. */
    void flush() {
        BundleContext c = context;
        if (c == null) {
            out.flush();
            return;
        }
        try {
            ServiceReference<?> ref = c.getServiceReference(LOG_SERVICE);
            if (ref == null) {
                return;
            }
            CountDownLatch latch = new CountDownLatch(1);
            flushed = latch;
            Object logService = c.getService(ref);
            Method log = Class.forName(LOG_SERVICE, false, ref.getBundle().adapt(
                    org.osgi.framework.wiring.BundleWiring.class).getClassLoader())
                    .getMethod("log", int.class, String.class);
            log.invoke(logService, 1, marker); // 1: LOG_ERROR, never filtered out
            latch.await(FLUSH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            c.ungetService(ref);
        } catch (Exception e) {
            out.flush(); // the framework is going away: what was printed is what there is
        }
    }

    /** Prints one entry as the console shows it. */
    void print(String logger, String level, String message, Throwable thrown) {
        String name = logger == null ? "" : logger;
        boolean vigil = name.startsWith("dev.vigil");
        String lvl = level.toUpperCase(Locale.ROOT);
        boolean shown = lvl.startsWith("AUDIT") || lvl.startsWith("ERROR") || lvl.startsWith("WARN")
                || vigil && lvl.startsWith("INFO");
        if (!shown) {
            return;
        }
        synchronized (out) {
            out.println(vigil ? message : "[" + lvl + " " + name + "] " + message);
            if (thrown != null) {
                thrown.printStackTrace(out);
            }
        }
    }

    private static String julLevel(int value) {
        if (value >= java.util.logging.Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (value >= java.util.logging.Level.WARNING.intValue()) {
            return "WARN";
        }
        if (value >= java.util.logging.Level.INFO.intValue()) {
            return "INFO";
        }
        return "DEBUG";
    }
}
