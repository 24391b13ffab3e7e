package dev.vigil.contract;

import static dev.vigil.contract.Support.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rules V1–V4: a view names an interpreter without keeping it alive. */
class ViewRulesTest {

    private final Support.Rt rt = new Support.Rt();
    private final InterpreterGuards guards = rt.runtime.guards();

    @AfterEach
    void tearDown() {
        rt.close();
    }

    @Test
    void V1_viewOfCurrent_needsAttachment_viewOfMainAndViewOf_doNot() {
        assertThatThrownBy(guards::viewOfCurrent).isInstanceOf(IllegalStateException.class);
        Interpreter sub = rt.runtime.registry().create("sub");
        assertThat(guards.viewOfMain().interpreterId()).isEqualTo(rt.runtime.registry().main().id());
        assertThat(guards.viewOf(sub).interpreterId()).isEqualTo(sub.id());
        try (ThreadStateToken t = rt.runtime.threadStates().ensureFromView(guards.viewOf(sub)).orElseThrow()) {
            assertThat(guards.viewOfCurrent().interpreterId()).isEqualTo(sub.id());
        }
    }

    @Test
    void V2_viewsNeverDelayFinalizationHoweverMany() throws Exception {
        Interpreter sub = rt.runtime.registry().create("sub");
        List<InterpreterView> views = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            views.add(guards.viewOf(sub));
        }
        FinalizationReport r = get(rt.shutdownAsync(sub));
        assertThat(r.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        assertThat(views).allMatch(InterpreterView::isOpen);
    }

    @Test
    void V3_promotingAStaleViewFailsCleanlyAfterTheInterpreterLeftTheRegistry() {
        Interpreter sub = rt.runtime.registry().create("sub");
        InterpreterView view = guards.viewOf(sub);
        rt.runtime.registry().shutdown(sub);
        assertThat(sub.state()).isEqualTo(InterpreterState.FINALIZED);
        assertThat(rt.runtime.registry().lookup(sub.id())).isEmpty();
        assertThat(guards.fromView(view)).isEmpty();
        assertThat(rt.runtime.threadStates().ensureFromView(view)).isEmpty();
        // a new interpreter of the same name never answers to the stale view
        Interpreter again = rt.runtime.registry().create("sub");
        assertThat(again.id()).isNotEqualTo(sub.id());
        assertThat(guards.fromView(view)).isEmpty();
    }

    @Test
    void V3_interpreterIdsAreNeverReusedInTheProcess_evenAcrossRuntimes() {
        long last = -1;
        for (int i = 0; i < 3; i++) {
            try (Support.Rt other = new Support.Rt()) {
                for (int j = 0; j < 20; j++) {
                    Interpreter x = other.runtime.registry().create("x" + j);
                    assertThat(x.id()).isGreaterThan(last);
                    last = x.id();
                    other.runtime.registry().shutdown(x);
                }
                other.runtime.close();
            }
        }
    }

    @Test
    void V4_closeIsIdempotentAndPromotingAClosedViewThrows() {
        InterpreterView view = guards.viewOfMain();
        view.close();
        view.close();
        assertThat(view.isOpen()).isFalse();
        assertThatThrownBy(() -> guards.fromView(view)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> rt.runtime.threadStates().ensureFromView(view))
                .isInstanceOf(IllegalStateException.class);
        assertThat(rt.runtime.threadStates().current()).isEmpty(); // nothing changed
        assertThat(guards.openGuards()).isEmpty();
    }
}
