package dev.vigil.spi;

import dev.vigil.api.Interpreter;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/** What a late attach (P2c) shows its policy. A snapshot, read-only. */
@ProviderType
public interface LateAttachContext {

    /** The interpreter past its point of no return. */
    Interpreter interpreter();

    /** The thread attaching late. */
    Thread thread();

    /** How long it has been parked so far (zero at first). */
    Duration parked();

    /** Whether the thread was interrupted, or the runtime received an interrupt, while parked. */
    boolean interrupted();
}
