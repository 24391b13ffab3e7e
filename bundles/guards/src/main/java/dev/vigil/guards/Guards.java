package dev.vigil.guards;

import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStates;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link InterpreterGuards} over one runtime's {@link GuardBook}. A facade may carry an
 * owner (an OSGi bundle, a CDI bean) that every guard it opens is attributed to.
 * Thread-safe.
 */
public final class Guards implements InterpreterGuards {

    private final GuardBook book;
    private final ThreadStates threadStates;
    private final String owner;

    Guards(GuardBook book, ThreadStates threadStates, String owner) {
        this.book = book;
        this.threadStates = threadStates;
        this.owner = owner;
    }

    /** A facade over the same guards whose guards are attributed to {@code owner}. */
    public Guards forOwner(String owner) {
        return new Guards(book, threadStates, Objects.requireNonNull(owner, "owner"));
    }

    @Override
    public InterpreterGuard fromCurrent() {
        InterpreterLifecycle lifecycle = current("fromCurrent");
        Guard g = book.open(lifecycle, owner, null);
        if (g == null) {
            throw new dev.vigil.api.InterpreterFinalizingException(lifecycle.interpreter().id(),
                    "cannot guard " + lifecycle.interpreter() + ": past its point of no return (G1, G5)");
        }
        return g;
    }

    @Override
    public Optional<InterpreterGuard> fromView(InterpreterView view) {
        View v = view(view);
        v.checkOpen();
        Guard g = book.open(v.lifecycle(), owner, v);
        // Not Optional.ofNullable: its null test is profiled for every caller in the JVM, so it
        // keeps both branches and the Optional cannot be scalar-replaced; this test is ours.
        return g == null ? Optional.empty() : Optional.of(g);
    }

    @Override
    public InterpreterView viewOfCurrent() {
        return new View(book, current("viewOfCurrent"), owner);
    }

    @Override
    public InterpreterView viewOfMain() {
        return new View(book, book.kernel().lifecycle(book.kernel().registry().main()), owner);
    }

    @Override
    public InterpreterView viewOf(Interpreter interpreter) {
        return new View(book, book.kernel().lifecycle(interpreter), owner);
    }

    @Override
    public List<GuardInfo> openGuards() {
        return book.all();
    }

    private InterpreterLifecycle current(String method) {
        Interpreter i = threadStates.current().orElseThrow(() -> new IllegalStateException(
                method + "() needs the calling thread to be attached to an interpreter (G1, V1)"));
        return book.kernel().lifecycle(i);
    }

    private View view(InterpreterView view) {
        Objects.requireNonNull(view, "view");
        if (view instanceof View v && v.lifecycle().runtimeId() == book.runtimeId()) {
            return v;
        }
        throw new IllegalArgumentException("view " + view + " belongs to another runtime");
    }

    /**
     * Ends what the guard book of this facade's runtime runs (its leak-watch thread, its
     * per-thread values): what the guards bundle does when its component goes, so that
     * nothing of it outlives it (DESIGN.md section 5). With {@code unbind}, also disconnects
     * the book from the runtime's kernel (the guards bundle stopping while the runtime stays),
     * after which the runtime lists none of the guards until another book binds; without, the
     * book stays bound so that a shutdown of the runtime (the registry bundle stopping) still
     * lists them, until the kernel is disposed or another book binds. Guards still open stay
     * counted and can still be closed. Idempotent.
     */
    public void closeBook(boolean unbind) {
        book.close();
        if (unbind) {
            book.kernel().unbindGuards(book);
        }
    }

    @Override
    public String toString() {
        return "guards of runtime #" + book.runtimeId() + (owner == null ? "" : " for " + owner);
    }
}
