package dev.vigil.registry;

import dev.vigil.api.FinalizationReport.Phase;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.spi.Durations;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.WaitContext;
import dev.vigil.spi.WaitDecision;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The periodic line of a waiting shutdown (DESIGN.md §7, option {@code vigil.progress}): every
 * interval while an attempt waits on guards or threads, one line under logger
 * {@value Notices#PROGRESS} at {@code INFO}: what it waits on (count, oldest holder and its
 * age), the active policy and when it acts next, and what an interrupt would do now.
 *
 * <p>Implementation notes. Nothing here is on a guard or ensure path: an attempt is tracked
 * from its first wait ({@link #waiting}) to its end ({@link #ended}), by a timer thread that
 * exists only while some attempt is tracked (created by the first, shut down with the last)
 * and never outlives {@link #dispose()}. The line is computed by asking the active policy
 * what it would decide (policies only decide, P5, and are thread-safe): {@code onWait} at the
 * deadline it set, and {@code onInterrupt} with one more interrupt. Thread-safe.
 */
final class Progress {

    /** The default interval (DESIGN.md §7). */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    private final RegistryKernel kernel;
    /** Null when off. */
    private final Duration interval;
    private final Map<Finalization, ScheduledFuture<?>> tracked = new ConcurrentHashMap<>();
    /** Exists while {@link #tracked} is not empty. Guarded by this. */
    private ScheduledThreadPoolExecutor timer;
    /** Guarded by this. */
    private boolean disposed;

    Progress(RegistryKernel kernel, Duration interval) {
        this.kernel = kernel;
        this.interval = interval;
    }

    /**
     * Parses option {@code vigil.progress}: a positive duration or {@code off}.
     *
     * @return null for off
     * @throws IllegalArgumentException naming the option, the value and the accepted ones
     */
    static Duration parseInterval(Optional<String> value) {
        if (value.isEmpty()) {
            return DEFAULT_INTERVAL;
        }
        String v = value.get().trim();
        if (v.equalsIgnoreCase("off")) {
            return null;
        }
        Duration d;
        try {
            d = Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option vigil.progress must be off or a duration, not \"" + v
                    + "\" (use off, 500ms, 5s, 1m or ISO-8601 such as PT5S)", e);
        }
        if (d.isZero()) {
            throw new IllegalArgumentException("option vigil.progress must be off or a positive duration, not \""
                    + v + "\"");
        }
        return d;
    }

    /** The attempt waits (again): track it, if progress lines are on and it is not tracked yet. */
    void waiting(Finalization f) {
        if (interval == null || tracked.containsKey(f)) {
            return;
        }
        synchronized (this) {
            if (disposed || tracked.containsKey(f)) {
                return;
            }
            if (timer == null) {
                timer = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, "vigil-progress-" + kernel.runtimeId());
                    t.setDaemon(true);
                    return t;
                });
                timer.setRemoveOnCancelPolicy(true);
            }
            long ms = interval.toMillis();
            tracked.put(f, timer.scheduleAtFixedRate(() -> report(f), ms, ms, TimeUnit.MILLISECONDS));
        }
    }

    /** The attempt ended: stop its lines; the last one tracked takes the timer thread with it. */
    void ended(Finalization f) {
        if (interval == null) {
            return;
        }
        synchronized (this) {
            ScheduledFuture<?> task = tracked.remove(f);
            if (task != null) {
                task.cancel(false);
            }
            if (tracked.isEmpty() && timer != null) {
                timer.shutdown();
                timer = null;
            }
        }
    }

    /** Stops every line and the timer thread for good. */
    synchronized void dispose() {
        disposed = true;
        tracked.values().forEach(t -> t.cancel(false));
        tracked.clear();
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    private void report(Finalization f) {
        try {
            WaitContext ctx = f.waitingContext();
            if (ctx != null) {
                kernel.log(Notices.PROGRESS, System.Logger.Level.INFO, line(ctx, kernel.activePolicy()));
            }
        } catch (RuntimeException | Error e) {
            kernel.log(Notices.PROGRESS, System.Logger.Level.WARNING, "[vigil] progress line failed: " + e);
        }
    }

    /** One progress line for a waiting attempt under {@code policy}. */
    static String line(WaitContext ctx, FinalizationPolicy policy) {
        Interpreter i = ctx.interpreter();
        StringBuilder b = new StringBuilder("[vigil] shutdown of ").append(i.name()).append(" (#").append(i.id())
                .append(") still waiting after ").append(seconds(ctx.waited())).append(": ");
        if (ctx.phase() == Phase.JOIN_THREADS) {
            b.append(ctx.threads().size()).append(" running non-daemon thread(s) ").append(ctx.threads());
        } else {
            List<GuardInfo> guards = ctx.openGuards();
            long count = Math.max(guards.size(), i instanceof InterpreterRecord r ? r.openGuardCount() : 0);
            b.append(count).append(" open guard(s)");
            guards.stream().max(Comparator.comparing(GuardInfo::age)).ifPresent(g -> b.append(", oldest held by \"")
                    .append(g.holderThread()).append("\" for ").append(seconds(g.age()))
                    .append(g.running().map(r -> ", running " + r).orElse("")));
        }
        b.append("; policy ").append(policy.name()).append(' ').append(next(ctx, policy))
                .append("; an interrupt (Ctrl-C, vigil:interrupt) would ").append(onInterrupt(ctx, policy));
        return b.toString();
    }

    private static String next(WaitContext ctx, FinalizationPolicy policy) {
        WaitDecision now = decide(() -> policy.onWait(ctx));
        if (now == null) {
            return "fails to decide";
        }
        if (now.kind() != WaitDecision.Kind.WAIT) {
            return what(now) + " now";
        }
        if (now.until().isEmpty()) {
            return "waits for ever";
        }
        Duration at = now.until().get();
        WaitDecision then = decide(() -> policy.onWait(new At(ctx, at, ctx.interrupts())));
        String act = then == null || then.kind() == WaitDecision.Kind.WAIT ? "decides again" : what(then);
        Duration in = at.minus(ctx.waited());
        return act + " in " + seconds(in.isNegative() ? Duration.ZERO : in);
    }

    private static String onInterrupt(WaitContext ctx, FinalizationPolicy policy) {
        WaitDecision d = decide(() -> policy.onInterrupt(new At(ctx, ctx.waited(), ctx.interrupts() + 1)));
        if (d == null) {
            return "be decided by the built-in default";
        }
        return switch (d.kind()) {
            case ABORT -> "abort the shutdown";
            case INTERRUPT_HOLDERS -> "interrupt the holders' threads";
            case WAIT -> d.printsReport() ? "print the report and keep waiting"
                    : d.notice().isPresent() ? "be ignored" : "keep waiting";
        };
    }

    private static String what(WaitDecision d) {
        return d.kind() == WaitDecision.Kind.ABORT ? "aborts" : "interrupts the holders' threads";
    }

    private static WaitDecision decide(java.util.function.Supplier<WaitDecision> question) {
        try {
            return question.get();
        } catch (RuntimeException | Error e) {
            return null;
        }
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? String.format(Locale.ROOT, "%.1fs", ms / 1000.0) : (ms / 1000) + "s";
    }

    /** A context as it would be at {@code waited} with {@code interrupts}: the policy's what-if. */
    private record At(WaitContext ctx, Duration waited, int interrupts) implements WaitContext {
        @Override public Interpreter interpreter() { return ctx.interpreter(); }
        @Override public Phase phase() { return ctx.phase(); }
        @Override public Optional<Duration> holdersInterruptedAt() { return ctx.holdersInterruptedAt(); }
        @Override public List<GuardInfo> openGuards() { return ctx.openGuards(); }
        @Override public List<String> threads() { return ctx.threads(); }
    }
}
