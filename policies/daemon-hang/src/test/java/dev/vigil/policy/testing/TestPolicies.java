package dev.vigil.policy.testing;

import dev.vigil.api.GuardInfo;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.LateAttachContext;
import dev.vigil.spi.LateAttachDecision;
import dev.vigil.spi.LeakDecision;
import dev.vigil.spi.WaitContext;
import dev.vigil.spi.WaitDecision;

/** Policies written for tests only. */
public final class TestPolicies {

    /** The name of {@link #unstick()}. */
    public static final String UNSTICK = "unstick";

    private TestPolicies() {
    }

    /**
     * A policy that ends whatever waits: a waiting shutdown aborts, a late attach fails.
     * Swapped in ({@code use("unstick")}) to release what daemon-hang would keep for ever.
     */
    public static FinalizationPolicy unstick() {
        return new FinalizationPolicy() {
            @Override
            public String name() {
                return UNSTICK;
            }

            @Override
            public WaitDecision onWait(WaitContext context) {
                return WaitDecision.abort("unstuck by the test");
            }

            @Override
            public WaitDecision onInterrupt(WaitContext context) {
                return onWait(context);
            }

            @Override
            public LateAttachDecision onLateAttach(LateAttachContext context) {
                return LateAttachDecision.fail();
            }
        };
    }

    /**
     * A policy named {@code name} whose every decision throws (P5: the runtime reports it and
     * the built-in default, daemon-hang, decides instead).
     */
    public static FinalizationPolicy throwing(String name) {
        return new FinalizationPolicy() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public WaitDecision onWait(WaitContext context) {
                throw new IllegalStateException("policy " + name + " is broken (onWait)");
            }

            @Override
            public WaitDecision onInterrupt(WaitContext context) {
                throw new IllegalStateException("policy " + name + " is broken (onInterrupt)");
            }

            @Override
            public LateAttachDecision onLateAttach(LateAttachContext context) {
                throw new IllegalStateException("policy " + name + " is broken (onLateAttach)");
            }

            @Override
            public LeakDecision onLeak(GuardInfo leaked) {
                throw new IllegalStateException("policy " + name + " is broken (onLeak)");
            }
        };
    }
}
