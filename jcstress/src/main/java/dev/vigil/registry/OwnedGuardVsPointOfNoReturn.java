package dev.vigil.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import java.util.Optional;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZZZ_Result;

/**
 * T3 with G3/G5 at diagnostics {@code simple}: {@code ensureFromView} — whose owned guard is
 * an entry of the thread's ledger, reused from call to call without allocation — racing the
 * point of no return. While the token is open the interpreter must not be past it; a refused
 * ensure means the point was passed. The ensuring actor checks while attached, then releases;
 * the arbiter checks that the release left nothing counted or listed.
 */
@JCStressTest
@Description("T3/G3/G5 at simple: ensureFromView's owned guard racing the point of no return")
@Outcome(id = "true, false, false, true", expect = ACCEPTABLE, desc = "attached first; the point of no return refused while attached")
@Outcome(id = "true, true, false, true", expect = ACCEPTABLE, desc = "attached and released; the point of no return passed after")
@Outcome(id = "false, true, false, true", expect = ACCEPTABLE, desc = "point of no return first; the ensure is refused")
@Outcome(id = "true, .*, true, .*", expect = FORBIDDEN, desc = "ATTACHED PAST THE POINT OF NO RETURN")
@Outcome(id = "false, false, .*", expect = FORBIDDEN, desc = "refused though nothing closed the interpreter")
@Outcome(expect = FORBIDDEN, desc = "something stayed counted or listed after the release")
@State
public class OwnedGuardVsPointOfNoReturn {

    private final InterpreterRecord interpreter = RaceRuntime.newTrackedInterpreter();
    private final InterpreterView view = RaceRuntime.TRACKED_GUARDS.viewOf(interpreter);

    @Actor
    public void ensure(ZZZZ_Result r) {
        Optional<ThreadStateToken> token = RaceRuntime.TRACKED_THREAD_STATES.ensureFromView(view);
        r.r1 = token.isPresent();
        if (token.isPresent()) {
            r.r3 = interpreter.isPastPointOfNoReturn();
            token.get().close();
        }
    }

    @Actor
    public void finalizer(ZZZZ_Result r) {
        r.r2 = interpreter.tryPassPointOfNoReturn(0);
    }

    @Arbiter
    public void after(ZZZZ_Result r) {
        r.r4 = interpreter.openGuardCount() == 0 && RaceRuntime.listed(interpreter) == 0;
    }
}
