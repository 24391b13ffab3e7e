package dev.vigil.registry;

import dev.vigil.api.DiagnosticsLevel;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.Policies;
import dev.vigil.registry.jfr.VigilEvents;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.LateAttachContext;
import dev.vigil.spi.LateAttachDecision;
import dev.vigil.spi.LeakDecision;
import dev.vigil.spi.kernel.GuardDirectory;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.Kernel;
import dev.vigil.spi.kernel.KernelConfig;
import dev.vigil.spi.kernel.LogSink;
import dev.vigil.spi.kernel.ThreadBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One runtime's core: its interpreters (the {@link InterpreterRegistry}), their policies
 * and the carrying out of late attaches and interrupts.
 */
final class RegistryKernel implements Kernel, InterpreterRegistry {

    /** The built-in default (P1): every decision is FinalizationPolicy's default, daemon-hang's. */
    static final FinalizationPolicy BUILT_IN_DEFAULT = new FinalizationPolicy() {
        @Override
        public String name() {
            return DAEMON_HANG;
        }

        @Override
        public String toString() {
            return "built-in daemon-hang";
        }
    };

    /** The runtime's own options (P6, DESIGN.md §7); the others are policy options. */
    static final List<String> RUNTIME_OPTIONS = List.of("vigil.diagnostics", "vigil.signals", "vigil.progress",
            "vigil.jmx");

    private static final AtomicLong RUNTIME_IDS = new AtomicLong();
    /** Process-wide, so that no id is ever reused, whatever runtime made it (V3). */
    private static final AtomicLong INTERPRETER_IDS = new AtomicLong();

    private final long runtimeId = RUNTIME_IDS.incrementAndGet();
    private final DiagnosticsLevel diagnostics;
    private final LogSink log;
    private final Progress progress;
    private final PolicyHub hub = new PolicyHub(this::policyChanged);
    private final ConcurrentSkipListMap<Long, InterpreterRecord> live = new ConcurrentSkipListMap<>();
    /** Live interpreters by name: names are unique among live interpreters (free again once finalized). */
    private final ConcurrentHashMap<String, InterpreterRecord> names = new ConcurrentHashMap<>();
    private final InterpreterRecord main;
    private final Set<Finalization> finalizations = ConcurrentHashMap.newKeySet();
    private final Set<Thread> parkedLateAttaches = ConcurrentHashMap.newKeySet();
    private final AtomicInteger interrupts = new AtomicInteger();
    private volatile GuardDirectory guardDirectory = NO_GUARD_DIRECTORY;
    /**
     * Directories unbound or replaced while they still counted open ledger guards: those stay
     * counted (G3) until they close. Each was closed before it was added, so its count only
     * falls; it is dropped once it reaches zero. A directory is added here before it stops
     * being {@link #guardDirectory}, so a count never misses it (it may see it twice, and skips
     * the second).
     */
    private final List<GuardDirectory> retiredDirectories = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile ThreadBinder threadBinder = RegistryKernel::runUnattached;
    private final Signals signals;
    /** The runtime's MXBean; null when off or not registered. */
    private final RuntimeJmx jmx;
    /** The active policy's name, for swap notices and events; null while constructing. */
    private volatile String lastActivePolicy;

