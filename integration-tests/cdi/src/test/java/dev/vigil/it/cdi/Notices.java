package dev.vigil.it.cdi;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Where the runtime's notices go in these tests (set by the configuration observers). */
public final class Notices {

    private static final List<String> LINES = new CopyOnWriteArrayList<>();

    private Notices() {
    }

    public static void add(String line) {
        LINES.add(line);
    }

    public static List<String> lines() {
        return LINES;
    }

    public static void clear() {
        LINES.clear();
    }
}
