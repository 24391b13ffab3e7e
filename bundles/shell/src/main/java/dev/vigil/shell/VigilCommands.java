package dev.vigil.shell;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.Policies;
import dev.vigil.api.ThreadStates;
import dev.vigil.spi.Durations;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.kernel.Kernel;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The operator's commands at a live or stuck Vigil runtime, in the Gogo scope {@code vigil}:
 * list interpreters and guards, create an interpreter, take and close guards (drills), show
 * and switch the finalization policy (P4), shut an interpreter or everything down and print
 * the report (F7), deliver an interrupt (S2), and run a demo workload.
 *
 * <p>Every command prints what it did to the session's output and returns nothing, so that it
 * reads the same in the interactive shell and in a non-interactive script. Bad input (an
 * unknown interpreter, policy or guard number) throws {@link IllegalArgumentException} with
 * a message saying what exists; Gogo prints it.
 *
 * <p>{@code vigil:shutdown} never freezes the shell: the shutdown runs on a thread of its
 * own and the command waits for it at most {@code --wait} (printing progress), after which
 * the shutdown goes on in the background and prints its report when it ends. Meanwhile
 * {@code vigil:guards} shows what holds it, and {@code vigil:interrupt},
 * {@code vigil:policy <name>} or {@code vigil:close <n>} unstick it.
 *
 * <p>Guards taken here are attributed to this bundle (the guards service is bundle-scoped)
 * and held by threads of their own ({@link HeldGuards}); deactivating the component closes
 * them.
 */
// Immediate: a delayed component would be deactivated whenever Gogo ungets it between
// commands, and deactivation closes the guards the operator holds.
@Component(service = VigilCommands.class, immediate = true, property = {
        "osgi.command.scope=vigil",
        "osgi.command.function=interpreters",
        "osgi.command.function=create",
        "osgi.command.function=guard",
        "osgi.command.function=close",
        "osgi.command.function=guards",
        "osgi.command.function=policy",
        "osgi.command.function=shutdown",
        "osgi.command.function=interrupt",
        "osgi.command.function=demo" })
public final class VigilCommands {

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

    private final InterpreterRegistry registry;
    private final InterpreterGuards guards;
    private final ThreadStates threadStates;
    private final Policies policies;
    private final Kernel kernel;
    private final HeldGuards held = new HeldGuards(VigilCommands::println);
    /** Policy services, for their option values; the built-in default has none. */
    private final List<FinalizationPolicy> policyServices = new CopyOnWriteArrayList<>();

    /** Created by Declarative Services with the runtime's services. */
    @Activate
    public VigilCommands(@Reference(name = "registry") InterpreterRegistry registry,
            @Reference(name = "guards") InterpreterGuards guards,
            @Reference(name = "threadStates") ThreadStates threadStates,
            @Reference(name = "policies") Policies policies,
            @Reference(name = "kernel") Kernel kernel) {
        this.registry = registry;
        this.guards = guards;
        this.threadStates = threadStates;
        this.policies = policies;
        this.kernel = kernel;
    }

