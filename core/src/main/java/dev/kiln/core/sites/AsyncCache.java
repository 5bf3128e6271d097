package dev.kiln.core.sites;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.vertx.core.Future;

/**
 * Answers that take a round trip to find, remembered until {@link #clear()}. A failed answer is
 * not kept, nor one whose lookup began before a clear (it may predate the change that caused it).
 *
 * @param <K> the key
 * @param <V> the answer
 */
final class AsyncCache<K, V> {

    private final Map<K, Future<V>> answers = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final int maxEntries;

    /**
     * A cache.
     *
     * @param maxEntries past this many it starts over, so hostile keys cannot grow it without end
     */
    AsyncCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    Future<V> get(K key, Function<K, Future<V>> loader) {
        Future<V> known = answers.get(key);
        if (known != null) {
            return known;
        }
        if (answers.size() >= maxEntries) {
            clear();
        }
        long started = generation.get();
        Future<V> loaded = loader.apply(key);
        if (loaded.failed()) {
            return loaded;
        }
        Future<V> previous = answers.putIfAbsent(key, loaded);
        if (previous != null) {
            return previous;
        }
        if (!loaded.isComplete()) {
            loaded.onComplete(result -> {
                if (result.failed() || generation.get() != started) {
                    answers.remove(key, loaded);
                }
            });
        }
        if (generation.get() != started) {
            answers.remove(key, loaded);
        }
        return loaded;
    }

    void clear() {
        generation.incrementAndGet();
        answers.clear();
    }
}
