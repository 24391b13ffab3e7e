package dev.vigil.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import java.util.Optional;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * T3 with G3/G5: {@code threadStates.ensureFromView(view)} racing {@code shutdown} of that
 * interpreter. Either the ensure attaches the thread and, while its token is open, the
 * interpreter stays before its point of no return (RUNNING or SHUTTING_DOWN, and
 * {@code current()} names it), or the ensure returns empty and the interpreter is past its
 * point of no return. Never an attached thread past it.
 *
 * <p>The ensuring actor releases its token at once, so the shutdown's wait is short; the
 * test's policy bounds it anyway, and the arbiter tells a lost wake-up (the shutdown returned
 * seconds after the release) from a late release as {@link LastCloseVsFinalizerWait} does.
 * An ensure that attached before taking its owned guard, or took the guard with a
 * check-then-count, would show {@code 1, *}.
 *
 * <p>Samples alternate between the runtime at diagnostics off, where the owned guard is a
 * word guard, and the one at simple (the default), where it is a ledger guard, published in
 * the thread's ledger and confirmed against the word, and released by a volatile write
 * followed by a read of the word.
 *
 * <p>Odd samples race unpaced (the ensure then nearly always wins: the shutdown has
 * microseconds of work before its point of no return); even samples start the ensure after
 * the shutdown started, with a delay that sweeps from sample to sample across the shutdown's
 * wait and its point of no return ({@link RaceRuntime#sweepIntoShutdown}).
 */
@JCStressTest
@Description("T3: ensureFromView racing shutdown; never attached past the point of no return")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "ensure first: attached and guarded until released; shutdown completed after")
@Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "shutdown first: ensureFromView empty, interpreter past its point of no return")
@Outcome(id = "0, 2", expect = ACCEPTABLE_INTERESTING, desc = "the release came late (ensuring actor stalled for seconds); the wait hit its bound")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "ATTACHED PAST THE POINT OF NO RETURN while the token was open")
@Outcome(id = "3, .*", expect = FORBIDDEN, desc = "ensureFromView empty although the interpreter was not past its point of no return")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "LOST WAKE-UP: shutdown slept through the release until its deadline")
@Outcome(expect = FORBIDDEN, desc = "shutdown failed otherwise, or left the interpreter in a wrong state")
@State
public class EnsureFromViewVsShutdown {

    static final int ATTACHED = 0;
    static final int ATTACHED_PAST_POINT_OF_NO_RETURN = 1;
    static final int REFUSED = 2;
    static final int REFUSED_TOO_EARLY = 3;

    static final int COMPLETED = 0;
    static final int LOST_WAKE_UP = 1;
    static final int RELEASE_CAME_LATE = 2;
    static final int BROKEN = 3;

    private final int pace = RaceRuntime.nextPace();
    /** Which way the owned guard is counted: a ledger guard (simple) or a word guard (off), alternately. */
    private final boolean tracked = RaceRuntime.nextTracked();
    private final InterpreterRecord interpreter = RaceRuntime.newInterpreter(tracked);
    private final InterpreterView view = RaceRuntime.guards(tracked).viewOf(interpreter);
    private long releasedAt;
    private long calledAt;
    private long returnedAt;
    private FinalizationReport report;

    @Actor
    public void ensure(II_Result r) {
        if ((pace & 1) == 0) {
            RaceRuntime.sweepIntoShutdown(interpreter, pace >>> 1);
        }
        Optional<ThreadStateToken> token = RaceRuntime.threadStates(tracked).ensureFromView(view);
        if (token.isEmpty()) {
            r.r1 = interpreter.isPastPointOfNoReturn() ? REFUSED : REFUSED_TOO_EARLY;
            return;
        }
        InterpreterState s = interpreter.state();
        boolean before = !interpreter.isPastPointOfNoReturn()
                && (s == InterpreterState.RUNNING || s == InterpreterState.SHUTTING_DOWN)
                && RaceRuntime.threadStates(tracked).current().orElse(null) == interpreter;
        token.get().close();
        r.r1 = before ? ATTACHED : ATTACHED_PAST_POINT_OF_NO_RETURN;
        releasedAt = System.nanoTime();
    }

    @Actor
    public void shutdown(II_Result r) {
        RaceRuntime.dropStalePermit();
        calledAt = System.nanoTime();
        report = RaceRuntime.shutdownReport(interpreter);
        returnedAt = System.nanoTime();
    }

    @Arbiter
    public void outcome(II_Result r) {
        if (r.r1 == ATTACHED && RaceRuntime.lostWakeUp(calledAt, releasedAt, returnedAt)) {
            r.r2 = LOST_WAKE_UP;
        } else if (report.outcome() == FinalizationReport.Outcome.ABORTED) {
            r.r2 = RELEASE_CAME_LATE;
        } else {
            boolean finalized = report.outcome() == FinalizationReport.Outcome.COMPLETED
                    && interpreter.state() == InterpreterState.FINALIZED && interpreter.isPastPointOfNoReturn()
                    && RaceRuntime.threadStates(tracked).ensureFromView(view).isEmpty();
            r.r2 = finalized ? COMPLETED : BROKEN;
        }
    }
}