    @Reference(name = "policy", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addPolicy(FinalizationPolicy policy) {
        policyServices.add(policy);
    }

    void removePolicy(FinalizationPolicy policy) {
        policyServices.remove(policy);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        held.closeAll();
    }

    // ---- interpreters

    @Descriptor("list the interpreters with id, name, state and open guard count")
    public void interpreters() {
        List<Interpreter> live = registry.interpreters();
        if (live.isEmpty()) {
            println("no live interpreters: the runtime is finalized");
            return;
        }
        Table t = new Table("ID", "NAME", "STATE", "GUARDS");
        for (Interpreter i : live) {
            t.row(i.id(), i.name() + (i.isMain() ? " (main)" : ""), i.state(), kernel.lifecycle(i).openGuardCount());
        }
        System.out.print(t);
    }

    @Descriptor("create a subinterpreter")
    public void create(@Descriptor("its name, unique among live interpreters") String name) {
        Interpreter i = registry.create(name);
        println("created " + HeldGuards.describe(i));
    }

    // ---- guards

    @Descriptor("take a guard on an interpreter, held by a thread of its own until vigil:close; prints its number")
    public void guard(
            @Descriptor("ignore interrupts: the holder keeps the guard until vigil:close (a guard that never closes)")
            @Parameter(names = { "-s", "--stubborn" }, presentValue = "true", absentValue = "false") boolean stubborn,
            @Descriptor("interpreter id or name") String interpreter) throws InterruptedException {
        Interpreter i = find(interpreter);
        Optional<HeldGuards.Held> h = held.take(guards, i, stubborn);
        if (h.isEmpty()) {
            println("refused: " + HeldGuards.describe(i) + " is finalizing or gone (G2); no guard taken");
            return;
        }
        println("guard #" + h.get().number() + " on " + HeldGuards.describe(i) + " held by thread "
                + h.get().holder().getName() + (stubborn ? " (stubborn: ignores interrupts)" : "")
                + "; vigil:close " + h.get().number() + " releases it");
    }

    @Descriptor("close a guard taken with vigil:guard")
    public void close(@Descriptor("the guard's number") int number) throws InterruptedException {
        HeldGuards.Held h = held.close(number);
        println("guard #" + number + " on " + HeldGuards.describe(h.interpreter()) + " closed after "
                + Durations.format(h.age()));
    }

    @Descriptor("list the open guards with interpreter, holder thread, age, owner bundle and creation site")
    public void guards() {
        List<GuardInfo> open = guards.openGuards();
        if (open.isEmpty()) {
            println(kernel.diagnostics() == dev.vigil.api.DiagnosticsLevel.OFF
                    ? "no guards listed: diagnostics level is off (guards are only counted, see vigil:interpreters)"
                    : "no open guards");
            return;
        }
        Table t = new Table("#", "INTERPRETER", "HOLDER", "AGE", "OWNER", "SITE");
        for (GuardInfo g : open) {
            String number = held.byHolder(g.holderThreadId()).map(h -> String.valueOf(h.number())).orElse(null);
            String site = g.creationSite().isEmpty() ? (g.ownedByThreadState() ? "ensureFromView" : null)
                    : g.creationSite().get(0).toString();
            t.row(number, g.interpreterName() + " (#" + g.interpreterId() + ")",
                    g.holderThread() + " (id " + g.holderThreadId() + ")", Durations.format(g.age()),
                    g.owner().orElse(null), site);
        }
        System.out.print(t);
        if (open.stream().allMatch(g -> g.creationSite().isEmpty())) {
            println("(creation sites are recorded at diagnostics level full: vigil.diagnostics=full)");
        }
    }

    // ---- policies

    @Descriptor("show the active finalization policy and the available ones, with their options")
    public void policy() {
        String active = policies.active();
        Map<String, String> options = new TreeMap<>();
        for (FinalizationPolicy p : policyServices) {
            options.put(p.name(), p.options().isEmpty() ? null : p.options().toString());
        }
        Table t = new Table("", "POLICY", "OPTIONS");
        for (String name : new java.util.TreeSet<>(policies.available())) {
            t.row(name.equals(active) ? "*" : " ", name, options.get(name));
        }
        System.out.print(t);
        println("active: " + active);
    }

    @Descriptor("make a policy active; a waiting shutdown re-decides under it at once (P4)")
    public void policy(@Descriptor("the policy's name") String name) {
        String before = policies.active();
        policies.use(name);
        println("policy: " + before + " -> " + policies.active());
    }

    // ---- shutdown

    @Descriptor("shut everything down (the main interpreter and so all) and print the report")
    public void shutdown(
            @Descriptor("how long to wait before leaving the shutdown running in the background (default 10s)")
            @Parameter(names = { "-w", "--wait" }, absentValue = "10s") String wait) throws InterruptedException {
        shutdown(wait, String.valueOf(registry.main().id()));
    }

    @Descriptor("shut one interpreter down and print the report")
    public void shutdown(
            @Descriptor("how long to wait before leaving the shutdown running in the background (default 10s)")
            @Parameter(names = { "-w", "--wait" }, absentValue = "10s") String wait,
            @Descriptor("interpreter id or name") String interpreter) throws InterruptedException {
        Interpreter i = find(interpreter);
        Duration limit = Durations.parse(wait);
        PrintStream sessionOut = System.out;
        CompletableFuture<String> done = new CompletableFuture<>();
        Thread t = new Thread(() -> done.complete(runShutdown(i)), "vigil-shell-shutdown-" + i.name());
        t.setDaemon(true);
        t.start();
        println("shutting down " + HeldGuards.describe(i) + " under policy " + policies.active() + " ...");
        long start = System.nanoTime();
        for (;;) {
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            Duration left = limit.minus(waited);
            if (left.isNegative() || left.isZero()) {
                break;
            }
            Duration step = left.compareTo(PROGRESS_EVERY) < 0 ? left : PROGRESS_EVERY;
            try {
                sessionOut.print(done.get(step.toNanos(), TimeUnit.NANOSECONDS));
                return;
            } catch (TimeoutException e) {
                sessionOut.println("  ... " + Durations.format(Duration.ofNanos(System.nanoTime() - start)) + ": "
                        + i.name() + " is " + i.state() + ", " + kernel.lifecycle(i).openGuardCount()
                        + " open guard(s)");
            } catch (ExecutionException e) {
                throw new IllegalStateException("shutdown of " + HeldGuards.describe(i) + " failed", e.getCause());
            }
        }
        sessionOut.println("shutdown of " + HeldGuards.describe(i) + " goes on in the background; its report prints"
                + " when it ends. vigil:guards shows what holds it; vigil:interrupt, vigil:policy <name> or"
                + " vigil:close <n> unstick it.");
        done.thenAccept(System.out::print);
    }

    private String runShutdown(Interpreter i) {
        try {
            FinalizationReport r = registry.shutdown(i);
            return r + (i.isMain() ? "the runtime is finalized" + System.lineSeparator() : "");
        } catch (FinalizationAbortedException e) {
            return e.report().toString();
        } catch (RuntimeException | Error e) {
            return "shutdown of " + HeldGuards.describe(i) + " failed: " + e + System.lineSeparator();
        }
    }

    @Descriptor("deliver an interrupt to waiting shutdowns, as a further Ctrl-C does (S2, P2b)")
    public void interrupt() {
        boolean delivered = kernel.interrupt();
        println(delivered ? "interrupt delivered to a waiting shutdown (policy " + policies.active() + " decides)"
                : "no shutdown was waiting; interrupt counted for parked late attaches only");
    }

    // ---- demo

    @Descriptor("run a short workload: threads call into interpreters through views while they shut down")
    public void demo(
            @Descriptor("worker threads (default 8)")
            @Parameter(names = { "-t", "--threads" }, absentValue = "8") int threads,
            @Descriptor("interpreters to create and shut down (default 4)")
            @Parameter(names = { "-n", "--interpreters" }, absentValue = "4") int interpreters,
            @Descriptor("how long the workload runs (default 1s)")
            @Parameter(names = { "-d", "--duration" }, absentValue = "1s") String duration) throws InterruptedException {
        new Demo(registry, guards, threadStates).run(threads, interpreters, Durations.parse(duration),
                policies.active(), System.out);
    }

    // ---- helpers

    /** The live interpreter with this id or name. */
    private Interpreter find(String idOrName) {
        for (Interpreter i : registry.interpreters()) {
            if (i.name().equals(idOrName) || String.valueOf(i.id()).equals(idOrName)) {
                return i;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Interpreter i : registry.interpreters()) {
            known.append(known.length() == 0 ? "" : ", ").append(HeldGuards.describe(i));
        }
        throw new IllegalArgumentException("no live interpreter \"" + idOrName + "\"; live: " + known);
    }

    private static void println(String line) {
        System.out.println(line);
    }
}
