package dev.vigil.threadstate;

import dev.vigil.spi.kernel.AttachHook;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One runtime's engine hooks by interpreter (DESIGN.md §6), with a version that changes at every
 * install and uninstall. Thread-safe; nothing blocks.
 *
 * <p>A thread state made for an interpreter looks its hook up once and keeps it with the version
 * it read before the lookup; while the version is unchanged, a state made again for the same
 * interpreter (ensure from a detached thread, T1c, reuses the discarded state) keeps its hook
 * without a lookup. That is exact: a change stores into the map, then takes a new version, so a
 * reader that saw a version saw every change that version counts, and a change it may have
 * missed leaves the version it kept behind.
 */
final class Hooks {

    private final Map<InterpreterLifecycle, AttachHook> byInterpreter = new ConcurrentHashMap<>();
    /** Incremented after each change of {@link #byInterpreter}; never negative (State's "not looked up" is -1). */
    private final AtomicInteger version = new AtomicInteger();

    /** Installs {@code hook}; false (nothing changed) if the interpreter has one already. */
    boolean install(InterpreterLifecycle lifecycle, AttachHook hook) {
        if (byInterpreter.putIfAbsent(lifecycle, hook) != null) {
            return false;
        }
        changed();
        return true;
    }

    void uninstall(InterpreterLifecycle lifecycle) {
        if (byInterpreter.remove(lifecycle) != null) {
            changed();
        }
    }

    private void changed() {
        version.updateAndGet(v -> v == Integer.MAX_VALUE ? 0 : v + 1);
    }

    /** The version now: read it before {@link #get}, and keep what get returned with it. */
    int version() {
        return version.get();
    }

    /** The interpreter's hook, or null. */
    AttachHook get(InterpreterLifecycle lifecycle) {
        return byInterpreter.isEmpty() ? null : byInterpreter.get(lifecycle);
    }
}
