package dev.vigil.registry;

import static dev.vigil.registry.InterpreterRecord.THREAD_MASK;
import static dev.vigil.registry.InterpreterRecord.THREAD_UNIT;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.FinalizationReport.Outcome;
import dev.vigil.api.FinalizationReport.Phase;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.WaitCycle;
import dev.vigil.registry.InterpreterRecord.Callback;
import dev.vigil.registry.jfr.VigilEvents;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.WaitContext;
import dev.vigil.spi.WaitDecision;
import dev.vigil.spi.kernel.EngineBinding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
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
     * rounds: a policy's timeout bounds the whole wait of a shutdown. A hook's wait has a clock
     * of its own (a policy's timeout bounds each hook), which does not start the shutdown's.
     *
     * An interrupt of the finalizing thread is an interrupt too; its status is consumed to be
     * able to park, and set again when run() ends — by the outermost attempt on the thread,
     * when main finalizes a subinterpreter on its own thread, so that it is counted once.
     *
     * Wait-for cycles (DESIGN.md §5). Every wait registers a node in the process-wide
     * WaitGraph (its edges: the holders of the open guards, the running non-daemon threads,
     * or the hook's thread) and searches it when the wait starts (the wait that closes a
     * cycle finds it, see WaitGraph) and whenever it re-decides; a member of a cycle found by
     * another wait is woken (cycleSignal) to re-decide. A cycle found is reported at once, by
     * name, in the report and as a notice, and given to the policy in WaitContext.cycle(); a
     * guard of the finalizing thread itself (F5) is the one-link cycle. Nothing of this runs
     * on the guard and ensure paths.
     *
     * Engines (DESIGN.md §6). An engine bound to the interpreter (EngineBinding) names what the
     * holders run in the guard lists (Context.openGuards, so decisions, progress lines and the
     * report), is told right after the holders were interrupted, and is told once, right after
     * the point of no return and before the interpreter leaves the registry, to close; what it
     * throws is reported, never propagated: nothing after the point of no return can fail.
     *
     * Nothing dropped. An interrupt that arrives while a finalization-requested listener or an
     * atexit hook runs (runtime.interrupt(), a signal, an interrupt of the finalizing thread)
     * is counted and decided by the policy (onInterrupt) when the listener or hook returns,
     * before anything else happens. Listeners run on the finalizing thread, as CPython's
     * atexit does, so that they see its identity; an interrupt of that thread during one
     * reaches the listener and is taken back (and restored at the end of run()) when it
     * returns. Hooks run one after another on a daemon thread of the attempt ("hook runner"),
     * so that a hung hook can be left behind: the finalizer waits for each hook as for
     * anything else, under the policy, on a clock of the hook's own (WaitContext.hook()):
     * WAIT waits (daemon-hang: for ever, as CPython waits for its atexit functions; the report
     * shows which hook runs, and for how long), INTERRUPT_HOLDERS interrupts the hook's thread,
     * ABORT leaves the hook running on its thread, reports it and goes on with the next hook on
     * a fresh runner. An interrupt during a hook interrupts the hook's thread (as Ctrl-C raises
     * KeyboardInterrupt in a CPython atexit function) and is decided when it returns. Every
     * hook starts with its thread's interrupt status clear. A listener or hook that throws is
     * reported by name and the others run.
     */

    /** The shortest park between two questions to the policy, as for late attaches. */
    private static final long MIN_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long a hook may run before the shutdown treats it as a wait (events, policy). */
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final RegistryKernel kernel;
    private final InterpreterRecord rec;
    private final Thread thread = Thread.currentThread();
    private final long startNanos = System.nanoTime();
    private final FinalizationReport.Builder report;
    /** Interrupts delivered to this attempt while it waited (S2); written by any thread. */
    private final AtomicInteger delivered = new AtomicInteger();
    private volatile boolean waiting;
    /** The listener or hook running now, else null: interrupts are accepted while it runs. */
    private volatile Callback running;
    /** Set (then the thread unparked) when another wait found a cycle this attempt is in. */
    private volatile boolean cycleSignal;

    private int handled;
    /** Interrupts passed on to the hook running when they arrived (they stay to be decided). */
    private int forwarded;
    /** Whether the thread's interrupt status was consumed; restored when run() ends. */
    private boolean consumedInterrupt;
    /** The shutdown's clock, started the first time it has to wait or decide. */
    private Clock clock;
    /** The wait in progress, else null. */
    private Wait current;
    private int seenPolicyVersion;
    private List<GuardInfo> lastGuards = List.of();
    private List<String> lastThreads = List.of();
    private String lastCycle = "";
    private int runners;

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
                timed(Phase.JOIN_THREADS, () -> awaitWord(Phase.JOIN_THREADS, w -> (w & THREAD_MASK) == own));
                timed(Phase.AT_EXIT, this::runHooks);
                if (rec.isMain() && !kernel.subinterpretersNewestFirst().isEmpty()) {
                    timed(Phase.SUBINTERPRETERS, this::finalizeSubinterpreters); // created while main waited
                }
                timed(Phase.WAIT_GUARDS, () -> awaitWord(Phase.WAIT_GUARDS, rec::noGuardOpen));
            } while (!rec.tryPassPointOfNoReturn(own));
            report.rounds(rounds);
            event("point of no return passed after " + rounds + (rounds == 1 ? " round" : " rounds"));
            rec.state(InterpreterState.FINALIZING);
            timed(Phase.FINALIZE, () -> {
                tellEngine(rec.takeEngine(), "closing", EngineBinding::pastPointOfNoReturn); // DESIGN.md §6
                kernel.remove(rec);
            });
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

    /**
     * Delivers an interrupt if this attempt is waiting or running a listener or hook (S2);
     * returns whether it was. One that arrives during a listener or hook is decided when it
     * returns.
     */
    boolean deliverInterrupt() {
        if (!waiting && running == null) {
            return false;
        }
        delivered.incrementAndGet();
        LockSupport.unpark(thread);
        return true;
    }

    /** For progress lines: the policy's view of the wait now, or null if the attempt is not waiting. */
    WaitContext waitingContext() {
        Wait w = current; // written before the volatile `waiting`, cleared after it
        return waiting && w != null ? new Context(w.phase, w, null) : null;
    }

    /** Wakes the attempt so that it re-decides (policy swap, P4). */
    void wake() {
        LockSupport.unpark(thread);
    }

    // ---- steps

    /** F1 step 1, on this thread; an interrupt meanwhile is decided after each listener. */
    private void notifyListeners() {
        for (Callback l : rec.finalizationListeners()) {
            running = l;
            try {
                l.task().run();
            } catch (RuntimeException | Error e) {
                failure(l.name(), e);
            } finally {
                running = null;
            }
            decideInterrupts(Phase.NOTIFY);
        }
    }

    /**
     * F1 step 3: each hook on the runner, waited for under the policy; interrupts decided after.
     * If the policy aborts meanwhile (F6), the hooks not yet run are registered again, in
     * order, for the retry: none is dropped.
     */
    private void runHooks() {
        HookRunner runner = null;
        List<Callback> hooks = rec.drainHooks();
        int notRun = 0; // hooks.get(notRun) onwards have not been handed to a runner
        try {
            for (Callback h : hooks) {
                if (runner == null) {
                    runner = new HookRunner();
                }
                HookRun run = runner.submit(h);
                notRun++;
                running = h;
                try {
                    if (!awaitHook(run)) {
                        runner.finish(); // left behind with its hung hook, it ends when the hook returns
                        runner = null; // the next hook gets a fresh thread
                    }
                } finally {
                    running = null;
                }
                run.failure.ifPresent(e -> failure(h.name(), e));
                if (notRun < hooks.size()) {
                    decideInterrupts(Phase.AT_EXIT); // may abort: the rest is then registered again
                }
            }
        } finally {
            if (runner != null) {
                runner.finish();
            }
            if (notRun < hooks.size()) {
                rec.restoreHooks(hooks.subList(notRun, hooks.size()));
            }
        }
        decideInterrupts(Phase.AT_EXIT);
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

    /** A policy's clock: from when the wait began, and when the holders were interrupted on it. */
    private static final class Clock {
        final long startNanos = System.nanoTime();
        Duration holdersInterruptedAt;

        Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - startNanos);
        }
    }

    /**
     * One wait of this attempt, and its node in the wait-for graph: on the guard word (guards,
     * threads), or on a hook's run (then {@code run} is set and has a clock of its own).
     */
    private final class Wait extends WaitGraph.Node {
        final Phase phase;
        final BooleanSupplier done;
        final Clock waitClock;
        final HookRun run;

        Wait(Phase phase, BooleanSupplier done, Clock waitClock, HookRun run) {
            this.phase = phase;
            this.done = done;
            this.waitClock = waitClock;
            this.run = run;
        }

        @Override
        WaitCycle.WaitKind kind() {
            return run != null ? WaitCycle.WaitKind.SHUTDOWN_WAITS_FOR_HOOK
                    : phase == Phase.JOIN_THREADS ? WaitCycle.WaitKind.SHUTDOWN_WAITS_FOR_THREADS
                    : WaitCycle.WaitKind.SHUTDOWN_WAITS_FOR_GUARDS;
        }

        @Override
        InterpreterRecord interpreter() {
            return rec;
        }

        @Override
        Map<Long, List<GuardInfo>> waitsOn() {
            Map<Long, List<GuardInfo>> on = new HashMap<>();
            if (run != null) {
                on.put(run.runner.getId(), List.of());
            } else if (phase == Phase.JOIN_THREADS) {
                for (Thread t : rec.liveThreads) {
                    if (t != thread) {
                        on.put(t.getId(), List.of());
                    }
                }
            } else {
                for (GuardInfo g : kernel.guardDirectory().openGuards(rec.id())) {
                    on.computeIfAbsent(g.holderThreadId(), id -> new ArrayList<>()).add(g);
                }
            }
            return on;
        }

        @Override
        void cycleFound() {
            cycleSignal = true;
            LockSupport.unpark(thread);
        }
    }

    /** Waits on the guard word until {@code done} holds of it, on the shutdown's clock. */
    private void awaitWord(Phase phase, LongPredicate done) {
        if (done.test(rec.word())) {
            return;
        }
        rec.beginWaiting();
        try {
            await(new Wait(phase, () -> done.test(rec.word()), shutdownClock(), null));
        } finally {
            rec.endWaiting();
        }
    }

    /**
     * Waits for a hook to return, on a clock of its own; false if the policy had it left behind.
     */
    private boolean awaitHook(HookRun run) {
        try {
            await(new Wait(Phase.AT_EXIT, () -> run.done, new Clock(), run));
            return true;
        } catch (Abort a) {
            String text = run.hook.name() + " hung: left running on thread \"" + run.runner.getName() + "\" after "
                    + run.elapsed().toMillis() + " ms (" + a.getMessage() + "); going on with the other hooks";
            event(text);
            kernel.log(Notices.FINALIZATION, System.Logger.Level.WARNING, "[vigil] " + rec.name() + ": " + text);
            return false;
        }
    }

    private Clock shutdownClock() {
        if (clock == null) {
            clock = new Clock();
        }
        return clock;
    }

    /**
     * The park loop (see the overview): re-decides after every wake-up until {@code w.done}.
     * Throws Abort when the policy aborts.
     */
    private void await(Wait w) {
        if (w.done.getAsBoolean()) {
            return;
        }
        seenPolicyVersion = kernel.policyVersion(); // the first question goes to the policy active now
        current = w;
        waiting = true;
        kernel.waiting(this); // progress lines (vigil.progress)
        try {
            WaitGraph.enter(w); // the cycle this wait closes, if any, is reported by the first ask
            if (w.run != null && returnsQuietly(w)) {
                return;
            }
            event("waiting: " + describe(w));
            WaitDecision d = carryOut(ask(w.phase, FinalizationPolicy::onWait), w.phase);
            for (;;) {
                if (w.done.getAsBoolean()) {
                    return;
                }
                if (Thread.interrupted()) {
                    consumedInterrupt = true;
                    delivered.incrementAndGet(); // an interrupt of the finalizing thread is one too
                }
                if (w.run != null) {
                    forwardInterrupts(w.run);
                } else {
                    d = decideInterrupts(w.phase, d);
                }
                int version = kernel.policyVersion();
                if (version != seenPolicyVersion) {
                    seenPolicyVersion = version;
                    event("policy is now " + kernel.policies().active() + "; re-deciding");
                    d = carryOut(ask(w.phase, FinalizationPolicy::onWait), w.phase);
                }
                if (cycleSignal) {
                    cycleSignal = false;
                    d = carryOut(ask(w.phase, FinalizationPolicy::onWait), w.phase);
                }
                Optional<Duration> until = d.until();
                if (until.isPresent() && w.waitClock.elapsed().compareTo(until.get()) >= 0) {
                    d = carryOut(ask(w.phase, FinalizationPolicy::onWait), w.phase);
                    until = d.until();
                }
                if (w.done.getAsBoolean()) {
                    return;
                }
                if (until.isPresent()) {
                    // at least 1 ms: a deadline already reached ("ask again now") must not spin
                    long remaining = until.get().minus(w.waitClock.elapsed()).toNanos();
                    LockSupport.parkNanos(this, Math.max(remaining, MIN_PARK_NANOS));
                } else {
                    LockSupport.park(this);
                }
            }
        } finally {
            WaitGraph.leave(w);
            waiting = false;
            current = null;
        }
    }

    /**
     * Whether a hook returns within {@link #QUIET_NANOS}: then it was no wait (no event, no
     * question), though in the wait-for graph all along — a hook that calls a shutdown which
     * waits for this one is refused at once.
     */
    private boolean returnsQuietly(Wait w) {
        for (long left = QUIET_NANOS; !w.done.getAsBoolean() && left > 0 && forwarded == delivered.get()
                && !thread.isInterrupted(); left = QUIET_NANOS - w.waitClock.elapsed().toNanos()) {
            LockSupport.parkNanos(this, left); // the runner unparks this thread when the hook returns
        }
        return w.done.getAsBoolean();
    }

    /** Asks the policy about every interrupt not yet decided (P2b); returns the decision to follow. */
    private WaitDecision decideInterrupts(Phase phase, WaitDecision d) {
        while (handled < delivered.get()) {
            handled++;
            report.interruptsDelivered(handled);
            event("interrupt #" + handled + " delivered");
            d = carryOut(ask(phase, FinalizationPolicy::onInterrupt), phase);
        }
        return d;
    }

    /**
     * After a listener or hook returned: takes back an interrupt of this thread it left set,
     * and has the policy decide every interrupt that arrived meanwhile (nothing dropped).
     */
    private void decideInterrupts(Phase phase) {
        if (Thread.interrupted()) {
            consumedInterrupt = true;
            delivered.incrementAndGet();
        }
        if (handled < delivered.get()) {
            shutdownClock();
            decideInterrupts(phase, WaitDecision.waitForever());
        }
    }

    /** During a hook: each new interrupt interrupts the hook's thread; the policy decides it when the hook returns. */
    private void forwardInterrupts(HookRun run) {
        while (forwarded < delivered.get()) {
            forwarded++;
            event("interrupt #" + forwarded + " during " + run.hook.name() + ": its thread \"" + run.runner.getName()
                    + "\" is interrupted; the policy decides when it returns");
            run.runner.interrupt();
        }
    }

    private String describe(Wait w) {
        if (w.run != null) {
            return w.run.hook.name() + " on thread \"" + w.run.runner.getName() + "\"";
        }
        return w.phase == Phase.JOIN_THREADS
                ? rec.runningThreadCount() + " non-daemon thread(s) " + threadNames()
                : rec.openGuardCount() + " open guard(s)";
    }

    private WaitDecision ask(Phase phase, BiFunction<FinalizationPolicy, WaitContext, WaitDecision> question) {
        FinalizationPolicy policy = kernel.activePolicy();
        report.finalPolicy(policy.name());
        Wait w = current;
        WaitCycle cycle = w == null ? null : WaitGraph.find(w).orElse(null);
        if (cycle != null) {
            reportCycle(cycle);
        }
        Context ctx = new Context(phase, w, cycle);
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

    /** Reports a cycle at once, by name — once per cycle (F7, DESIGN.md §5). */
    private void reportCycle(WaitCycle cycle) {
        report.cycle(cycle);
        String key = cycle.threads();
        if (!key.equals(lastCycle)) {
            lastCycle = key;
            String nl = System.lineSeparator();
            event(cycle.toString().replace(nl, nl + "           "));
            kernel.log(Notices.FINALIZATION, System.Logger.Level.WARNING, "[vigil] " + rec.name() + ": " + cycle + nl + "    none of these waits can end by waiting;"
                    + " policy " + kernel.policies().active() + " decides");
        }
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
        Wait w = current;
        if (w != null && w.run != null) {
            w.waitClock.holdersInterruptedAt = w.waitClock.elapsed();
            w.run.runner.interrupt();
            event("interrupted the thread \"" + w.run.runner.getName() + "\" of " + w.run.hook.name());
            return;
        }
        Clock c = shutdownClock();
        c.holdersInterruptedAt = c.elapsed();
        int n = kernel.guardDirectory().interruptHolders(rec.id());
        for (Thread t : rec.liveThreads) {
            if (t != thread) {
                t.interrupt();
                n++;
            }
        }
        event("interrupted " + n + " holder thread(s)");
        tellEngine(rec.engine(), "relaying the interrupt", EngineBinding::holdersInterrupted); // DESIGN.md §6
    }

    /** Tells the engine bound to the interpreter, if any (DESIGN.md §6); a failure is reported, not propagated. */
    private void tellEngine(EngineBinding engine, String what, Consumer<EngineBinding> call) {
        if (engine == null) {
            return;
        }
        try {
            call.accept(engine);
        } catch (RuntimeException | Error e) {
            failure("engine " + engine + " " + what, e);
        }
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

    // ---- hooks on a thread of their own

    /** One hook's run on a runner: done and its failure are written by the runner, read after done. */
    private static final class HookRun {
        final Callback hook;
        final Thread runner;
        final long startNanos = System.nanoTime();
        volatile boolean done;
        volatile Optional<Throwable> failure = Optional.empty();

        HookRun(Callback hook, Thread runner) {
            this.hook = hook;
            this.runner = runner;
        }

        Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - startNanos);
        }
    }

    /**
     * A daemon thread that runs this attempt's hooks one at a time, each with its interrupt
     * status clear, and unparks the finalizer when one returns. It ends when finished; one left
     * behind with a hung hook is finished at once and ends when that hook returns (a daemon, it
     * keeps no JVM alive meanwhile).
     */
    private final class HookRunner implements Runnable {
        private final BlockingQueue<HookRun> queue = new LinkedBlockingQueue<>();
        private final Thread runner;

        HookRunner() {
            runner = new Thread(this, "vigil-" + rec.name() + "-atexit-" + (++runners));
            runner.setDaemon(true);
            runner.start();
        }

        HookRun submit(Callback hook) {
            HookRun run = new HookRun(hook, runner);
            queue.add(run);
            return run;
        }

        void finish() {
            queue.add(new HookRun(null, runner));
        }

        @Override
        public void run() {
            for (;;) {
                HookRun run;
                try {
                    run = queue.take();
                } catch (InterruptedException e) {
                    continue; // an interrupt meant for a hook that already returned
                }
                if (run.hook == null) {
                    return;
                }
                Thread.interrupted(); // each hook starts with a clear interrupt status
                try {
                    run.hook.task().run();
                } catch (RuntimeException | Error e) {
                    run.failure = Optional.of(e);
                } finally {
                    run.done = true;
                    LockSupport.unpark(thread);
                }
            }
        }
    }

    /** The policy's read-only view of this wait; lists are taken once, on first use. */
    private final class Context implements WaitContext {
        private final Phase phase;
        private final Duration waited;
        private final Duration interruptedAt;
        private final int interrupts = handled;
        private final WaitCycle cycle;
        private final Optional<String> hook;
        private List<GuardInfo> guards;
        private List<String> threads;

        /** The context of wait {@code w} (for an interrupt decided outside a wait: null), on its clock. */
        Context(Phase phase, Wait w, WaitCycle cycle) {
            this.phase = phase;
            Clock c = w == null ? shutdownClock() : w.waitClock;
            this.waited = c.elapsed();
            this.interruptedAt = c.holdersInterruptedAt;
            this.cycle = cycle;
            this.hook = w == null || w.run == null ? Optional.empty() : Optional.of(w.run.hook.name());
        }

        @Override public Interpreter interpreter() { return rec; }
        @Override public Phase phase() { return phase; }
        @Override public Duration waited() { return waited; }
        @Override public int interrupts() { return interrupts; }
        @Override public Optional<Duration> holdersInterruptedAt() { return Optional.ofNullable(interruptedAt); }
        @Override public Optional<WaitCycle> cycle() { return Optional.ofNullable(cycle); }
        @Override public Optional<String> hook() { return hook; }

        @Override
        public List<GuardInfo> openGuards() {
            if (guards == null) {
                guards = rec.withEngineActivity(List.copyOf(kernel.guardDirectory().openGuards(rec.id())));
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
