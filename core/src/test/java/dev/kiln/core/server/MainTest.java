package dev.kiln.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/** The command line: help, bad options and unusable databases give one line and a non-zero exit. */
class MainTest {

    @TempDir
    Path temp;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine commandLine = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    @Test
    void helpExplainsEveryOption() {
        Run help = run("server", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--port", "--host", "--data-dir", "--database-url", "KILN_DATABASE_URL", "--public-url",
                "--plugins-dir", "--executors", "--config");
    }

    @Test
    void unknownOptionIsOneLineAndExitCode2() {
        Run bad = run("server", "--bogus");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).startsWith("kiln: Unknown option: '--bogus'");
        assertThat(bad.err()).doesNotContain("\tat ");
        Run badPort = run("server", "--port", "eighty");
        assertThat(badPort.exitCode()).isEqualTo(2);
        assertThat(badPort.err()).contains("--port");
    }

    @Test
    void missingCommandIsAnError() {
        assertThat(run().exitCode()).isEqualTo(2);
    }

    @Test
    void unreachableDatabaseIsOneLineAndExitCode1() {
        Run unreachable = run("server", "--port", "0", "--data-dir", temp.resolve("data").toString(),
                "--plugins-dir", temp.resolve("plugins").toString(), "--database-url", "postgresql://kiln@127.0.0.1:1/kiln");
        assertThat(unreachable.exitCode()).isEqualTo(1);
        assertThat(unreachable.err().strip()).startsWith("kiln: error: cannot use the database").doesNotContain("\n");
    }

    @Test
    void databaseUrlMustBePostgres() {
        Run wrong = run("server", "--database-url", "mysql://secret@host/db");
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.err()).contains("postgresql://").doesNotContain("secret");
    }
}
