package dev.kiln.core.plugins;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the threads a plugin left behind when it is unloaded, so that install and remove cycles
 * do not pile up threads and, through them, class loaders.
 */
final class PluginThreads {

    private static final Logger LOG = LoggerFactory.getLogger(PluginThreads.class);
    private static final long GRACE_MILLIS = 1_000;

    private PluginThreads() {
    }

    /**
     * Waits a little for the plugin's threads to end by themselves, interrupts those that do not,
     * and waits once more.
     *
     * @param loaders the plugin's class loaders
     * @param pluginId for the log
     */
    static void endThreadsOf(List<ClassLoader> loaders, String pluginId) {
        List<Thread> threads = threadsOf(loaders);
        if (threads.isEmpty()) {
            return;
        }
        joinAll(threads, GRACE_MILLIS);
        List<Thread> left = threads.stream().filter(Thread::isAlive).toList();
        if (left.isEmpty()) {
            return;
        }
        LOG.warn("Plugin '{}' left {} thread(s) running after stop(); interrupting {}", pluginId, left.size(),
                left.stream().map(Thread::getName).toList());
        left.forEach(Thread::interrupt);
        joinAll(left, GRACE_MILLIS);
        List<String> stuck = left.stream().filter(Thread::isAlive).map(Thread::getName).toList();
        if (!stuck.isEmpty()) {
            LOG.warn("Plugin '{}': threads {} ignore interrupts and keep running", pluginId, stuck);
        }
    }

    private static List<Thread> threadsOf(List<ClassLoader> loaders) {
        Thread self = Thread.currentThread();
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread != self && thread.isAlive())
                .filter(thread -> loaders.contains(thread.getContextClassLoader())
                        || loaders.contains(thread.getClass().getClassLoader()))
                .toList();
    }

    private static void joinAll(List<Thread> threads, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Thread thread : threads) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return;
            }
            try {
                thread.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
