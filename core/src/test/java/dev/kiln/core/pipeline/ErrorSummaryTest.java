package dev.kiln.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ErrorSummaryTest {

    @Test
    void colourCodesAreRemoved() {
        assertThat(ErrorSummary.plain("\u001B[31merror\u001B[39m \u001B[1mTS2304\u001B[0m: bad\u001B]0;title\u0007")).isEqualTo("error TS2304: bad");
    }

    @Test
    void errorLinesAreRecognisedButBareMarkersAreNot() {
        assertThat(ErrorSummary.isErrorLine("npm error code EUSAGE")).isTrue();
        assertThat(ErrorSummary.isErrorLine("npm ERR! missing script: build")).isTrue();
        assertThat(ErrorSummary.isErrorLine("[ERROR] Failed to execute goal")).isTrue();
        assertThat(ErrorSummary.isErrorLine("FATAL: out of memory")).isTrue();
        assertThat(ErrorSummary.isErrorLine("Build failed with 2 errors")).isTrue();
        assertThat(ErrorSummary.isErrorLine("npm error")).isFalse();
        assertThat(ErrorSummary.isErrorLine("\u001B[31mnpm error\u001B[0m ")).isFalse();
        assertThat(ErrorSummary.isErrorLine("compiled 12 modules")).isFalse();
        assertThat(ErrorSummary.isErrorLine("terrorist.md copied")).isFalse();
    }

    @Test
    void theFirstErrorsComeBeforeTheTailAndTheExitCodeStaysFirst() {
        String message = "`npm ci` exited with code 1; last lines:\nnpm error   --dry-run\n\u001B[2mnpm error\u001B[0m log in /tmp/x.log";
        List<String> errors = List.of("npm error code EUSAGE", "\u001B[31mnpm error\u001B[0m `npm ci` can only install packages when in sync",
                "npm error code EUSAGE", "npm error log in /tmp/x.log");

        String summary = ErrorSummary.of(message, errors);

        assertThat(summary).isEqualTo("""
                `npm ci` exited with code 1; first errors:
                npm error code EUSAGE
                npm error `npm ci` can only install packages when in sync
                last lines:
                npm error   --dry-run
                npm error log in /tmp/x.log""");
    }

    @Test
    void aMessageWithoutCommandOutputIsOnlyCleaned() {
        assertThat(ErrorSummary.of("\u001B[1mpackage.json\u001B[0m is not valid", List.of())).isEqualTo("package.json is not valid");
    }

    @Test
    void aLongSummaryKeepsItsHead() {
        String summary = ErrorSummary.of("`make` exited with code 2; last lines:\n" + "x".repeat(10_000), List.of("make: *** [all] Error 2"));

        assertThat(summary).startsWith("`make` exited with code 2; first errors:\nmake: *** [all] Error 2\nlast lines:\nxxx")
                .endsWith("(the deployment's log has the full output)")
                .hasSizeLessThan(ErrorSummary.MAX_LENGTH + 100);
    }
}
