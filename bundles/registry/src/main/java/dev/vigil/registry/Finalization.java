package dev.vigil.registry;

import static dev.vigil.registry.InterpreterRecord.GUARD_MASK;
import static dev.vigil.registry.InterpreterRecord.THREAD_MASK;
import static dev.vigil.registry.InterpreterRecord.THREAD_UNIT;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.FinalizationReport.Outcome;
import dev.vigil.api.FinalizationReport.Phase;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterState;
import dev.vigil.registry.jfr.VigilEvents;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.WaitContext;
import dev.vigil.spi.WaitDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.LongPredicate;

/**
 * One attempt to finalize one interpreter: the loop of rule F1, run on the thread that
 * called {@code shutdown}, under the decisions of the active policy.
 */
final class Finalization {

    /*
     * Implementation overview
     *
     * run() is F1: (1) tell the finalization-requested listeners; for a main interpreter,
     * finalize the subinterpreters (F3); then loop: (2) wait until no non-daemon interpreter
     * thread runs, (3) drain the atexit hooks (and, for main, finalize the subinterpreters
     * created meanwhile), (4) wait until no guard is open, (5) try the point of no return,
     * one CAS on the guard word that fails if a guard, thread, hook or subinterpreter
     * appeared since (see InterpreterRecord). So every subinterpreter is finalized before
     * main's point of no return, and its abort aborts main before anything is final.
     *
     * Waiting (await) is a park loop on the guard word. The finalizer registers as the
     * word's waiter, and every wake-up — the last release, a policy swap, an interrupt, a
     * deadline, a spurious unpark — leads to the same re-evaluation: is the condition met;
     * were interrupts delivered (ask onInterrupt, once per interrupt); did the active policy
     * change (ask onWait: the clock keeps running from when the wait began, P4); did the
     * deadline pass (ask onWait). The policy only returns a decision (P5); this class
     * carries it out: park until a deadline or for ever, interrupt the holders, or abort
     * by throwing Abort, which run() turns into FinalizationAbortedException after putting
     * the interpreter back to RUNNING (F6). Nothing past step 4 has happened when an abort
     * is possible, so nothing is half-finalized. An unexpected exception before the point of
     * no return (a refused nested shutdown, an Error) also puts it back to RUNNING.
     *
     * The clock starts the first time the attempt has to wait and runs across phases and
     * rounds: a policy's timeout bounds the whole wait of a shutdown.
     *
     * An interrupt of the finalizing thread is an interrupt too; its status is consumed to be
     * able to park, and set again when run() ends — by the outermost attempt on the thread,
     * when main finalizes a subinterpreter on its own thread, so that it is counted once.
     */

    /** The shortest park between two questions to the policy, as for late attaches. */
    private static final long MIN_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final RegistryKernel kernel;
    private final InterpreterRecord rec;
    private final Thread thread = Thread.currentThread();
    private final long startNanos = System.nanoTime();
    private final FinalizationReport.Builder report;
    /** Interrupts delivered to this attempt while it waited (S2); written by any thread. */
    private final AtomicInteger delivered = new AtomicInteger();
    private volatile boolean waiting;
    /** What the attempt waits on while {@link #waiting}; written before it. */
    private Phase waitingPhase;

    private int handled;
    /** Whether the thread's interrupt status was consumed; restored when run() ends. */
    private boolean consumedInterrupt;
    private boolean clockStarted;
    private long clockStartNanos;
    private Duration holdersInterruptedAt;
    private int seenPolicyVersion;
    private List<GuardInfo> lastGuards = List.of();
    private List<String> lastThreads = List.of();

    Finalization(RegistryKernel kernel, InterpreterRecord rec) {
        this.kernel = kernel;
        this.rec = rec;
        this.report = FinalizationReport.builder(rec.id(), rec.name(), kernel.policies().active())
                .finalizerThreadId(thread.getId());
    }

