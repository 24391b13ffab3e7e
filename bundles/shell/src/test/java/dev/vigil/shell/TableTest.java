package dev.vigil.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The shell's listings: columns aligned to the widest cell, the last column unpadded. */
class TableTest {

    @Test
    void alignsColumns_andPrintsNullAsDash() {
        String nl = System.lineSeparator();
        String text = new Table("ID", "NAME", "STATE").row(0, "main (main)", "RUNNING").row(12, "w", null).toString();
        assertThat(text).isEqualTo(
                "ID  NAME         STATE" + nl
                + "0   main (main)  RUNNING" + nl
                + "12  w            -" + nl);
    }

    @Test
    void refusesARowOfTheWrongWidth() {
        assertThatThrownBy(() -> new Table("A", "B").row(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
