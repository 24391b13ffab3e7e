package dev.vigil.shell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A text table with left-aligned columns as wide as their widest cell, for the shell's
 * listings. The last column is not padded, so long values (stack frames) do not push
 * trailing blanks. Not thread-safe; one table per command invocation.
 */
final class Table {

    private static final String GAP = "  ";

    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        this.header = header.clone();
    }

    /** Adds a row; {@code null} cells print as {@code -}. */
    Table row(Object... cells) {
        if (cells.length != header.length) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, header " + header.length);
        }
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cells[i] == null ? "-" : cells[i].toString();
        }
        rows.add(r);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    @Override
    public String toString() {
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, header, width);
        for (String[] r : rows) {
            line(b, r, width);
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String[] cells, int[] width) {
        for (int i = 0; i < cells.length; i++) {
            b.append(cells[i]);
            if (i < cells.length - 1) {
                char[] pad = new char[width[i] - cells[i].length()];
                Arrays.fill(pad, ' ');
                b.append(pad).append(GAP);
            }
        }
        b.append(System.lineSeparator());
    }
}
