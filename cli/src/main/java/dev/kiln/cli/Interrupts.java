package dev.kiln.cli;

import java.io.Console;

import sun.misc.Signal;

/**
 * Ctrl-C while a deployment is followed: asks whether to cancel it. Without a terminal to ask
 * on, stops watching and leaves the deployment running, saying how to cancel it.
 */
final class Interrupts {

    private static volatile boolean asking;

    private Interrupts() {
    }

    @SuppressWarnings("removal")
    static void whileWatching(DeploymentWatch watch, ApiClient client, Output output, String projectPath, long deploymentId) {
        try {
            Signal.handle(new Signal("INT"), signal -> onInterrupt(watch, client, output, projectPath, deploymentId));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // No SIGINT here (an unusual platform): Ctrl-C ends the process, the deployment runs on.
        }
    }

    private static void onInterrupt(DeploymentWatch watch, ApiClient client, Output output, String projectPath, long deploymentId) {
        Console console = System.console();
        if (asking || console == null) {
            output.err().println();
            output.err().println("kiln: stopped watching; deployment " + deploymentId + " keeps running (kiln cancel "
                    + deploymentId + " stops it)");
            output.err().flush();
            Runtime.getRuntime().halt(130);
        }
        asking = true;
        watch.printing.lock();
        try {
            output.err().println();
            String answer = console.readLine("Cancel deployment %d? [y/N] ", deploymentId);
            if (answer != null && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"))) {
                try {
                    client.post(projectPath + "/deployments/" + deploymentId + "/cancel", null);
                    output.err().println("Cancelling deployment " + deploymentId + "...");
                } catch (CliException e) {
                    output.err().println("kiln: " + e.getMessage());
                }
            } else if (answer == null) {
                Runtime.getRuntime().halt(130);
            } else {
                output.err().println("Still watching deployment " + deploymentId + " (Ctrl-C again to ask again).");
            }
        } finally {
            asking = false;
            watch.printing.unlock();
        }
    }
}
