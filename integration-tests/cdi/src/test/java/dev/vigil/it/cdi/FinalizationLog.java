package dev.vigil.it.cdi;

import dev.vigil.api.InterpreterState;
import dev.vigil.cdi.FinalizationAborted;
import dev.vigil.cdi.FinalizationRequested;
import dev.vigil.cdi.InterpreterFinalized;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Observes Vigil's three CDI events and records each, in order, with where it was seen. */
@ApplicationScoped
public class FinalizationLog {

    /**
     * One observed event.
     *
     * @param kind {@code requested}, {@code finalized} or {@code aborted}
     * @param interpreter the interpreter's name
     * @param state the interpreter's state when the event was observed, for {@code requested}
     * @param threadId the thread the observer ran on
     */
    public record Entry(String kind, String interpreter, InterpreterState state, long threadId) {
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    void requested(@Observes FinalizationRequested e) {
        entries.add(new Entry("requested", e.interpreter().name(), e.interpreter().state(), Thread.currentThread().getId()));
    }

    void finalized(@Observes InterpreterFinalized e) {
        entries.add(new Entry("finalized", e.interpreterName(), null, Thread.currentThread().getId()));
    }

    void aborted(@Observes FinalizationAborted e) {
        entries.add(new Entry("aborted", e.report().interpreterName(), null, Thread.currentThread().getId()));
    }

    /** The live list of entries; it stays readable after the container shut down. */
    public List<Entry> entries() {
        return entries;
    }

    /** The kind and interpreter of each entry, e.g. {@code "requested tenant"}. */
    public List<String> summary() {
        return entries.stream().map(e -> e.kind() + " " + e.interpreter()).toList();
    }

    public void clear() {
        entries.clear();
    }
}
