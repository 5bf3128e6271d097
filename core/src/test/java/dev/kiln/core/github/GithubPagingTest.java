package dev.kiln.core.github;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kiln.core.store.Page;

/** GitHub's {@code Link} header. */
class GithubPagingTest {

    private static final String URL = "http://kiln/api/v3/repos/acme/site/deployments/1/statuses";

    private static Page<Object> page(int page, int perPage, long total) {
        return new Page<>(List.of(), page, perPage, total);
    }

    @Test
    void noLinkWhenEverythingFitsOnePage() {
        assertThat(GithubPaging.link(URL, null, page(1, 30, 0))).isNull();
        assertThat(GithubPaging.link(URL, null, page(1, 30, 30))).isNull();
    }

    @Test
    void linksInGithubsOrderKeepingTheQuery() {
        assertThat(GithubPaging.link(URL, null, page(1, 30, 31)))
                .isEqualTo("<" + URL + "?page=2>; rel=\"next\", <" + URL + "?page=2>; rel=\"last\"");
        assertThat(GithubPaging.link(URL, "per_page=2&page=2&x=%20y", page(2, 2, 7)))
                .isEqualTo("<" + URL + "?per_page=2&x=%20y&page=1>; rel=\"prev\", <" + URL + "?per_page=2&x=%20y&page=3>; rel=\"next\", "
                        + "<" + URL + "?per_page=2&x=%20y&page=4>; rel=\"last\", <" + URL + "?per_page=2&x=%20y&page=1>; rel=\"first\"");
        assertThat(GithubPaging.link(URL, "page=4&per_page=2", page(4, 2, 7)))
                .isEqualTo("<" + URL + "?per_page=2&page=3>; rel=\"prev\", <" + URL + "?per_page=2&page=1>; rel=\"first\"");
    }

    @Test
    void pastTheLastPageLinksBack() {
        assertThat(GithubPaging.link(URL, "page=5", new Page<>(Collections.emptyList(), 5, 30, 0)))
                .isEqualTo("<" + URL + "?page=4>; rel=\"prev\", <" + URL + "?page=1>; rel=\"first\"");
    }
}
