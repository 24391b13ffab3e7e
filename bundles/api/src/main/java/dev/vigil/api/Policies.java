package dev.vigil.api;

import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The finalization policies of a runtime: exactly one is active (rule P1).
 *
 * <p>Thread-safe.
 */
@ProviderType
public interface Policies {

    /**
     * Makes the named policy active (P4). A shutdown that is waiting re-decides at once
     * under it, its clock still running from when the wait began; parked late attaches
     * re-decide too.
     *
     * @throws IllegalArgumentException if no policy of that name is available; the active
     *         policy stays
     */
    void use(String name);

    /** The active policy's name. */
    String active();

    /** The names of the available policies; always includes the built-in {@code daemon-hang}. */
    Set<String> available();
}
