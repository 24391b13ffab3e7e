package dev.vigil.it.payara.app;

import dev.vigil.cdi.FinalizationAborted;
import dev.vigil.cdi.FinalizationRequested;
import dev.vigil.cdi.InterpreterFinalized;
import dev.vigil.cdi.VigilConfigurator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Chooses the deployment's policy and options (from {@code vigil-it.properties}) and records
 * the extension's events and notices in the {@link EventLog}, as an application's observers
 * would.
 */
@ApplicationScoped
public class VigilSetup {

    void configure(@Observes VigilConfigurator vigil) {
        vigil.policy(EventLog.SETTINGS.getProperty("policy"));
        EventLog.SETTINGS.stringPropertyNames().stream()
                .filter(k -> k.startsWith("option."))
                .forEach(k -> vigil.option(k.substring("option.".length()), EventLog.SETTINGS.getProperty(k)));
        vigil.notices(line -> {
            System.err.println(line);
            EventLog.add("notice " + line);
        });
        EventLog.add("configured pid=" + ProcessHandle.current().pid() + " policy=" + EventLog.SETTINGS.getProperty("policy"));
    }

    void requested(@Observes FinalizationRequested event) {
        EventLog.add("requested " + event.interpreter().name() + " on " + Thread.currentThread().getName());
    }

    void finalized(@Observes InterpreterFinalized event) {
        EventLog.add("finalized " + event.interpreterName() + " " + event.report());
    }

    void aborted(@Observes FinalizationAborted event) {
        EventLog.add("aborted " + event.report().interpreterName() + " " + event.report());
    }
}
