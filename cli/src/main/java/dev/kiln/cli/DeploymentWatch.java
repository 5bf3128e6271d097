package dev.kiln.cli;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Follows one deployment to its end: its phases as they change and, when asked, its live log
 * (Server-Sent Events, resumed with {@code Last-Event-ID} after a dropped connection), all on stderr.
 */
final class DeploymentWatch {

    static final Set<String> FINAL = Set.of("deployed", "failed", "cancelled");
    private static final long POLL_MILLIS = 500;

    private final ApiClient client;
    private final Output output;
    private final String path;
    private final long started = System.nanoTime();
    /** Held while a line is printed, and while the user is asked something, so the two do not mix. */
    final ReentrantLock printing = new ReentrantLock();
    private String shownStatus;
    /** On a terminal without a log to show, the phase is one line rewritten in place. */
    private boolean inPlace;

    DeploymentWatch(ApiClient client, Output output, String deploymentPath) {
        this.client = client;
        this.output = output;
        this.path = deploymentPath;
    }

    static boolean isFinal(Map<String, Object> deployment) {
        return isFinal(Json.string(deployment, "status"));
    }

    // Set.of(...).contains(null) throws: every check of a status goes through here.
    static boolean isFinal(String status) {
        return status != null && FINAL.contains(status);
    }

    /**
     * Waits for the deployment to reach a final state.
     *
     * @param logs whether to print its log
     * @param phases whether to print its phases
     * @return the deployment in its final state
     */
    Map<String, Object> follow(boolean logs, boolean phases) {
        Thread poller = null;
        inPlace = output.colour() && !logs;
        if (phases) {
            poller = new Thread(this::pollPhases, "kiln-phases");
            poller.setDaemon(true);
            poller.start();
        }
        try {
            Map<String, Object> deployment;
            try {
                deployment = logs ? followLog() : pollUntilFinal();
            } catch (ApiError e) {
                if (!e.missingEndpoint()) {
                    throw e;
                }
                // A server without the live log stream: the phases alone, then the stored log.
                output.note(output.dim("(this server has no live log; the log follows at the end)"));
                deployment = pollUntilFinal();
                String text = Json.string(client.get(path + "/logs").object(), "build_logs");
                if (text != null) {
                    text.lines().forEach(this::line);
                }
            }
            if (phases) {
                phase(Json.string(deployment, "status"));
                if (inPlace) {
                    output.err().println();
                }
            }
            return deployment;
        } finally {
            if (poller != null) {
                poller.interrupt();
            }
        }
    }

    private Map<String, Object> followLog() {
        String[] lastId = {null};
        int finalReconnects = 0;
        while (true) {
            boolean ended = client.stream(path + "/logs/stream", lastId[0], event -> {
                if ("end".equals(event.name())) {
                    return false;
                }
                if (event.id() != null) {
                    lastId[0] = event.id();
                }
                line(event.data());
                return true;
            });
            Map<String, Object> deployment = client.get(path).object();
            if (ended) {
                return isFinal(deployment) ? deployment : pollUntilFinal();
            }
            // The connection dropped (a proxy, a restarting node): resume after the last line seen. The
            // server ends a final deployment's stream at once, after the lines not sent yet.
            if (isFinal(deployment) && ++finalReconnects > 2) {
                return deployment;
            }
            sleep(1000);
        }
    }

    private Map<String, Object> pollUntilFinal() {
        while (true) {
            Map<String, Object> deployment = client.get(path).object();
            if (isFinal(deployment)) {
                return deployment;
            }
            sleep(POLL_MILLIS);
        }
    }

    private void pollPhases() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Map<String, Object> deployment = client.get(path).object();
                String status = Json.string(deployment, "status");
                if (isFinal(status)) {
                    return;
                }
                phase(status);
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (CliException e) {
            // The main thread meets the same failure and reports it.
        }
    }

    private void phase(String status) {
        printing.lock();
        try {
            // Once the final state is shown, a poll answered before it is stale.
            if (status == null || status.equals(shownStatus) && !inPlace || isFinal(shownStatus)) {
                return;
            }
            shownStatus = status;
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            String line = output.cyan("==> ") + output.status(status) + output.dim(" (" + seconds + "s)");
            if (inPlace) {
                output.err().print("\r\u001b[K" + line);
                output.err().flush();
            } else {
                output.err().println(line);
            }
        } finally {
            printing.unlock();
        }
    }

    private void line(String text) {
        printing.lock();
        try {
            output.err().println(text);
        } finally {
            printing.unlock();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", 130);
        }
    }

    /**
     * Ends a wait the way {@code deploy} and {@code inspect --wait} do: the URL (or JSON) on stdout
     * and 0 when deployed, the reason on stderr and 1 when failed or cancelled.
     */
    static int finish(Output output, Map<String, Object> deployment) {
        String status = Json.string(deployment, "status");
        if ("deployed".equals(status)) {
            output.show(deployment, () -> {
                output.note(output.green("Deployed") + " deployment " + deployment.get("id") + " in " + Formats.buildTime(deployment)
                        + (Boolean.TRUE.equals(deployment.get("active")) ? " (now the active deployment)" : ""));
                output.result(Json.string(deployment, "deployment_url"));
            });
            return 0;
        }
        if (output.json()) {
            output.printJson(deployment);
        }
        String reason = Json.string(deployment, "error_message");
        throw CliException.failed("deployment " + deployment.get("id") + " " + status
                + (reason == null || reason.isBlank() ? "" : ": " + reason)
                + ("failed".equals(status) ? ": kiln logs " + deployment.get("id") + " shows the build log" : ""));
    }
}