    /** Thrown inside run() when the policy aborts; never escapes this class. */
    private static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abort(String reason) {
            super(reason, null, false, false);
        }
    }

    FinalizationReport run() {
        rec.state(InterpreterState.SHUTTING_DOWN);
        Finalization outer = kernel.finalizationOn(thread);
        kernel.register(this);
        try {
            timed(Phase.NOTIFY, this::notifyListeners);
            if (rec.isMain()) {
                timed(Phase.SUBINTERPRETERS, this::finalizeSubinterpreters);
            }
            long own = rec.isOwnThread(thread) ? THREAD_UNIT : 0;
            int rounds = 0;
            do {
                rounds++;
                timed(Phase.JOIN_THREADS, () -> await(Phase.JOIN_THREADS, w -> (w & THREAD_MASK) == own));
                timed(Phase.AT_EXIT, this::runHooks);
                if (rec.isMain() && !kernel.subinterpretersNewestFirst().isEmpty()) {
                    timed(Phase.SUBINTERPRETERS, this::finalizeSubinterpreters); // created while main waited
                }
                timed(Phase.WAIT_GUARDS, () -> await(Phase.WAIT_GUARDS, w -> (w & GUARD_MASK) == 0));
            } while (!rec.tryPassPointOfNoReturn(own));
            report.rounds(rounds);
            event("point of no return passed after " + rounds + (rounds == 1 ? " round" : " rounds"));
            rec.state(InterpreterState.FINALIZING);
            timed(Phase.FINALIZE, () -> kernel.remove(rec));
            rec.state(InterpreterState.FINALIZED);
            return finish(Outcome.COMPLETED);
        } catch (Abort a) {
            rec.state(InterpreterState.RUNNING);
            report.abortReason(a.getMessage());
            event("aborted: " + a.getMessage() + "; " + rec.name() + " is RUNNING again");
            throw new FinalizationAbortedException(finish(Outcome.ABORTED));
        } catch (RuntimeException | Error e) {
            if (!rec.isPastPointOfNoReturn()) {
                rec.state(InterpreterState.RUNNING); // nothing is half-finalized (F6); a retry may run
            }
            throw e;
        } finally {
            kernel.unregister(this);
            if (consumedInterrupt) {
                if (outer != null) {
                    outer.consumedInterrupt = true;
                } else {
                    thread.interrupt();
                }
            }
        }
    }

    /** The thread this attempt runs on. */
    Thread thread() {
        return thread;
    }

    /** Delivers an interrupt if this attempt is waiting (S2); returns whether it was. */
    boolean deliverInterrupt() {
        if (!waiting) {
            return false;
        }
        delivered.incrementAndGet();
        LockSupport.unpark(thread);
        return true;
    }

    /** For progress lines: the policy's view of the wait now, or null if the attempt is not waiting. */
    WaitContext waitingContext() {
        return waiting ? new Context(waitingPhase) : null;
    }

    /** Wakes the attempt so that it re-decides (policy swap, P4). */
    void wake() {
        LockSupport.unpark(thread);
    }

    // ---- steps

    private void notifyListeners() {
        for (Runnable l : rec.finalizationListeners()) {
            try {
                l.run();
            } catch (RuntimeException | Error e) {
                failure("finalization-requested listener " + l, e);
            }
        }
    }

    private void runHooks() {
        for (Runnable h : rec.drainHooks()) {
            try {
                h.run();
            } catch (RuntimeException | Error e) {
                failure("atexit hook " + h, e);
            }
        }
    }

    private void finalizeSubinterpreters() {
        for (InterpreterRecord sub : kernel.subinterpretersNewestFirst()) {
            try {
                report.subinterpreter(sub.shutdown());
            } catch (FinalizationAbortedException e) {
                report.subinterpreter(e.report());
                throw new Abort("subinterpreter " + sub.name() + " aborted: " + e.report().abortReason().orElse(""));
            }
        }
    }

    // ---- waiting

    private void await(Phase phase, LongPredicate done) {
        if (done.test(rec.word())) {
            return;
        }
        if (!clockStarted) {
            clockStarted = true;
            clockStartNanos = System.nanoTime();
            seenPolicyVersion = kernel.policyVersion();
        }
        rec.beginWaiting();
        waitingPhase = phase;
        waiting = true;
        kernel.waiting(this); // progress lines (vigil.progress)
        try {
            event("waiting: " + describe(phase));
            WaitDecision d = carryOut(ask(phase, FinalizationPolicy::onWait), phase);
            for (;;) {
                if (done.test(rec.word())) {
                    return;
                }
                if (Thread.interrupted()) {
                    consumedInterrupt = true;
                    delivered.incrementAndGet(); // an interrupt of the finalizing thread is one too
                }
                while (handled < delivered.get()) {
                    handled++;
                    report.interruptsDelivered(handled);
                    event("interrupt #" + handled + " delivered");
                    d = carryOut(ask(phase, FinalizationPolicy::onInterrupt), phase);
                }
                int version = kernel.policyVersion();
                if (version != seenPolicyVersion) {
                    seenPolicyVersion = version;
                    event("policy is now " + kernel.policies().active() + "; re-deciding");
                    d = carryOut(ask(phase, FinalizationPolicy::onWait), phase);
                }
                Optional<Duration> until = d.until();
                if (until.isPresent() && waited().compareTo(until.get()) >= 0) {
                    d = carryOut(ask(phase, FinalizationPolicy::onWait), phase);
                    until = d.until();
                }
                if (done.test(rec.word())) {
                    return;
                }
                if (until.isPresent()) {
                    // at least 1 ms: a deadline already reached ("ask again now") must not spin
                    long remaining = until.get().minus(waited()).toNanos();
                    LockSupport.parkNanos(this, Math.max(remaining, MIN_PARK_NANOS));
                } else {
                    LockSupport.park(this);
                }
            }
        } finally {
            waiting = false;
            rec.endWaiting();
        }
    }

    private String describe(Phase phase) {
        return phase == Phase.JOIN_THREADS
                ? rec.runningThreadCount() + " non-daemon thread(s) " + threadNames()
                : rec.openGuardCount() + " open guard(s)";
    }

    private Duration waited() {
        return Duration.ofNanos(System.nanoTime() - clockStartNanos);
    }

    private WaitDecision ask(Phase phase, BiFunction<FinalizationPolicy, WaitContext, WaitDecision> question) {
        FinalizationPolicy policy = kernel.activePolicy();
        report.finalPolicy(policy.name());
        Context ctx = new Context(phase);
        WaitDecision d;
        try {
            d = question.apply(policy, ctx);
            if (d == null) {
                throw new NullPointerException("policy returned no decision");
            }
        } catch (RuntimeException | Error e) {
            failure("policy " + policy.name() + " (" + e + "); the built-in default decides instead", null);
            d = question.apply(RegistryKernel.BUILT_IN_DEFAULT, ctx);
        }
        lastGuards = ctx.openGuards();
        lastThreads = ctx.threads();
        event("policy " + policy.name() + ": " + d);
        VigilEvents.decision(rec.name(), policy.name(), phase.name(), ctx.waited(), d); // JFR
        return d;
    }

    /** Carries out notices, reports, interrupts and aborts; returns the WAIT decision to follow. */
    private WaitDecision carryOut(WaitDecision d, Phase phase) {
        boolean interruptedNow = false;
        for (;;) {
            d.notice().ifPresent(n -> {
                event(n);
                kernel.log(Notices.POLICY, System.Logger.Level.WARNING, "[vigil] " + rec.name() + ": " + n);
            });
            if (d.printsReport()) {
                kernel.log(Notices.FINALIZATION, System.Logger.Level.WARNING, snapshot().toString());
            }
            switch (d.kind()) {
                case ABORT:
                    throw new Abort(d.reason().orElse("aborted by policy"));
                case INTERRUPT_HOLDERS:
                    if (interruptedNow) {
                        event("policy asked to interrupt the holders twice in a row; waiting instead");
                        return WaitDecision.waitForever();
                    }
                    interruptedNow = true;
                    interruptHolders();
                    d = ask(phase, FinalizationPolicy::onWait);
                    break;
                default:
                    return d;
            }
        }
    }

    private void interruptHolders() {
        holdersInterruptedAt = waited();
        int n = kernel.guardDirectory().interruptHolders(rec.id());
        for (Thread t : rec.liveThreads) {
            if (t != thread) {
                t.interrupt();
                n++;
            }
        }
        event("interrupted " + n + " holder thread(s)");
    }

    // ---- report

    private void timed(Phase phase, Runnable step) {
        long t0 = System.nanoTime();
        try {
            step.run();
        } finally {
            report.addPhase(phase, Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    private void event(String text) {
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        report.event(String.format("%6d ms  %s", ms, text));
    }

    private void failure(String what, Throwable e) {
        String text = what + (e == null ? "" : " failed: " + e);
        event(text);
        kernel.log(Notices.FINALIZATION, System.Logger.Level.WARNING, "[vigil] " + rec.name() + ": " + text);
    }

    private List<String> threadNames() {
        List<String> names = new ArrayList<>();
        for (Thread t : rec.liveThreads) {
            names.add(t.getName());
        }
        return names;
    }

    private FinalizationReport snapshot() {
        return report.openGuards(lastGuards).threads(lastThreads)
                .total(Duration.ofNanos(System.nanoTime() - startNanos)).build();
    }

    private FinalizationReport finish(Outcome outcome) {
        report.outcome(outcome);
        FinalizationReport r = snapshot();
        VigilEvents.finalization(r); // JFR
        return r;
    }

    /** The policy's read-only view of this wait; lists are taken once, on first use. */
    private final class Context implements WaitContext {
        private final Phase phase;
        private final Duration waited = Finalization.this.waited(); // not Context.waited(): that reads this field
        private final int interrupts = handled;
        private List<GuardInfo> guards;
        private List<String> threads;

        Context(Phase phase) {
            this.phase = phase;
        }

        @Override public Interpreter interpreter() { return rec; }
        @Override public Phase phase() { return phase; }
        @Override public Duration waited() { return waited; }
        @Override public int interrupts() { return interrupts; }
        @Override public Optional<Duration> holdersInterruptedAt() { return Optional.ofNullable(holdersInterruptedAt); }

        @Override
        public List<GuardInfo> openGuards() {
            if (guards == null) {
                guards = List.copyOf(kernel.guardDirectory().openGuards(rec.id()));
            }
            return guards;
        }

        @Override
        public List<String> threads() {
            if (threads == null) {
                threads = List.copyOf(threadNames());
            }
            return threads;
        }
    }
}
