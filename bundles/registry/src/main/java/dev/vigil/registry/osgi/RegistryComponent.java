package dev.vigil.registry.osgi;

import dev.vigil.api.DiagnosticsLevel;
import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.Policies;
import dev.vigil.registry.Notices;
import dev.vigil.registry.RegistryKernelProvider;
import dev.vigil.registry.Signals;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.LeakDecision;
import dev.vigil.spi.kernel.GuardDirectory;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.Kernel;
import dev.vigil.spi.kernel.KernelConfig;
import dev.vigil.spi.kernel.LogSink;
import dev.vigil.spi.kernel.ThreadBinder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Constants;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The runtime of an OSGi framework: a Declarative Services component that builds one kernel
 * when the registry bundle starts and registers it as the services {@link Kernel} (for
 * Vigil's own bundles), {@link InterpreterRegistry} and {@link Policies} (DESIGN.md §1).
 *
 * <p><b>Configuration</b> (PID {@value #PID}, optional, described by metatype): {@code policy},
 * {@code diagnostics} ({@code off|simple|full}), {@code signals} ({@code true|false}). A key
 * absent from the configuration falls back to the framework property {@code vigil.<key>}
 * (which frameworks read through to system properties), then to the default: ranking decides,
 * {@code simple}, {@code false}. A changed {@code policy} swaps the active policy at once and
 * a waiting shutdown re-decides (P4); an empty one lets the ranking decide again. A
 * {@code diagnostics} or {@code signals} change is accepted but only a new kernel can apply
 * it, so it takes effect when the registry bundle next starts (a notice says so). A bad value
 * (unknown policy, unknown level, non-boolean) refuses the whole update with a notice naming
 * it, and the previous configuration stays (P6). At start no policy bundle is bound yet, so
 * a configured policy that is not installed is kept and activated when a bundle registers it.
 *
 * <p><b>Policies</b>: every {@link FinalizationPolicy} service is installed with its
 * {@code service.ranking} and removed when it goes (P4): if it was active, the next one
 * (highest ranking, else the built-in {@code daemon-hang}) takes over, and a waiting shutdown
 * re-decides under it. Of several services with one name, the highest ranking one is
 * installed. Policy options are the policy bundles' own configuration.
 *
 * <p><b>Stopping</b> the registry bundle (or the framework) shuts the runtime down under the
 * active policy, prints the report and releases the signal handlers (F1, F7): a shutdown the
 * policy keeps waiting (daemon-hang with open guards) keeps the bundle stopping, as CPython's
 * {@code Py_Finalize} would. Give policy bundles a lower start level than the registry so
 * that they are still there when it stops. A <b>framework stop</b> (Karaf's {@code bin/stop},
 * SIGTERM to a container) runs that shutdown when the system bundle starts stopping, before
 * any other bundle stops — a synchronous listener of the system bundle's {@code STOPPING}
 * event, on the thread that stops the framework: guard holders (the shell's held guards, any
 * bundle's work), policy bundles, Configuration Admin and the remote shell are all still
 * there, so the policy decides with everything in place and an operator can still swap the
 * policy, interrupt or close guards while it waits. After an abort there the framework goes
 * on stopping and the registry's own stop does not shut down again.
 *
 * <p>Notices, refusals and reports go through the OSGi Log Service ({@code LoggerFactory},
 * loggers by area such as {@code dev.vigil.finalization}, {@code dev.vigil.config}) when one is
 * registered, else through {@link System.Logger}; a console (the distribution's) is one sink
 * of it. Keys {@code progress} (a duration or {@code off}) and {@code jmx} ({@code true|false})
 * take effect, like {@code diagnostics} and {@code signals}, when the registry bundle next starts.
 */
@Component(service = {Kernel.class, InterpreterRegistry.class, Policies.class}, immediate = true,
        configurationPid = RegistryComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = RuntimeConfiguration.class)
public final class RegistryComponent implements Kernel, InterpreterRegistry, Policies {

    /** The Configuration Admin PID of the runtime (P4, P6). */
    public static final String PID = "dev.vigil.runtime";

    /** One accepted configuration; {@code policy} empty when the ranking decides. */
    private record Settings(String policy, DiagnosticsLevel diagnostics, boolean signals, String progress,
            boolean jmx) {

        static final Settings DEFAULTS = new Settings("", DiagnosticsLevel.SIMPLE, false, "5s", true);

        /** Parses every key; throws on the first bad value, naming key and value. */
        static Settings parse(Map<String, Object> properties, UnaryOperator<String> frameworkProperty) {
            return new Settings(policy(value(properties, frameworkProperty, "policy")),
                    diagnostics(value(properties, frameworkProperty, "diagnostics")),
                    bool("signals", value(properties, frameworkProperty, "signals"), DEFAULTS.signals()),
                    progress(value(properties, frameworkProperty, "progress")),
                    bool("jmx", value(properties, frameworkProperty, "jmx"), DEFAULTS.jmx()));
        }

        /** As {@link #parse}, but a bad value is logged and replaced by its default. */
        static Settings parseLeniently(Map<String, Object> properties, UnaryOperator<String> frameworkProperty,
                LogSink log) {
            return new Settings(
                    lenient(() -> policy(value(properties, frameworkProperty, "policy")), DEFAULTS.policy(), log),
                    lenient(() -> diagnostics(value(properties, frameworkProperty, "diagnostics")),
                            DEFAULTS.diagnostics(), log),
                    lenient(() -> bool("signals", value(properties, frameworkProperty, "signals"), DEFAULTS.signals()),
                            DEFAULTS.signals(), log),
                    lenient(() -> progress(value(properties, frameworkProperty, "progress")), DEFAULTS.progress(), log),
                    lenient(() -> bool("jmx", value(properties, frameworkProperty, "jmx"), DEFAULTS.jmx()),
                            DEFAULTS.jmx(), log));
        }

        private static <T> T lenient(java.util.function.Supplier<T> parse, T fallback, LogSink log) {
            try {
                return parse.get();
            } catch (IllegalArgumentException e) {
                log.log(Notices.CONFIG, System.Logger.Level.WARNING, "[vigil] configuration " + PID + ": "
                        + e.getMessage() + "; using the default", null);
                return fallback;
            }
        }

        private static Object value(Map<String, Object> properties, UnaryOperator<String> frameworkProperty,
                String key) {
            Object v = properties.get(key);
            return v != null ? v : frameworkProperty.apply("vigil." + key);
        }

        private static String policy(Object v) {
            if (v == null) {
                return "";
            }
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException("policy must be a policy name, not " + v);
            }
            return s.trim();
        }

        private static DiagnosticsLevel diagnostics(Object v) {
            if (v == null) {
                return DEFAULTS.diagnostics();
            }
            return DiagnosticsLevel.parse(String.valueOf(v));
        }

        private static boolean bool(String key, Object v, boolean fallback) {
            if (v == null) {
                return fallback;
            }
            if (v instanceof Boolean b) {
                return b;
            }
            String s = String.valueOf(v).trim();
            if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(s);
            }
            throw new IllegalArgumentException(key + " must be true or false, not \"" + v + "\"");
        }

        private static String progress(Object v) {
            if (v == null) {
                return DEFAULTS.progress();
            }
            String s = String.valueOf(v).trim();
            RegistryKernelProvider.checkProgress(s);
            return s;
        }

        /** Whether a change of this key needs a new kernel (all but the policy). */
        boolean startupKeysDiffer(Settings o) {
            return diagnostics != o.diagnostics || signals != o.signals || !progress.equals(o.progress) || jmx != o.jmx;
        }

        @Override
        public String toString() {
            return "policy=" + (policy.isEmpty() ? "(ranking)" : policy) + ", diagnostics="
                    + diagnostics.name().toLowerCase(Locale.ROOT) + ", signals=" + signals + ", progress=" + progress
                    + ", jmx=" + jmx;
        }
    }

    /** A bound policy service and its ranking. */
    private record Bound(FinalizationPolicy policy, int ranking) {
    }

    private final BundleContext context;
    private final OsgiLogSink log;
    private final Kernel kernel;
    /** The launcher's seam for starting the process's shutdown (S1); null without signals. */
    private final ServiceRegistration<?> shutdownRequests;
    /** The configuration the kernel was built with: its diagnostics and signals stay. */
    private final Settings startedWith;
    /** The configuration accepted last. Guarded by this. */
    private Settings settings;
    /** A configured policy not installed yet, activated when it is; null if none. Guarded by this. */
    private String pendingPolicy;
    /** Bound policy services in bind order; of each name the best is installed. Guarded by this. */
    private final List<Bound> bound = new ArrayList<>();
    /** What is installed in the kernel, by name. Guarded by this. */
    private final Map<String, Bound> installed = new HashMap<>();
    /** Set once the framework's stop ran the shutdown (completed or aborted): deactivate does not repeat it. */
    private volatile boolean shutDownAtFrameworkStop;
    /** The exit code (S3) of the shutdown the framework's stop ran. */
    private volatile int frameworkStopCode = Signals.EXIT_COMPLETED;
    /** Runs the shutdown when the system bundle starts stopping, before any bundle stops. */
    private final SynchronousBundleListener frameworkStopping = event -> {
        if (event.getType() == BundleEvent.STOPPING && event.getBundle().getBundleId() == Constants.SYSTEM_BUNDLE_ID) {
            shutDownAtFrameworkStop = true;
            frameworkStopCode = shutdownUnderPolicy(
                    "framework stopping (Ctrl-D or stop 0 at a console, or the container's stop)",
                    "the framework goes on stopping");
        }
    };

    /**
     * Builds the kernel from the configuration (bad values noticed and replaced by defaults,
     * as there is no previous configuration to keep).
     */
    @Activate
    public RegistryComponent(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        this.log = new OsgiLogSink(context);
        this.settings = Settings.parseLeniently(properties, context::getProperty, log);
        this.startedWith = settings;
        this.kernel = newKernel(settings, log);
        this.shutdownRequests = RegistryKernelProvider.signals(kernel).map(this::offerProcessShutdown).orElse(null);
        if (!settings.policy().isEmpty()) {
            if (kernel.policies().available().contains(settings.policy())) {
                kernel.policies().use(settings.policy());
            } else {
                pendingPolicy = settings.policy();
            }
        }
        context.addBundleListener(frameworkStopping);
    }

    /**
     * A kernel that takes policies from the service registry only. The registry's plain-Java
     * path also looks policies up with {@code ServiceLoader} through the context class loader;
     * here that loader is the registry bundle's, which sees no policy, and {@code vigil.policy}
     * is left out because this component applies the name itself once the policy is bound.
     */
    private static Kernel newKernel(Settings s, LogSink log) {
        Properties system = new Properties();
        system.putAll(System.getProperties());
        system.remove("vigil.policy");
        KernelConfig config = new KernelConfig(null, null,
                Map.of("vigil.diagnostics", s.diagnostics().name().toLowerCase(Locale.ROOT),
                        "vigil.signals", String.valueOf(s.signals()), "vigil.progress", s.progress(),
                        "vigil.jmx", String.valueOf(s.jmx())),
                log, system);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(RegistryComponent.class.getClassLoader());
        try {
            return new RegistryKernelProvider().create(config);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Applies a new configuration, all or none (P4, P6). */
    @Modified
    void modified(Map<String, Object> properties) {
        synchronized (this) {
            Settings next;
            try {
                next = Settings.parse(properties, context::getProperty);
                if (!next.policy().equals(settings.policy())) {
                    if (next.policy().isEmpty()) {
                        kernel.useRanking();
                    } else {
                        kernel.policies().use(next.policy()); // refuses an unknown name
                    }
                    pendingPolicy = null;
                }
            } catch (IllegalArgumentException e) {
                kernel.log(Notices.CONFIG, System.Logger.Level.WARNING, "[vigil] configuration " + PID + " refused: "
                        + e.getMessage() + "; the previous configuration stays (" + settings + ")");
                return;
            }
            if (next.startupKeysDiffer(settings)) {
                kernel.log(Notices.CONFIG, System.Logger.Level.INFO, "[vigil] configuration " + PID
                        + ": diagnostics, signals, progress and jmx take effect when the registry bundle next "
                        + "starts; this runtime keeps " + startedWith);
            }
            settings = next;
        }
    }

    /**
     * Shuts the runtime down under the active policy (unless the framework's stop did already),
     * logs the report, releases signals. When the whole framework stops (Ctrl-D or
     * {@code stop 0} in a console, a container's stop) and a launcher offered its exit seam, the
     * outcome's exit code (S3: 0 completed, 3 aborted) is handed to it.
     */
    @Deactivate
    void deactivate() {
        try {
            context.removeBundleListener(frameworkStopping);
        } catch (IllegalStateException e) {
            // The bundle context is no longer valid: the framework removed the listener itself.
        }
        boolean withFramework = context.getBundle(Constants.SYSTEM_BUNDLE_ID).getState() == Bundle.STOPPING;
        int code = frameworkStopCode;
        try {
            if (shutdownRequests != null) {
                shutdownRequests.unregister();
            }
            if (!shutDownAtFrameworkStop) {
                code = shutdownUnderPolicy(withFramework ? "registry bundle stopping with the framework"
                        : "registry bundle stopping", "the runtime is abandoned with the registry bundle");
            }
        } finally {
            kernel.dispose();
            if (withFramework) {
                int exitCode = code;
                exitSeam().ifPresent(c -> c.accept(exitCode));
            }
            log.close();
        }
    }

    /**
     * The shutdown of a stop, unless already finalized: its report, or the abort's, logged.
     * Returns the exit code of its outcome (S3).
     */
    private int shutdownUnderPolicy(String cause, String afterAbort) {
        RegistryKernelProvider.signals(kernel).ifPresent(Signals::shutdownUnderWay); // SIGINT now interrupts
        try {
            if (kernel.registry().main().state() != InterpreterState.FINALIZED) {
                kernel.log(Notices.SIGNALS, System.Logger.Level.WARNING, "[vigil] " + cause
                        + ": shutting the runtime down under policy " + kernel.policies().active());
                kernel.log(Notices.FINALIZATION, System.Logger.Level.INFO,
                        kernel.registry().shutdown().toString());
            }
            return Signals.EXIT_COMPLETED;
        } catch (FinalizationAbortedException e) {
            kernel.log(Notices.FINALIZATION, System.Logger.Level.WARNING, e.report().toString());
            kernel.log(Notices.FINALIZATION, System.Logger.Level.WARNING,
                    "[vigil] the policy aborted the shutdown; " + afterAbort);
            return Signals.EXIT_ABORTED;
        }
    }

    // ---- the launcher's seams (java.* types, so that a launcher outside the framework shares them)

    /**
     * Registers the service {@code Consumer<String>} with {@code vigil.process=shutdown}: its
     * {@code accept(cause)} starts the process's shutdown as the first SIGTERM does, announced
     * with {@code cause} (the distribution's end of {@code -c}). And routes the process's exit
     * through the launcher's {@code IntConsumer} with {@code vigil.process=exit}, if it offers one.
     */
    private ServiceRegistration<?> offerProcessShutdown(Signals signals) {
        exitSeam().ifPresent(exit -> signals.exitThrough(exit));
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("vigil.process", "shutdown");
        java.util.function.Consumer<String> request = signals::requestShutdown;
        return context.registerService(java.util.function.Consumer.class.getName(), request, props);
    }

    private Optional<java.util.function.IntConsumer> exitSeam() {
        try {
            for (ServiceReference<?> ref : Optional.ofNullable(context.getServiceReferences(
                    java.util.function.IntConsumer.class.getName(), "(vigil.process=exit)"))
                    .orElse(new ServiceReference<?>[0])) {
                if (context.getService(ref) instanceof java.util.function.IntConsumer exit) {
                    return Optional.of(exit);
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
            // no seam: a plain framework
        }
        return Optional.empty();
    }

    // ---- policy services (P4)

    @Reference(service = FinalizationPolicy.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindPolicy(FinalizationPolicy policy, Map<String, Object> properties) {
        bound.add(new Bound(policy, ranking(properties)));
        installBest(policy.name());
        if (policy.name().equals(pendingPolicy) && kernel.policies().available().contains(pendingPolicy)) {
            kernel.policies().use(pendingPolicy);
            pendingPolicy = null;
        }
    }

    synchronized void updatedPolicy(FinalizationPolicy policy, Map<String, Object> properties) {
        bound.removeIf(b -> b.policy() == policy);
        bound.add(new Bound(policy, ranking(properties)));
        installBest(policy.name());
    }

    synchronized void unbindPolicy(FinalizationPolicy policy) {
        bound.removeIf(b -> b.policy() == policy);
        installBest(policy.name());
    }

    /**
     * Installs the highest ranking bound policy of a name (the last bound among equals, so
     * that a re-registered, re-configured policy replaces its predecessor); with none left,
     * uninstalls it. Installing replaces the policy of that name in one step, so a waiting
     * shutdown re-decides once; what is installed already is left alone.
     */
    private void installBest(String name) {
        Bound best = null;
        for (Bound b : bound) {
            if (b.policy().name().equals(name) && (best == null || b.ranking() >= best.ranking())) {
                best = b;
            }
        }
        Bound current = installed.get(name);
        if (best == null) {
            if (current != null) {
                installed.remove(name);
                kernel.uninstallPolicy(current.policy());
            }
            return;
        }
        if (current != null && current.policy() == best.policy() && current.ranking() == best.ranking()) {
            return;
        }
        try {
            kernel.installPolicy(best.policy(), best.ranking());
            installed.put(name, best);
        } catch (IllegalArgumentException e) {
            kernel.log(Notices.POLICY, System.Logger.Level.WARNING, "[vigil] policy " + name + " not installed: "
                    + e.getMessage());
            if (current != null && !bound.contains(current)) {
                installed.remove(name);
                kernel.uninstallPolicy(current.policy());
            }
        }
    }

    private static int ranking(Map<String, Object> properties) {
        return properties.get(Constants.SERVICE_RANKING) instanceof Integer r ? r : 0;
    }

    // ---- Kernel

    @Override public long runtimeId() { return kernel.runtimeId(); }
    @Override public InterpreterRegistry registry() { return kernel.registry(); }
    @Override public Policies policies() { return this; }
    @Override public InterpreterLifecycle lifecycle(Interpreter interpreter) { return kernel.lifecycle(interpreter); }
    @Override public DiagnosticsLevel diagnostics() { return kernel.diagnostics(); }
    @Override public LeakDecision guardLeaked(GuardInfo leaked) { return kernel.guardLeaked(leaked); }
    @Override public void bindGuards(GuardDirectory directory) { kernel.bindGuards(directory); }
    @Override public void unbindGuards(GuardDirectory directory) { kernel.unbindGuards(directory); }
    @Override public void bindThreadBinder(ThreadBinder binder) { kernel.bindThreadBinder(binder); }
    @Override public boolean interrupt() { return kernel.interrupt(); }
    @Override public void installPolicy(FinalizationPolicy policy, int ranking) { kernel.installPolicy(policy, ranking); }
    @Override public void uninstallPolicy(FinalizationPolicy policy) { kernel.uninstallPolicy(policy); }
    @Override public void configurePolicy(String name, Map<String, String> options) { kernel.configurePolicy(name, options); }
    @Override public void notice(String text) { kernel.notice(text); }
    @Override public void log(String logger, System.Logger.Level level, String text) { kernel.log(logger, level, text); }
    @Override public void dispose() { kernel.dispose(); }

    @Override
    public synchronized void useRanking() {
        kernel.useRanking();
        pendingPolicy = null;
    }

    // ---- Policies (a choice by name, from any caller, replaces a pending configured one)

    @Override
    public synchronized void use(String name) {
        kernel.policies().use(name);
        pendingPolicy = null;
    }

    @Override public String active() { return kernel.policies().active(); }
    @Override public Set<String> available() { return kernel.policies().available(); }

    // ---- InterpreterRegistry

    @Override public Interpreter main() { return kernel.registry().main(); }
    @Override public Interpreter create(String name) { return kernel.registry().create(name); }
    @Override public Optional<Interpreter> lookup(long id) { return kernel.registry().lookup(id); }
    @Override public List<Interpreter> interpreters() { return kernel.registry().interpreters(); }
    @Override public FinalizationReport shutdown(Interpreter interpreter) { return kernel.registry().shutdown(interpreter); }
    @Override public FinalizationReport shutdown() { return kernel.registry().shutdown(); }
    @Override public void atExit(Interpreter interpreter, Runnable hook) { kernel.registry().atExit(interpreter, hook); }

    @Override
    public void onFinalizationRequested(Interpreter interpreter, Runnable listener) {
        kernel.registry().onFinalizationRequested(interpreter, listener);
    }

    @Override
    public synchronized String toString() {
        return "Vigil registry component [" + kernel.registry() + ", " + settings + "]";
    }
}
