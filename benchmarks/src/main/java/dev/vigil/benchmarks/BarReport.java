package dev.vigil.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the benchmarks of this module in one JMH invocation, with the {@code gc} profiler, and
 * prints the DESIGN.md section 4 table: each Vigil row beside its baseline from the same run,
 * the ratio, the bar and whether it is met, at every diagnostics level measured.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.vigil.benchmarks.BarReport [JMH options]}, e.g.
 * {@code -f 1 -wi 3 -w 1s -i 5 -r 1s}. JMH options are passed through (a benchmark regex
 * narrows the run; rows whose benchmarks did not run are left out); do not add
 * {@code -prof gc}: it is always on, and so is {@link CpuTimeProfiler}.
 */
public final class BarReport {

    private static final String PKG = "dev.vigil.benchmarks.";
    private static final String ALLOC = "gc.alloc.rate.norm";
    private static final String CPU = "cpu.time.norm";
    /** Below this many bytes per operation, an operation counts as allocation-free (JMH noise). */
    private static final double ZERO_ALLOC = 1.0;

    private BarReport() {
    }

    /** How a row's bar reads. */
    private enum Bar {
        /** ratio to the baseline at most {@code limit}. */
        RATIO,
        /** median at most {@code limit} microseconds, the baseline only for reference. */
        MEDIAN_MICROS,
        /** no bar: for reference. */
        NONE,
        /**
         * ratio at most {@code limit}, of two ways timed in one benchmark's forks (its aux
         * counters {@code vigilNanos}, {@code rawNanos} and {@code evals}; see
         * {@link PolyglotBenchmarks#paired}); wall time only.
         */
        PAIRED
    }

    /** One row of the table: a benchmark, its baseline, its bar. */
    private record Row(String path, String benchmark, String baseline, Bar bar, double limit, boolean zeroAlloc) {
        String barText() {
            String text = switch (bar) {
                case RATIO -> "≤ " + fmt(limit) + "×";
                case MEDIAN_MICROS -> "median ≤ " + fmt(limit / 1000) + " ms";
                case NONE -> "reference";
                case PAIRED -> "≤ " + fmt(limit) + "× (same forks)";
            };
            return zeroAlloc ? text + ", 0 B/op" : text;
        }
    }

