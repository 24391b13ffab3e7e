package dev.vigil.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterView;
import java.util.Optional;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZZ_Result;

/**
 * G3, G5 and G6 at diagnostics {@code simple}: a tracked guard taken concurrently with the
 * point of no return — never both — and listed exactly when it is counted. The tracked open
 * counts on the guard word first and only then claims and publishes its ledger entry, so a
 * refused open must leave no entry behind and a counted one must be listed. The arbiter checks
 * the word and the listing against what the actors saw, then closes the guard (so that ledgers
 * do not grow with samples) and checks that it is unlisted.
 */
@JCStressTest
@Description("G3/G5/G6 at simple: a tracked guard racing the point of no return; never both, listed iff counted")
@Outcome(id = "true, false, true", expect = ACCEPTABLE, desc = "guard first; the point of no return is refused; listed while open")
@Outcome(id = "false, true, true", expect = ACCEPTABLE, desc = "point of no return first; the guard is refused, nothing listed")
@Outcome(id = "true, true, .*", expect = FORBIDDEN, desc = "both: a guard counted past the point of no return")
@Outcome(id = "false, false, .*", expect = FORBIDDEN, desc = "neither: a guard refused though nothing closed the interpreter")
@Outcome(expect = FORBIDDEN, desc = "the guard word or the listing disagrees with what the actors saw")
@State
public class TrackedGuardVsPointOfNoReturn {

    private final InterpreterRecord interpreter = RaceRuntime.newTrackedInterpreter();
    private final InterpreterView view = RaceRuntime.TRACKED_GUARDS.viewOf(interpreter);
    private Optional<InterpreterGuard> guard;

    @Actor
    public void guard(ZZZ_Result r) {
        guard = RaceRuntime.TRACKED_GUARDS.fromView(view);
        r.r1 = guard.isPresent();
    }

    @Actor
    public void finalizer(ZZZ_Result r) {
        r.r2 = interpreter.tryPassPointOfNoReturn(0);
    }

    @Arbiter
    public void word(ZZZ_Result r) {
        int expected = r.r1 && !r.r2 ? 1 : 0;
        boolean agrees = interpreter.isPastPointOfNoReturn() == r.r2 && interpreter.openGuardCount() == expected
                && RaceRuntime.listed(interpreter) == expected;
        guard.ifPresent(InterpreterGuard::close);
        r.r3 = agrees && RaceRuntime.listed(interpreter) == 0;
    }
}
