package dev.vigil.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterState;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * F2, no lost wake-up: the last guard's close racing the real finalizer's wait registration.
 *
 * <p>One guard is open. One actor closes it; the other runs {@code shutdown} — the production
 * {@link Finalization}, whose wait on guards checks the word, registers as its waiter
 * ({@code beginWaiting}: publish the thread, set WAITING), re-checks the word and parks. The
 * test's policy bounds that wait ({@link RaceRuntime#WAIT_BOUND}), so a finalizer that sleeps
 * through the close wakes at its deadline instead of never, sees the count at zero and
 * completes — seconds after the close instead of microseconds. The arbiter calls a shutdown
 * that returned more than half the bound after the close a lost wake-up; one that aborted
 * with the close later than that, a close that came late (its actor stalled for seconds).
 *
 * <p>What it catches: any protocol in which a close landing somewhere between the finalizer's
 * check and its park goes unnoticed. Among them:
 * <ul>
 * <li>check, then register, then park without re-checking (the race found in review of
 *     CPython's implementation): a close between the check and the WAITING bit sees no
 *     waiter and unparks no one, and the finalizer parks with no guard left;
 * <li>a release that reads WAITING and then decrements in a second step: if the finalizer
 *     registers and re-checks (count still 1) in between, the release never unparks;
 * <li>a wrong last-close test in the release (say, on the count after instead of before), or
 *     a guard-word update that drops the WAITING bit (a plain write, a CAS to a fresh word).
 * </ul>
 * (Publishing {@code waiter} after setting WAITING is no bug here, as a run with that mutant
 * confirms: the finalizer re-checks the word after both writes, so a release it would miss
 * comes after that re-check in the word's order, and its read of {@code waiter} after the write.)
 *
 * <p>Samples alternate between the two ways a guard is counted. A word guard (diagnostics
 * off): its release is one add on the word that sees WAITING. A ledger guard (simple, the
 * default): its close is a CAS on its ledger entry followed by a read of the word, and the
 * finalizer sets WAITING and then counts the ledgers (a Dekker pair). There a close that read
 * the word before its CAS, or a finalizer that counted before setting WAITING, loses the
 * wake-up.
 *
 * <p>Left alone, the close nearly always lands before the finalizer even reaches its wait (the
 * finalizer has microseconds of work before it, the closer none), so the closer is paced
 * (field {@code pace}): in odd samples it waits until it sees WAITING, so that the close races
 * the re-check and the park; in even samples it waits until the shutdown has started and then
 * for a delay that sweeps 0 to about 55 µs on a log scale from sample to sample, so that over
 * a run the close lands at every point of the finalizer's path, the check and the
 * registration among them. Every wait is bounded, so the actor ends even if the finalizer's thread lags. The
 * closer reads the word just before closing: the first result says whether the finalizer
 * was registered by then.
 */
@JCStressTest
@Description("F2: the last guard close racing the finalizer's wait registration; no lost wake-up")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "closed before the finalizer registered; shutdown completed")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "closed while the finalizer was registered; it was woken and completed")
@Outcome(id = "[01], 2", expect = ACCEPTABLE_INTERESTING, desc = "the close came late (closing actor stalled for seconds); the wait hit its bound")
@Outcome(id = "[01], 1", expect = FORBIDDEN, desc = "LOST WAKE-UP: the finalizer slept through the last close until its deadline")
@Outcome(expect = FORBIDDEN, desc = "shutdown failed otherwise, or left the interpreter in a wrong state")
@State
public class LastCloseVsFinalizerWait {

    static final int COMPLETED = 0;
    static final int LOST_WAKE_UP = 1;
    static final int CLOSE_CAME_LATE = 2;
    static final int BROKEN = 3;

    /** Odd: close once the finalizer is registered; even (2k): close the kth sweep delay into the shutdown. */
    private final int pace = RaceRuntime.nextPace();
    /** Which way the guard is counted: a ledger guard (simple) or a word guard (off), alternately. */
    private final boolean tracked = RaceRuntime.nextTracked();
    private final InterpreterRecord interpreter = RaceRuntime.newInterpreter(tracked);
    private final InterpreterGuard guard = RaceRuntime.guards(tracked)
            .fromView(RaceRuntime.guards(tracked).viewOf(interpreter)).orElseThrow();
    private long closedAt;
    private long calledAt;
    private long returnedAt;
    private FinalizationReport report;

    @Actor
    public void lastClose(II_Result r) {
        if ((pace & 1) != 0) {
            RaceRuntime.awaitWaiting(interpreter);
        } else {
            RaceRuntime.sweepIntoShutdown(interpreter, pace >>> 1);
        }
        r.r1 = (interpreter.word() & InterpreterRecord.WAITING) != 0 ? 1 : 0;
        guard.close();
        closedAt = System.nanoTime();
    }

    @Actor
    public void finalizer(II_Result r) {
        RaceRuntime.dropStalePermit();
        calledAt = System.nanoTime();
        report = RaceRuntime.shutdownReport(interpreter);
        returnedAt = System.nanoTime();
    }

    @Arbiter
    public void outcome(II_Result r) {
        if (RaceRuntime.lostWakeUp(calledAt, closedAt, returnedAt)) {
            r.r2 = LOST_WAKE_UP;
        } else if (report.outcome() == FinalizationReport.Outcome.ABORTED) {
            r.r2 = CLOSE_CAME_LATE;
        } else {
            boolean finalized = report.outcome() == FinalizationReport.Outcome.COMPLETED
                    && interpreter.state() == InterpreterState.FINALIZED && interpreter.isPastPointOfNoReturn();
            r.r2 = finalized ? COMPLETED : BROKEN;
        }
    }
}