    RegistryKernel(KernelConfig config) {
        this.log = config.log();
        this.progress = new Progress(this, Progress.parseInterval(config.option("vigil.progress")));
        this.diagnostics = config.option("vigil.diagnostics").map(DiagnosticsLevel::parse)
                .orElse(DiagnosticsLevel.SIMPLE);
        boolean wantSignals = config.option("vigil.signals").map(v -> parseBoolean("vigil.signals", v)).orElse(false);
        boolean wantJmx = config.option("vigil.jmx").map(v -> parseBoolean("vigil.jmx", v)).orElse(true);
        Set<String> installed = new java.util.HashSet<>();
        config.policy().ifPresent(p -> {
            install(config, p, Integer.MAX_VALUE);
            installed.add(p.name());
        });
        for (FinalizationPolicy p : discoveredPolicies()) {
            if (installed.add(p.name())) {
                install(config, p, 0);
            }
        }
        if (!installed.contains(FinalizationPolicy.DAEMON_HANG)) {
            BUILT_IN_DEFAULT.withOptions(config.policyOptions(FinalizationPolicy.DAEMON_HANG));
        }
        checkOptionKeys(config);
        config.policyName().ifPresent(hub::use);
        config.policy().ifPresent(p -> hub.use(p.name()));
        this.main = new InterpreterRecord(this, INTERPRETER_IDS.getAndIncrement(), "main", true);
        live.put(main.id(), main);
        names.put(main.name(), main);
        this.signals = wantSignals ? Signals.install(this) : null;
        this.lastActivePolicy = hub.active();
        this.jmx = wantJmx ? RuntimeJmx.register(this) : null;
        VigilEvents.register();
    }

    /** Installs a policy with the options the configuration holds for its name (P6). */
    private void install(KernelConfig config, FinalizationPolicy policy, int ranking) {
        hub.holdOptions(policy.name(), config.policyOptions(policy.name()));
        hub.install(policy, ranking);
    }

