package dev.kiln.core.store;

import java.util.List;

/**
 * One page of a list, newest first.
 *
 * @param items the items on this page
 * @param page the page number, from 1
 * @param perPage the page size
 * @param total how many items there are on all pages
 * @param <T> the item type
 */
public record Page<T>(List<T> items, int page, int perPage, long total) {

    /**
     * Copies the items.
     */
    public Page {
        items = List.copyOf(items);
    }

    /**
     * The number of pages.
     *
     * @return at least 0
     */
    public long totalPages() {
        return (total + perPage - 1) / perPage;
    }
}
