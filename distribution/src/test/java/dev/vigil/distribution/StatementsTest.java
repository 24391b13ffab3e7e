package dev.vigil.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The non-interactive mode's statement splitting (each statement's result is printed). */
class StatementsTest {

    @Test
    void splitsAtNewLinesAndSemicolons_outsideQuotesAndBrackets() {
        assertThat(Statements.split("vigil:create w; vigil:guard w\n\n# a comment\nlb"))
                .containsExactly("vigil:create w", "vigil:guard w", "lb");
        assertThat(Statements.split("echo 'a;b' \"c;d\"; each [1 2] { echo $it; echo x }\nx = (a; b)"))
                .containsExactly("echo 'a;b' \"c;d\"", "each [1 2] { echo $it; echo x }", "x = (a; b)");
        assertThat(Statements.split("echo a\\;b; echo c")).containsExactly("echo a\\;b", "echo c");
        assertThat(Statements.split(" ;\n ")).isEmpty();
    }
}
