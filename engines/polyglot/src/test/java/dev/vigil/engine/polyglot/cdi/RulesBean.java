package dev.vigil.engine.polyglot.cdi;

import dev.vigil.cdi.Attached;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** A bean running JavaScript in the interpreter "rules" with {@code @Attached} (guard + attach). */
@ApplicationScoped
public class RulesBean {

    static final String RULES = "rules";

    @Inject Scripts scripts;

    @Attached(RULES)
    public Object run(String code) {
        return scripts.engines().eval("rules.js", code);
    }
}
