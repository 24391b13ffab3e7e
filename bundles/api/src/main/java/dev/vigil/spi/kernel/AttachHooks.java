package dev.vigil.spi.kernel;

import dev.vigil.api.Interpreter;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Where engines install their {@link AttachHook}s: implemented by the thread-state bundle's
 * {@link dev.vigil.api.ThreadStates} (an engine casts {@code runtime.threadStates()} to this
 * type). Thread-safe.
 *
 * <p>Costs nothing for interpreters without a hook beyond one null check when a thread's
 * attachment changes. A hook applies to thread states created after its installation: install
 * it right after {@code registry().create(name)}, before the interpreter is handed out.
 */
@ProviderType
public interface AttachHooks {

    /**
     * Installs the hook of {@code interpreter}.
     *
     * @throws NullPointerException naming the argument
     * @throws IllegalArgumentException if the interpreter belongs to another runtime
     * @throws IllegalStateException if it already has a hook
     */
    void install(Interpreter interpreter, AttachHook hook);

    /** Removes the hook of {@code interpreter}, if any. Threads attached now keep theirs until
     * their state is discarded. */
    void uninstall(Interpreter interpreter);
}