    /** The rows of DESIGN.md section 4 that the core covers, and reference rows. */
    private static final List<Row> ROWS = List.of(
            new Row("T1a nested ensure+release, attached", "ThreadStateBenchmarks.t1aNestedEnsure",
                    "ThreadStateBenchmarks.baselineThreadLocalIncDec", Bar.RATIO, 2, true),
            new Row("T1b ensure+release from detached, cached state", "ThreadStateBenchmarks.t1bCachedReattach",
                    "ThreadStateBenchmarks.baselineThreadLocalIncDec", Bar.RATIO, 3, true),
            new Row("guard open+close (API), 1 thread", "GuardBenchmarks.guardOpenClose",
                    "GuardBenchmarks.baselineAtomicLongPair", Bar.RATIO, 2, false),
            new Row("guard word acquire+release (SPI), 1 thread", "GuardBenchmarks.guardWordAcquireRelease",
                    "GuardBenchmarks.baselineAtomicLongPair", Bar.RATIO, 2, false),
            new Row("guard open+close (API), 2 threads", "GuardContentionBenchmarks.guardOpenClose",
                    "GuardContentionBenchmarks.baselineAtomicLongPair", Bar.RATIO, 1.5, false),
            new Row("guard open+close (API), 2 threads, vs RW lock", "GuardContentionBenchmarks.guardOpenClose",
                    "GuardContentionBenchmarks.baselineReadLockUnlock", Bar.RATIO, 0.5, false),
            new Row("guard word acquire+release (SPI), 2 threads", "GuardContentionBenchmarks.guardWordAcquireRelease",
                    "GuardContentionBenchmarks.baselineAtomicLongPair", Bar.RATIO, 1.5, false),
            new Row("guard word acquire+release (SPI), 2 threads, vs RW lock",
                    "GuardContentionBenchmarks.guardWordAcquireRelease",
                    "GuardContentionBenchmarks.baselineReadLockUnlock", Bar.RATIO, 0.5, false),
            new Row("ensureFromView+release vs Rhino enter/exit", "ThreadStateBenchmarks.ensureFromView",
                    "ThreadStateBenchmarks.baselineRhinoEnterExit", Bar.RATIO, 1, true),
            new Row("engine: ensure + eval of a tiny script + release, JS, vs raw enter/eval/leave",
                    "PolyglotBenchmarks.paired", "PolyglotBenchmarks.paired", Bar.PAIRED, 1.2, false),
            new Row("last guard close → shutdown returns", "ShutdownLatencyBenchmarks.lastGuardCloseToShutdownReturn",
                    "ShutdownLatencyBenchmarks.baselineUnparkToReturn", Bar.MEDIAN_MICROS, 1000, false),
            new Row("(ref) T1a nested ensure+release vs ThreadLocal.get() alone", "ThreadStateBenchmarks.t1aNestedEnsure",
                    "ThreadStateBenchmarks.referenceThreadLocalGet", Bar.NONE, 0, false),
            new Row("(aim) guard open+close (API), 2 threads, vs LongAdder", "GuardContentionBenchmarks.guardOpenClose",
                    "GuardContentionBenchmarks.referenceLongAdderIncDec", Bar.NONE, 0, false),
            new Row("(ref) RW lock read lock/unlock, 1 thread", "GuardBenchmarks.baselineReadLockUnlock",
                    "GuardBenchmarks.baselineAtomicLongPair", Bar.NONE, 0, false),
            new Row("(ref) LongAdder inc+dec, 2 threads", "GuardContentionBenchmarks.referenceLongAdderIncDec",
                    "GuardContentionBenchmarks.baselineAtomicLongPair", Bar.NONE, 0, false),
            new Row("(ref) RW lock read lock/unlock, 2 threads", "GuardContentionBenchmarks.baselineReadLockUnlock",
                    "GuardContentionBenchmarks.baselineAtomicLongPair", Bar.NONE, 0, false));

