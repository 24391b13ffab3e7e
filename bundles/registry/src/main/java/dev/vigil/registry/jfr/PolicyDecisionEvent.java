package dev.vigil.registry.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** A policy's decision about a waiting shutdown (P2a, P2b). */
@Name("dev.vigil.PolicyDecision")
@Label("Vigil Policy Decision")
@Category({"Vigil", "Policy"})
@Description("What the active policy decided for a waiting shutdown")
public final class PolicyDecisionEvent extends Event {
    @Label("Interpreter") public String interpreter;
    @Label("Policy") public String policy;
    @Label("Phase") public String phase;
    @Label("Waited") @Timespan(Timespan.MILLISECONDS) public long waited;
    @Label("Decision") public String decision;
}
