package dev.vigil.registry.jfr;

import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** A thread attached past an interpreter's point of no return and was failed (P2c); its duration is the park. */
@Name("dev.vigil.LateAttach")
@Label("Vigil Late Attach")
@Category({"Vigil", "Threads"})
public final class LateAttachEvent extends Event {
    @Label("Interpreter") public String interpreter;
    @Label("Thread") public String thread;
    @Label("Policy") public String policy;
    @Label("Parked") @Timespan(Timespan.MILLISECONDS) public long parked;
    @Label("Interrupted") public boolean interrupted;
}
