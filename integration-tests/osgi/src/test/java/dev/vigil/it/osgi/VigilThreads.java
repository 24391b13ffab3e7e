package dev.vigil.it.osgi;

import java.util.Set;
import java.util.stream.Collectors;

/** The live threads named {@code vigil*} (section 5 hygiene checks), and those new since a snapshot. */
final class VigilThreads {

    private VigilThreads() {
    }

    /** The live threads whose name starts with {@code vigil}. */
    static Set<Thread> now() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("vigil"))
                .collect(Collectors.toSet());
    }

    /** The live {@code vigil*} threads not in {@code before}. */
    static Set<Thread> since(Set<Thread> before) {
        Set<Thread> now = now();
        now.removeAll(before);
        return now;
    }
}
