package dev.vigil.registry;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * The runtime's MXBean ({@link VigilRuntimeMXBean}): registered by {@link #register} when the
 * runtime is built with {@code vigil.jmx=true} (the default), unregistered by
 * {@link #unregister()} when it is disposed. A failure to register is logged, never fatal.
 * A {@code shutdown} operation runs on a thread of its own (so a JMX client is never stuck
 * behind a daemon-hang wait), which ends with that shutdown. Thread-safe.
 */
final class RuntimeJmx implements VigilRuntimeMXBean {

    /** How long {@link #shutdown(long)} waits before leaving the shutdown in the background. */
    private static final long SHUTDOWN_WAIT_SECONDS = 10;

    private final RegistryKernel kernel;
    private final ObjectName name;

    private RuntimeJmx(RegistryKernel kernel, ObjectName name) {
        this.kernel = kernel;
        this.name = name;
    }

    /** The MXBean's name for a runtime. */
    static ObjectName objectName(long runtimeId) {
        try {
            return new ObjectName("dev.vigil:type=Runtime,name=runtime-" + runtimeId);
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Registers the MXBean of {@code kernel}; null (and a warning logged) if that failed. */
    static RuntimeJmx register(RegistryKernel kernel) {
        RuntimeJmx bean = new RuntimeJmx(kernel, objectName(kernel.runtimeId()));
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(
                    new StandardMBean(bean, VigilRuntimeMXBean.class, true), bean.name);
            return bean;
        } catch (JMException | RuntimeException e) {
            kernel.log(Notices.CONFIG, System.Logger.Level.WARNING, "[vigil] MXBean " + bean.name
                    + " not registered: " + e);
            return null;
        }
    }

    void unregister() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (JMException e) {
            kernel.log(Notices.CONFIG, System.Logger.Level.WARNING, "[vigil] MXBean " + name
                    + " not unregistered: " + e);
        }
    }

    @Override
    public long getRuntimeId() {
        return kernel.runtimeId();
    }

    @Override
    public String getActivePolicy() {
        return kernel.policies().active();
    }

    @Override
    public List<String> getAvailablePolicies() {
        return List.copyOf(new java.util.TreeSet<>(kernel.policies().available()));
    }

    @Override
    public List<InterpreterRow> getInterpreters() {
        List<InterpreterRow> rows = new ArrayList<>();
        for (Interpreter i : kernel.interpreters()) {
            int guards = i instanceof InterpreterRecord r ? r.openGuardCount() : 0;
            rows.add(new InterpreterRow(i.id(), i.name(), i.state().name(), guards));
        }
        return rows;
    }

    @Override
    public int getOpenGuardCount() {
        int n = 0;
        for (Interpreter i : kernel.interpreters()) {
            n += i instanceof InterpreterRecord r ? r.openGuardCount() : 0;
        }
        return n;
    }

    @Override
    public List<GuardRow> getOpenGuards() {
        List<GuardRow> rows = new ArrayList<>();
        for (Interpreter i : kernel.interpreters()) {
            for (GuardInfo g : kernel.guardDirectory().openGuards(i.id())) {
                rows.add(new GuardRow(g.interpreterId(), g.interpreterName(), g.holderThread(), g.holderThreadId(),
                        g.age().toMillis(), g.owner().orElse("")));
            }
        }
        return rows;
    }

    @Override
    public String shutdown(long id) {
        Interpreter target = kernel.lookup(id).orElseThrow(() -> new IllegalArgumentException(
                "no live interpreter with id " + id + "; the live ones are " + kernel.interpreters()));
        CompletableFuture<String> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                done.complete(kernel.shutdown(target).toString());
            } catch (FinalizationAbortedException e) {
                done.complete(e.report().toString());
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        }, "vigil-jmx-shutdown-" + id);
        t.setDaemon(true);
        t.start();
        try {
            return done.get(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return "shutdown of " + target.name() + " (#" + id + ") goes on in the background after "
                    + SHUTDOWN_WAIT_SECONDS + " s; see OpenGuards, interrupt() or usePolicy(name)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while waiting; the shutdown of " + target.name() + " goes on in the background";
        } catch (ExecutionException e) {
            throw new IllegalStateException("shutdown of " + target.name() + " failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public boolean interrupt() {
        return kernel.interrupt();
    }

    @Override
    public void usePolicy(String name) {
        kernel.policies().use(name);
    }
}
