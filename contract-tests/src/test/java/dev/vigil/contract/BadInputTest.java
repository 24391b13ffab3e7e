package dev.vigil.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.Vigil;
import dev.vigil.api.VigilRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md §1 and §5: every bad input gets a clear error naming the argument or the rule,
 * and loses nothing.
 */
class BadInputTest {

    private final Support.Rt rt = new Support.Rt();
    private final Support.Rt other = new Support.Rt();
    private final VigilRuntime r = rt.runtime;

    @AfterEach
    void tearDown() {
        rt.close();
        other.close();
    }

    @Test
    void nullArgumentsThrowNullPointerExceptionNamingTheArgument() {
        assertThatThrownBy(() -> r.registry().create(null)).isInstanceOf(NullPointerException.class).hasMessage("name");
        assertThatThrownBy(() -> r.registry().shutdown(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("interpreter");
        assertThatThrownBy(() -> r.registry().atExit(null, () -> { })).isInstanceOf(NullPointerException.class)
                .hasMessage("interpreter");
        assertThatThrownBy(() -> r.registry().atExit(r.registry().main(), null))
                .isInstanceOf(NullPointerException.class).hasMessage("hook");
        assertThatThrownBy(() -> r.registry().onFinalizationRequested(r.registry().main(), null))
                .isInstanceOf(NullPointerException.class).hasMessage("listener");
        assertThatThrownBy(() -> r.guards().fromView(null)).isInstanceOf(NullPointerException.class).hasMessage("view");
        assertThatThrownBy(() -> r.guards().viewOf(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("interpreter");
        assertThatThrownBy(() -> r.threadStates().ensure(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("guard");
        assertThatThrownBy(() -> r.threadStates().ensureFromView(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("view");
        assertThatThrownBy(() -> r.policies().use(null)).isInstanceOf(NullPointerException.class).hasMessage("name");
        assertThatThrownBy(() -> Vigil.builder().policy((String) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Vigil.builder().option("k", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("value");
        assertThatThrownBy(() -> r.registry().main().threadFactory(false).newThread(null))
                .isInstanceOf(NullPointerException.class).hasMessage("task");
    }

    @Test
    void handlesOfAnotherRuntimeAreRefusedWithIllegalArgumentException() {
        Interpreter foreign = other.runtime.registry().create("foreign");
        InterpreterView foreignView = other.runtime.guards().viewOf(foreign);
        InterpreterGuard foreignGuard = other.runtime.guards().fromView(foreignView).orElseThrow();
        assertThatThrownBy(() -> r.registry().shutdown(foreign)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("another runtime");
        assertThatThrownBy(() -> r.registry().atExit(foreign, () -> { })).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.guards().viewOf(foreign)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.guards().fromView(foreignView)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.threadStates().ensureFromView(foreignView))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.threadStates().ensure(foreignGuard)).isInstanceOf(IllegalArgumentException.class);
        // nothing was lost: the foreign guard still holds, our runtime has no attachments or guards
        assertThat(foreignGuard.isOpen()).isTrue();
        assertThat(other.runtime.guards().openGuards()).hasSize(1);
        assertThat(r.threadStates().current()).isEmpty();
        assertThat(r.guards().openGuards()).isEmpty();
        foreignGuard.close();
    }

    @Test
    void handMadeViewsAndGuardsAreRefused() {
        InterpreterView fake = new InterpreterView() {
            @Override public long interpreterId() { return 0; }
            @Override public boolean isOpen() { return true; }
            @Override public void close() { }
        };
        assertThatThrownBy(() -> r.guards().fromView(fake)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.threadStates().ensureFromView(fake)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesMustBeNonBlankAndUniqueAmongLiveInterpreters() {
        assertThatThrownBy(() -> r.registry().create(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank");
        Interpreter a = r.registry().create("a");
        assertThatThrownBy(() -> r.registry().create("a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("taken");
        assertThat(r.registry().interpreters()).hasSize(2);
        r.registry().shutdown(a);
        assertThat(r.registry().create("a").id()).isNotEqualTo(a.id()); // free again once finalized
    }

    @Test
    void unknownPoliciesAndBadOptionsAreRefusedAndTheActivePolicyStays() {
        assertThatThrownBy(() -> r.policies().use("no-such-policy")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such-policy").hasMessageContaining("available");
        assertThat(r.policies().active()).isEqualTo("daemon-hang");
        assertThatThrownBy(() -> Vigil.builder().policy("no-such-policy").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Vigil.builder().option("vigil.diagnostics", "loud").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("off, simple or full");
        assertThatThrownBy(() -> Vigil.builder().option("vigil.signals", "perhaps").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vigil.signals");
        assertThatThrownBy(() -> Vigil.builder().option("colour", "blue").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> Vigil.builder().option("daemon-hang.timeout", "1s").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no options");
    }

    @Test
    void tokensOfAnotherThreadOrRuntimeCannotBeMisusedToReleaseOurs() throws Exception {
        ThreadStateToken theirs = other.runtime.threadStates().ensureFromView(other.runtime.guards().viewOfMain())
                .orElseThrow();
        try (ThreadStateToken ours = r.threadStates().ensureFromView(r.guards().viewOfMain()).orElseThrow()) {
            theirs.close(); // their runtime's own frame: independent of ours
            assertThat(r.threadStates().current()).contains(r.registry().main());
            assertThatThrownBy(theirs::close).isInstanceOf(IllegalStateException.class);
            assertThat(r.threadStates().current()).contains(r.registry().main());
        }
        assertThat(r.threadStates().current()).isEmpty();
    }
}
