package dev.vigil.it.osgi;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Tees {@code System.err} into a buffer for one test, and the messages of java.util.logging
 * too: the runtime's notices and refusals (which the registry component logs through
 * {@code System.Logger} when no OSGi Log Service runs, DESIGN.md §7) can then be asserted on,
 * while still showing in the test output.
 */
final class ErrCapture implements AutoCloseable {

    private final PrintStream original = System.err;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final Handler julHandler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            byte[] line = (r.getMessage() + System.lineSeparator()).getBytes(StandardCharsets.UTF_8);
            synchronized (buffer) {
                buffer.write(line, 0, line.length);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private ErrCapture() {
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (buffer) {
                    buffer.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (buffer) {
                    buffer.write(b, off, len);
                }
                original.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
        Logger.getLogger("").addHandler(julHandler);
    }

    static ErrCapture install() {
        return new ErrCapture();
    }

    /** Everything printed so far. */
    String text() {
        synchronized (buffer) {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(julHandler);
        System.setErr(original);
    }
}
