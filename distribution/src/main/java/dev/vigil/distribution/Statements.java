package dev.vigil.distribution;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a Gogo program into its top-level statements — at new lines and {@code ;} outside
 * quotes, escapes and brackets — so that the non-interactive mode can run them one by one and
 * print each one's result, as the interactive console does line by line. Gogo itself prints
 * only a program's last result. Comments ({@code #} at the start of a statement) are dropped.
 */
final class Statements {

    private Statements() {
    }

    static List<String> split(String program) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < program.length(); i++) {
            char c = program.charAt(i);
            if (c == '\\' && quote != '\'' && i + 1 < program.length()) {
                current.append(c).append(program.charAt(++i));
                continue;
            }
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '{' || c == '(' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ')' || c == ']') && depth > 0) {
                depth--;
            } else if ((c == '\n' || c == ';') && depth == 0) {
                add(statements, current);
                continue;
            }
            current.append(c);
        }
        add(statements, current);
        return statements;
    }

    private static void add(List<String> statements, StringBuilder current) {
        String s = current.toString().strip();
        current.setLength(0);
        if (!s.isEmpty() && !s.startsWith("#")) {
            statements.add(s);
        }
    }
}
