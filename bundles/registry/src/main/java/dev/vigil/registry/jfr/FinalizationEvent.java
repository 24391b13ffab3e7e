package dev.vigil.registry.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** A finished finalization attempt (F1): interpreter, policies, outcome, phases, what it waited on. */
@Name("dev.vigil.Finalization")
@Label("Vigil Finalization")
@Category({"Vigil", "Finalization"})
@Description("One attempt to finalize an interpreter, with its outcome, phases and the guards it waited on")
public final class FinalizationEvent extends Event {
    @Label("Interpreter") public String interpreter;
    @Label("Interpreter Id") public long interpreterId;
    @Label("Initial Policy") public String initialPolicy;
    @Label("Final Policy") public String policy;
    @Label("Outcome") public String outcome;
    @Label("Abort Reason") public String abortReason;
    @Label("Phases") @Description("Time per phase, e.g. join_threads=0ms wait_guards=1500ms") public String phases;
    @Label("Wait Guards") @Timespan(Timespan.MILLISECONDS) public long waitGuards;
    @Label("Total") @Timespan(Timespan.MILLISECONDS) public long total;
    @Label("Rounds") public int rounds;
    @Label("Interrupts Delivered") public int interrupts;
    @Label("Guards Waited On") @Description("Open guards when the policy last decided") public int guardsWaitedOn;
    @Label("Guard Holders") public String guardHolders;
}
