package dev.vigil.it.cdi;

import dev.vigil.api.Policies;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** A bean that swaps the active policy (P4), as an administrative endpoint would. */
@ApplicationScoped
public class PolicySwitch {

    @Inject
    Policies policies;

    public void use(String name) {
        policies.use(name);
    }
}