    private static boolean parseBoolean(String option, String s) {
        if (s.trim().equalsIgnoreCase("true") || s.trim().equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s.trim());
        }
        throw new IllegalArgumentException("option " + option + " must be true or false, not \"" + s + "\"");
    }

    private static List<FinalizationPolicy> discoveredPolicies() {
        List<FinalizationPolicy> found = new ArrayList<>();
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        java.util.ServiceLoader.load(FinalizationPolicy.class,
                tccl != null ? tccl : RegistryKernel.class.getClassLoader()).forEach(found::add);
        return found;
    }

    /** Every builder option must name a runtime option or an available policy's option (P6). */
    private void checkOptionKeys(KernelConfig config) {
        for (Map.Entry<String, String> e : config.options().entrySet()) {
            String key = e.getKey();
            if (RUNTIME_OPTIONS.contains(key)) {
                continue;
            }
            int dot = key.indexOf('.');
            String policy = dot < 0 ? key : key.substring(0, dot);
            if (dot < 0 || !hub.available().contains(policy)) {
                throw new IllegalArgumentException("unknown option \"" + key + "\": use one of " + RUNTIME_OPTIONS
                        + " or <policy>.<option> with a policy of " + hub.available());
            }
        }
    }

    // ---- Kernel

    @Override public long runtimeId() { return runtimeId; }
    @Override public InterpreterRegistry registry() { return this; }
    @Override public Policies policies() { return hub; }
    @Override public DiagnosticsLevel diagnostics() { return diagnostics; }

    @Override
    public InterpreterLifecycle lifecycle(Interpreter interpreter) {
        return record(interpreter, "interpreter");
    }

    private InterpreterRecord record(Interpreter interpreter, String argument) {
        Objects.requireNonNull(interpreter, argument);
        if (interpreter instanceof InterpreterRecord r && r.runtimeId() == runtimeId) {
            return r;
        }
        throw new IllegalArgumentException(argument + " " + interpreter + " belongs to another runtime, not to runtime #"
                + runtimeId);
    }

    @Override
    public LeakDecision guardLeaked(GuardInfo leaked) {
        Objects.requireNonNull(leaked, "leaked");
        FinalizationPolicy policy = hub.activePolicy();
        LeakDecision d;
        try {
            d = Objects.requireNonNull(policy.onLeak(leaked), "policy returned no decision");
        } catch (RuntimeException | Error e) {
            log(Notices.POLICY, System.Logger.Level.ERROR, "[vigil] policy " + policy.name() + " failed deciding a leak ("
                    + e + "); the built-in default decides");
            d = BUILT_IN_DEFAULT.onLeak(leaked);
        }
        VigilEvents.leak(leaked, policy.name(), d);
        log(Notices.LEAK, System.Logger.Level.WARNING, "[vigil] leaked guard (never closed, now unreachable): " + leaked
                + (d == LeakDecision.RECLAIM ? "; reclaimed by policy " : "; still counted under policy ") + policy.name());
        return d;
    }

    @Override
    public void bindGuards(GuardDirectory directory) {
        Objects.requireNonNull(directory, "directory");
        GuardDirectory old = guardDirectory;
        if (old != directory) {
            retire(old);
        }
        this.guardDirectory = directory;
    }

    @Override
    public void unbindGuards(GuardDirectory directory) {
        Objects.requireNonNull(directory, "directory");
        if (guardDirectory == directory) {
            retire(directory);
        }
        GUARD_DIRECTORY.compareAndSet(this, directory, NO_GUARD_DIRECTORY);
    }

    /** Keeps the ledger guards of a directory that stops being bound counted; see {@link #retiredDirectories}. */
    private void retire(GuardDirectory d) {
        if (d == NO_GUARD_DIRECTORY) {
            return;
        }
        d.close();
        if (d.ledgerGuards(-1) > 0) {
            retiredDirectories.add(d);
        }
    }

    /**
     * The open ledger guards of an interpreter (-1: of all), in the bound directory and in the
     * retired ones (see {@link dev.vigil.spi.kernel.InterpreterLifecycle}). Drops retired
     * directories whose guards have all closed.
     */
    int ledgerGuards(long interpreterId) {
        GuardDirectory d = guardDirectory;
        int n = d.ledgerGuards(interpreterId);
        for (GuardDirectory r : retiredDirectories) {
            if (r != d) {
                n += r.ledgerGuards(interpreterId);
                if (r.ledgerGuards(-1) == 0) {
                    retiredDirectories.remove(r);
                }
            }
        }
        return n;
    }

    @Override
    public void bindThreadBinder(ThreadBinder binder) {
        this.threadBinder = Objects.requireNonNull(binder, "binder");
    }

    @Override
    public boolean interrupt() {
        interrupts.incrementAndGet();
        boolean delivered = false;
        for (Finalization f : finalizations) {
            delivered |= f.deliverInterrupt();
        }
        parkedLateAttaches.forEach(LockSupport::unpark);
        return delivered;
    }

    @Override
    public void installPolicy(FinalizationPolicy policy, int ranking) {
        hub.install(policy, ranking);
    }

    @Override
    public void uninstallPolicy(FinalizationPolicy policy) {
        hub.uninstall(policy);
    }

    @Override
    public void useRanking() {
        hub.useRanking();
    }

    @Override
    public void configurePolicy(String name, Map<String, String> options) {
        hub.configure(name, options);
    }

    /** Logs at {@code INFO} under {@value Notices#FINALIZATION}. */
    @Override
    public void notice(String text) {
        log(Notices.FINALIZATION, System.Logger.Level.INFO, text);
    }

    @Override
    public void log(String logger, System.Logger.Level level, String text) {
        try {
            log.log(logger, level, text, null);
        } catch (RuntimeException e) {
            System.err.println(text); // the sink failed: the text must not be lost
        }
    }

    @Override
    public void dispose() {
        progress.dispose();
        if (jmx != null) {
            jmx.unregister();
        }
        if (signals != null) {
            signals.uninstall();
        }
        GuardDirectory d = guardDirectory;
        try {
            d.close(); // its threads and per-thread values end with the runtime (DESIGN.md section 5)
        } finally {
            unbindGuards(d);
        }
    }

    /** The process-shutdown handling (S1), if this runtime installed signal handlers. */
    Signals signals() {
        return signals;
    }

    // ---- InterpreterRegistry

    @Override
    public Interpreter main() {
        return main;
    }

    @Override
    public Interpreter create(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        // Creating under a guard of main: after main's point of no return nothing is created,
        // and HOOKS set before the guard's release makes main's finalizer see it (F3).
        if (!main.tryAcquireGuard()) {
            throw main.finalizingException("create subinterpreter \"" + name + "\"");
        }
        try {
            InterpreterRecord r = new InterpreterRecord(this, INTERPRETER_IDS.getAndIncrement(), name, false);
            InterpreterRecord taken = names.putIfAbsent(name, r);
            if (taken != null) {
                throw new IllegalArgumentException("name \"" + name + "\" is taken by " + taken);
            }
            live.put(r.id(), r);
            main.subinterpreterCreated();
            return r;
        } finally {
            main.releaseGuard();
        }
    }

    @Override
    public Optional<Interpreter> lookup(long id) {
        return Optional.ofNullable(live.get(id));
    }

    @Override
    public List<Interpreter> interpreters() {
        return List.copyOf(live.values());
    }

    @Override
    public FinalizationReport shutdown(Interpreter interpreter) {
        return record(interpreter, "interpreter").shutdown();
    }

    @Override
    public FinalizationReport shutdown() {
        return main.shutdown();
    }

    @Override
    public void atExit(Interpreter interpreter, Runnable hook) {
        InterpreterRecord r = record(interpreter, "interpreter");
        r.addAtExit(Objects.requireNonNull(hook, "hook"));
    }

    @Override
    public void onFinalizationRequested(Interpreter interpreter, Runnable listener) {
        InterpreterRecord r = record(interpreter, "interpreter");
        r.addFinalizationListener(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public String toString() {
        return "runtime #" + runtimeId + " " + live.values();
    }

    // ---- for Finalization and InterpreterRecord

    FinalizationPolicy activePolicy() {
        return hub.activePolicy();
    }

    int policyVersion() {
        return hub.version();
    }

    GuardDirectory guardDirectory() {
        return guardDirectory;
    }

    ThreadBinder threadBinder() {
        return threadBinder;
    }

    void register(Finalization f) {
        finalizations.add(f);
    }

    void unregister(Finalization f) {
        finalizations.remove(f);
        progress.ended(f);
    }

    /** The attempt began (another) wait: progress lines follow it. */
    void waiting(Finalization f) {
        progress.waiting(f);
    }

    /** The attempt running on thread {@code t} (main's, when it finalizes a subinterpreter), or null. */
    Finalization finalizationOn(Thread t) {
        for (Finalization f : finalizations) {
            if (f.thread() == t) {
                return f;
            }
        }
        return null;
    }

    void remove(InterpreterRecord r) {
        live.remove(r.id());
        names.remove(r.name(), r);
    }

    List<InterpreterRecord> subinterpretersNewestFirst() {
        List<InterpreterRecord> subs = new ArrayList<>();
        for (InterpreterRecord r : live.descendingMap().values()) {
            if (!r.isMain()) {
                subs.add(r);
            }
        }
        return subs;
    }

    private void policyChanged() {
        finalizations.forEach(Finalization::wake);
        parkedLateAttaches.forEach(LockSupport::unpark);
        String was = lastActivePolicy;
        if (was == null) {
            return; // the constructor's installs: no swap yet
        }
        String now = hub.active();
        if (!was.equals(now)) {
            lastActivePolicy = now;
            VigilEvents.swap(runtimeId, was, now);
            // DEBUG: whoever swapped (a shell, a configuration) says so to the operator already
            log(Notices.POLICY, System.Logger.Level.DEBUG, "[vigil] policy: " + was + " -> " + now);
        }
    }

    /**
     * Carries out the policy's late-attach decision (P2c) for the calling thread: parks,
     * re-deciding after every wake-up (deadline, interrupt of the thread or the runtime,
     * policy swap), until the policy says fail. The thread's interrupt status, consumed to
     * be able to park, is restored before the exception is thrown.
     */
    void lateAttach(InterpreterRecord r) {
        Thread t = Thread.currentThread();
        long start = System.nanoTime();
        boolean interrupted = false;
        boolean threadInterrupted = false; // its own interrupt status, consumed to park: restored on failure
        int seenInterrupts = interrupts.get(); // runtime interrupts from here on count
        parkedLateAttaches.add(t);
        WaitGraph.Node node = lateAttachNode(r);
        try {
            WaitGraph.enter(node).ifPresent(c -> notice("[vigil] " + r.name() + ": " + c + System.lineSeparator()
                    + "    none of these waits can end by waiting; the shutdowns of the cycle re-decide"));
            for (;;) {
                // Read after registering and before every park: an interrupt() that came before
                // is seen here; a later one finds t registered and unparks it. No lost wake-up.
                int now = interrupts.get();
                if (now != seenInterrupts) {
                    seenInterrupts = now;
                    interrupted = true;
                }
                Duration parked = Duration.ofNanos(System.nanoTime() - start);
                LateAttachContext ctx = new LateAttach(r, t, parked, interrupted);
                FinalizationPolicy policy = hub.activePolicy();
                LateAttachDecision d;
                try {
                    d = Objects.requireNonNull(policy.onLateAttach(ctx), "policy returned no decision");
                } catch (RuntimeException | Error e) {
                    log(Notices.POLICY, System.Logger.Level.ERROR, "[vigil] policy " + policy.name()
                            + " failed deciding a late attach (" + e + "); the built-in default decides");
                    d = BUILT_IN_DEFAULT.onLateAttach(ctx);
                }
                if (d.kind() == LateAttachDecision.Kind.FAIL) {
                    VigilEvents.lateAttach(r.name(), t.getName(), policy.name(), parked, interrupted);
                    if (threadInterrupted) {
                        t.interrupt();
                    }
                    throw r.finalizingException("attach thread \"" + t.getName() + "\" (late attach, policy "
                            + policy.name() + ")");
                }
                if (d.until().isPresent()) {
                    long remaining = d.until().get().minus(parked).toNanos();
                    LockSupport.parkNanos(this, Math.max(remaining, TimeUnit.MILLISECONDS.toNanos(1)));
                } else {
                    LockSupport.park(this);
                }
                if (Thread.interrupted()) {
                    interrupted = true;
                    threadInterrupted = true;
                }
            }
        } finally {
            WaitGraph.leave(node);
            parkedLateAttaches.remove(t);
        }
    }

    /**
     * A late attach as a wait of the wait-for graph: the thread parks — under daemon-hang for
     * ever, as a CPython daemon thread hangs until the process exits — so it waits on the end
     * of the runtime, that is on the thread running main's finalization, if one runs.
     */
    private WaitGraph.Node lateAttachNode(InterpreterRecord r) {
        return new WaitGraph.Node() {
            @Override dev.vigil.api.WaitCycle.WaitKind kind() { return dev.vigil.api.WaitCycle.WaitKind.LATE_ATTACH; }
            @Override InterpreterRecord interpreter() { return r; }
            @Override Map<Long, List<GuardInfo>> waitsOn() {
                Thread m = main.runningFinalizer();
                return m == null || m == thread ? Map.of() : Map.of(m.getId(), List.of());
            }
        };
    }

    private record LateAttach(Interpreter interpreter, Thread thread, Duration parked, boolean interrupted)
            implements LateAttachContext {
    }

    private static final java.lang.invoke.VarHandle GUARD_DIRECTORY;

    static {
        try {
            GUARD_DIRECTORY = java.lang.invoke.MethodHandles.lookup()
                    .findVarHandle(RegistryKernel.class, "guardDirectory", GuardDirectory.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Used until a guards bundle binds its directory: nothing is listed. */
    private static final GuardDirectory NO_GUARD_DIRECTORY = new GuardDirectory() {
        @Override
        public List<GuardInfo> openGuards(long interpreterId) {
            return List.of();
        }

        @Override
        public int interruptHolders(long interpreterId) {
            return 0;
        }
    };

    /** Used until a thread-state bundle binds: the task runs unattached, never after the point of no return. */
    private static void runUnattached(InterpreterLifecycle lifecycle, Runnable task) {
        if (lifecycle.isPastPointOfNoReturn()) {
            lifecycle.lateAttach();
        }
        task.run();
    }
}
