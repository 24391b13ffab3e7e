package dev.vigil.registry.jfr;

import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** The active policy changed (P4). */
@Name("dev.vigil.PolicySwap")
@Label("Vigil Policy Swap")
@Category({"Vigil", "Policy"})
public final class PolicySwapEvent extends Event {
    @Label("Runtime Id") public long runtimeId;
    @Label("From") public String from;
    @Label("To") public String to;
}
