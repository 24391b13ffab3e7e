package dev.vigil.engine.polyglot;

import org.graalvm.polyglot.Value;

/**
 * A guest value kept as a guest value (DESIGN.md §6): valid only on a thread attached to the
 * interpreter that made it, and only while that interpreter is not finalized. Every method
 * checks both and fails with Vigil's error, not Truffle's: {@link
 * dev.vigil.api.InterpreterFinalizingException} once the interpreter passed its point of no
 * return, {@link IllegalStateException} on a thread not attached to it. Use {@link #copy()}
 * to take a host copy that stays valid anywhere.
 *
 * <p>Thread-safety: as the guest value; for a single-threaded language (JavaScript) the
 * interpreter's lock, held while attached, serializes its use.
 */
public final class GuestValue {

    private final EngineInterpreter owner;
    private final Value value;

    GuestValue(EngineInterpreter owner, Value value) {
        this.owner = owner;
        this.value = value;
    }

    /** A host copy: {@code null}, {@link Boolean}, {@link String}, {@link Long}, {@link Double},
     * {@link java.util.List} (arrays), {@link java.util.Map} (objects), else its string form. */
    public Object copy() {
        return HostCopy.of(checked());
    }

    /** The value converted to {@code type} by the polyglot rules ({@link Value#as(Class)}). */
    public <T> T as(Class<T> type) {
        return checked().as(type);
    }

    /** The underlying polyglot value, for what this class does not offer; the same validity. */
    public Value value() {
        return checked();
    }

    /** The language of the interpreter that made this value. */
    public String language() {
        return owner.language;
    }

    private Value checked() {
        if (owner.isClosed()) {
            throw owner.finalized("use a value of");
        }
        if (!owner.isEnteredByCurrentThread()) {
            throw new IllegalStateException("a value of " + owner.describe() + " is valid only on a thread"
                    + " attached to it (DESIGN.md §6); copy() it to keep it");
        }
        return value;
    }

    /** Never touches the guest: safe on any thread. */
    @Override
    public String toString() {
        return "guest value of " + owner.describe();
    }
}
