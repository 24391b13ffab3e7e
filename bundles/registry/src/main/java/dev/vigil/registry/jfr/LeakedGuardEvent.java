package dev.vigil.registry.jfr;

import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** A guard became unreachable without being closed (P2d). */
@Name("dev.vigil.LeakedGuard")
@Label("Vigil Leaked Guard")
@Category({"Vigil", "Guards"})
public final class LeakedGuardEvent extends Event {
    @Label("Interpreter") public String interpreter;
    @Label("Holder Thread") public String holderThread;
    @Label("Age") @Timespan(Timespan.MILLISECONDS) public long age;
    @Label("Owner") public String owner;
    @Label("Policy") public String policy;
    @Label("Decision") public String decision;
}