    /** Runs JMH with {@code args} and prints the table. */
    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = run(args);
        System.out.println();
        System.out.println(table(results));
    }

    private static Collection<RunResult> run(String[] args) throws RunnerException {
        try {
            return new Runner(new OptionsBuilder().parent(new CommandLineOptions(args))
                    .addProfiler(GCProfiler.class).addProfiler(CpuTimeProfiler.class).build()).run();
        } catch (org.openjdk.jmh.runner.options.CommandLineOptionException e) {
            throw new IllegalArgumentException("bad JMH options: " + e.getMessage(), e);
        }
    }

    /** The Markdown table of {@code results}: one line per row and diagnostics level measured. */
    static String table(Collection<RunResult> results) {
        StringBuilder out = new StringBuilder();
        out.append("| path | diagnostics | Vigil, wall | Vigil, CPU | B/op | baseline | baseline, wall | baseline, CPU"
                + " | B/op | ratio, wall | ratio, CPU | bar | margin, CPU | result |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : ROWS) {
            Optional<RunResult> base = find(results, row.baseline(), null);
            for (String level : levels(results, row.benchmark())) {
                Optional<RunResult> mine = find(results, row.benchmark(), level);
                if (mine.isEmpty() || base.isEmpty()) {
                    continue;
                }
                out.append(line(row, level, mine.get(), base.get())).append('\n');
            }
        }
        return out.toString();
    }

    private static String line(Row row, String level, RunResult mine, RunResult base) {
        if (row.bar() == Bar.PAIRED) {
            return pairedLine(row, mine);
        }
        boolean median = row.bar() == Bar.MEDIAN_MICROS;
        double score = median ? median(mine) : mine.getPrimaryResult().getScore();
        double baseScore = median ? median(base) : base.getPrimaryResult().getScore();
        double ratio = score / baseScore;
        // On a shared machine, waiting for a core inflates wall time but not CPU time: the
        // CPU-time ratio is shown beside the wall-time one, and both verdicts are reported.
        double cpuRatio = median ? Double.NaN : secondary(mine, CPU) / secondary(base, CPU);
        double bytes = secondary(mine, ALLOC);
        boolean allocOk = !row.zeroAlloc() || bytes < ZERO_ALLOC;
        String verdict = switch (row.bar()) {
            case RATIO -> verdict(ratio <= row.limit() && allocOk, cpuRatio <= row.limit() && allocOk);
            case MEDIAN_MICROS -> score <= row.limit() ? "PASS" : "**FAIL**";
            case NONE, PAIRED -> "–"; // PAIRED rows are pairedLine's
        };
        String unit = median ? " µs median" : error(mine) + " " + mine.getPrimaryResult().getScoreUnit();
        String baseUnit = median ? " µs median" : error(base) + " " + base.getPrimaryResult().getScoreUnit();
        return "| " + row.path() + " | " + (level == null ? "–" : level)
                + " | " + fmt(score) + unit + " | " + cpu(mine, median) + " | " + (median ? "–" : fmt(bytes))
                + " | " + name(row.baseline()) + " | " + fmt(baseScore) + baseUnit + " | " + cpu(base, median)
                + " | " + (median ? "–" : fmt(secondary(base, ALLOC)))
                + " | " + fmt(ratio) + "×"
                + " | " + (median ? "–" : fmt(cpuRatio) + "×")
                + " | " + row.barText()
                + " | " + (row.bar() == Bar.RATIO ? fmt(row.limit() / cpuRatio) + "×" : "–")
                + " | " + verdict + " |";
    }

    /** A {@link Bar#PAIRED} row: both ways' wall time per evaluation, from the same forks. */
    private static String pairedLine(Row row, RunResult r) {
        double evals = secondary(r, "evals");
        double vigil = secondary(r, "vigilNanos") / evals;
        double raw = secondary(r, "rawNanos") / evals;
        double ratio = vigil / raw;
        return "| " + row.path() + " | – | " + fmt(vigil) + " ns/op | – | – | raw, same forks | " + fmt(raw)
                + " ns/op | – | – | " + fmt(ratio) + "× | – | " + row.barText() + " | " + fmt(row.limit() / ratio)
                + "× (wall) | " + (ratio <= row.limit() ? "PASS" : "**FAIL**") + " |";
    }

    private static String verdict(boolean byMean, boolean byBest) {
        if (byMean == byBest) {
            return byMean ? "PASS" : "**FAIL**";
        }
        return byMean ? "PASS (CPU: FAIL)" : "**FAIL** (CPU: PASS)";
    }

    /** JMH's 99.9% confidence half-width, as " ± x". */
    private static String error(RunResult r) {
        double e = r.getPrimaryResult().getScoreError();
        return Double.isNaN(e) ? "" : " ± " + fmt(e);
    }

    private static String name(String benchmark) {
        return benchmark.substring(benchmark.indexOf('.') + 1);
    }

    private static List<String> levels(Collection<RunResult> results, String benchmark) {
        List<String> levels = new ArrayList<>();
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            if (p.getBenchmark().equals(PKG + benchmark)) {
                levels.add(p.getParam(Runtimes.PARAM_NAME));
            }
        }
        return levels;
    }

    private static Optional<RunResult> find(Collection<RunResult> results, String benchmark, String level) {
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            String l = p.getParam(Runtimes.PARAM_NAME);
            if (p.getBenchmark().equals(PKG + benchmark) && (level == null ? l == null : level.equals(l))) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    private static double median(RunResult r) {
        return r.getPrimaryResult().getStatistics().getPercentile(50);
    }

    private static String cpu(RunResult r, boolean median) {
        return median ? "–" : fmt(secondary(r, CPU)) + " ns/op";
    }

    /** A profiler's result, e.g. bytes allocated per operation ({@code NaN} if it did not report). */
    private static double secondary(RunResult r, String label) {
        for (var e : r.getSecondaryResults().entrySet()) {
            if (e.getKey().endsWith(label)) {
                return e.getValue().getScore();
            }
        }
        return Double.NaN;
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) < 0.05) {
            return "0";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
