package dev.kiln.core.github;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.kiln.core.store.Page;
import io.vertx.ext.web.RoutingContext;

/**
 * GitHub's pagination: {@code per_page} defaults to 30 and is cut to 100, {@code page} defaults
 * to 1; a value that is not a positive number means the default instead of an error, as on
 * GitHub. The {@code Link} header repeats the request's own query with another {@code page}.
 *
 * @param page from 1
 * @param perPage 1 to 100
 */
record GithubPaging(int page, int perPage) {

    static final int DEFAULT_PER_PAGE = 30;
    static final int MAX_PER_PAGE = 100;

    // Like Ruby's to_i, which GitHub applies: leading digits count, the rest is ignored.
    private static final Pattern LEADING_NUMBER = Pattern.compile("\\s*\\+?(\\d+).*", Pattern.DOTALL);

    static GithubPaging of(RoutingContext context) {
        int perPage = positive(first(context, "per_page")).orElse(DEFAULT_PER_PAGE);
        int page = positive(first(context, "page")).orElse(1);
        return new GithubPaging(page, Math.min(perPage, MAX_PER_PAGE));
    }

    private static String first(RoutingContext context, String name) {
        List<String> values = context.queryParam(name);
        return values.isEmpty() ? null : values.get(0);
    }

    private static OptionalInt positive(String value) {
        if (value == null) {
            return OptionalInt.empty();
        }
        Matcher number = LEADING_NUMBER.matcher(value);
        if (!number.matches()) {
            return OptionalInt.empty();
        }
        String digits = number.group(1).replaceFirst("^0+(?=\\d)", "");
        // Past int range is "very large": the last page GitHub could ever show is still empty.
        int parsed = digits.length() > 9 ? Integer.MAX_VALUE / MAX_PER_PAGE : Integer.parseInt(digits);
        return parsed >= 1 ? OptionalInt.of(parsed) : OptionalInt.empty();
    }

    /**
     * The {@code Link} header GitHub sends: {@code prev}, {@code next}, {@code last}, {@code first},
     * in that order, each present only where it leads somewhere.
     *
     * @param url the request's absolute URL without its query
     * @param rawQuery the request's query as sent, or null
     * @param page the page answered
     * @return the header value, or null when everything fit on one page
     */
    static String link(String url, String rawQuery, Page<?> page) {
        long last = Math.max(1, page.totalPages());
        int current = page.page();
        List<String> links = new ArrayList<>();
        if (current > 1) {
            links.add(pageLink(url, rawQuery, current - 1, "prev"));
        }
        if (current < last) {
            links.add(pageLink(url, rawQuery, current + 1, "next"));
            links.add(pageLink(url, rawQuery, last, "last"));
        }
        if (current > 1) {
            links.add(pageLink(url, rawQuery, 1, "first"));
        }
        return links.isEmpty() ? null : String.join(", ", links);
    }

    private static String pageLink(String url, String rawQuery, long page, String rel) {
        StringBuilder query = new StringBuilder();
        if (rawQuery != null) {
            for (String part : rawQuery.split("&")) {
                if (!part.isEmpty() && !part.equals("page") && !part.startsWith("page=")) {
                    query.append(part).append('&');
                }
            }
        }
        query.append("page=").append(page);
        return "<" + url + "?" + query + ">; rel=\"" + rel + "\"";
    }
}
