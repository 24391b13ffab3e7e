package dev.vigil.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.vigil.api.InterpreterView;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZZ_Result;

/**
 * G3 and G5: a guard taken ({@code guards.fromView}) concurrently with the finalizer's point
 * of no return ({@link InterpreterRecord#tryPassPointOfNoReturn}, F1 step 5) — never both.
 *
 * <p>The guard is one {@code getAndAdd} on the guard word, the point of no return one CAS on
 * it; whichever is ordered first makes the other fail. An acquire that checked CLOSED and then
 * counted in two steps, or a point of no return that read the count and then set CLOSED with a
 * plain write, would show {@code true, true, *}. The arbiter checks that the word agrees:
 * the refused side left nothing behind, the successful guard is still counted.
 */
@JCStressTest
@Description("G3/G5: a guard racing the point of no return; never both succeed")
@Outcome(id = "true, false, true", expect = ACCEPTABLE, desc = "guard first; the point of no return is refused while it is open (G3)")
@Outcome(id = "false, true, true", expect = ACCEPTABLE, desc = "point of no return first; the guard is refused for good (G5)")
@Outcome(id = "true, true, .*", expect = FORBIDDEN, desc = "both: a guard is open past the point of no return")
@Outcome(id = "false, false, .*", expect = FORBIDDEN, desc = "neither: a guard was refused though nothing closed the interpreter")
@Outcome(expect = FORBIDDEN, desc = "the guard word disagrees with what the actors saw")
@State
public class GuardVsPointOfNoReturn {

    private final InterpreterRecord interpreter = RaceRuntime.newInterpreter();
    private final InterpreterView view = RaceRuntime.GUARDS.viewOf(interpreter);

    @Actor
    public void guard(ZZZ_Result r) {
        r.r1 = RaceRuntime.GUARDS.fromView(view).isPresent(); // left open: it must hold the interpreter
    }

    @Actor
    public void finalizer(ZZZ_Result r) {
        r.r2 = interpreter.tryPassPointOfNoReturn(0);
    }

    @Arbiter
    public void word(ZZZ_Result r) {
        int expectedGuards = r.r1 && !r.r2 ? 1 : 0;
        r.r3 = interpreter.isPastPointOfNoReturn() == r.r2 && interpreter.openGuardCount() == expectedGuards;
    }
}
