package dev.vigil.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.vigil.api.InterpreterGuard;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * G4 and G6 at diagnostics {@code simple}: one tracked guard closed on a thread other than its
 * holder while a second thread lists and then closes the same guard again. The guard is a
 * ledger guard: the CAS that frees its ledger entry is at once its close gate, its uncount and
 * the end of its listing. So exactly one close uncounts (a second close can never release
 * another holder's protection), and an observer that sees the count dropped must not list the
 * guard: a guard listed after its close was seen is forbidden. The observer reads the count first, then the listing; the arbiter
 * reads both once the actors are done. (Two actors: jcstress runs no more actors than cores.)
 */
@JCStressTest
@Description("G4/G6 at simple: a guard closed twice concurrently is uncounted once, and never listed after its close")
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "observed before either close; uncounted once")
@Outcome(id = "1, 0, 0, 0", expect = ACCEPTABLE, desc = "the close landed between the observer's two reads")
@Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "observed after the close")
@Outcome(id = "0, 1, .*", expect = FORBIDDEN, desc = "LISTED AFTER CLOSE: the count had dropped, the listing still showed the guard")
@Outcome(expect = FORBIDDEN, desc = "closed twice (count below zero) or still listed or counted at the end")
@State
public class GuardListedAfterClose {

    private final InterpreterRecord interpreter = RaceRuntime.newTrackedInterpreter();
    private final InterpreterGuard guard = RaceRuntime.TRACKED_GUARDS.fromView(
            RaceRuntime.TRACKED_GUARDS.viewOf(interpreter)).orElseThrow();

    @Actor
    public void close() {
        guard.close();
    }

    @Actor
    public void observeThenCloseAgain(IIII_Result r) {
        r.r1 = interpreter.openGuardCount();
        r.r2 = RaceRuntime.listed(interpreter);
        guard.close();
    }

    @Arbiter
    public void after(IIII_Result r) {
        r.r3 = interpreter.openGuardCount();
        r.r4 = RaceRuntime.listed(interpreter);
    }
}
