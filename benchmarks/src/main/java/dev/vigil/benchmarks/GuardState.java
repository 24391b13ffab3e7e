package dev.vigil.benchmarks;

import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.VigilRuntime;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.ViewHandle;

/**
 * What the guard benchmarks hold: a runtime at one diagnostics level, a view of its main
 * interpreter, and that interpreter's lifecycle (the guard word, one level below the API).
 * Not a JMH state itself: each benchmark class picks the scope (thread or shared).
 */
final class GuardState {

    final VigilRuntime runtime;
    final InterpreterGuards guards;
    final InterpreterView view;
    final InterpreterLifecycle lifecycle;

    GuardState(String diagnostics) {
        runtime = Runtimes.build(diagnostics);
        guards = runtime.guards();
        view = guards.viewOfMain();
        lifecycle = ((ViewHandle) view).lifecycle();
    }

    /** One guard opened and closed through the public API (G2, G4). */
    void openCloseGuard() {
        guards.fromView(view).orElseThrow().close();
    }

    /** One count on the guard word and its release, as the API's guard does underneath. */
    void acquireReleaseWord() {
        if (!lifecycle.tryAcquireGuard()) {
            throw new IllegalStateException("main interpreter finalizing during a benchmark");
        }
        lifecycle.releaseGuard();
    }

    void close() {
        view.close();
        runtime.close();
    }
}
