package dev.kiln.plugin.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one content-type table the host and storage plugins share. */
class WebContentTypesTest {

    @Test
    void theWebsOwnTypesAsRegistered() {
        assertThat(WebContentTypes.of("app.webmanifest")).isEqualTo("application/manifest+json");
        assertThat(WebContentTypes.of("img/photo.avif")).isEqualTo("image/avif");
        assertThat(WebContentTypes.of("pkg/module.wasm")).isEqualTo("application/wasm");
        assertThat(WebContentTypes.of("assets/index.mjs")).isEqualTo("text/javascript");
        assertThat(WebContentTypes.of("assets/index.cjs")).isEqualTo("text/javascript");
        assertThat(WebContentTypes.of("fonts/Inter.TTF")).isEqualTo("font/ttf");
        assertThat(WebContentTypes.of("fonts/Inter.otf")).isEqualTo("font/otf");
        assertThat(WebContentTypes.of("sounds/ding.wav")).isEqualTo("audio/wav");
    }

    @Test
    void unknownExtensionsAndDottedDirectoriesAreLeftToTheCaller() {
        assertThat(WebContentTypes.of("archive.xyz")).isNull();
        assertThat(WebContentTypes.of("v1.2/README")).isNull();
        assertThat(WebContentTypes.of("Makefile")).isNull();
    }

    @Test
    void textIsSentAsUtf8ButAnIconIsNot() {
        assertThat(WebContentTypes.headerValue("text/html")).isEqualTo("text/html; charset=utf-8");
        assertThat(WebContentTypes.headerValue("application/json")).isEqualTo("application/json; charset=utf-8");
        assertThat(WebContentTypes.headerValue("image/x-icon")).isEqualTo("image/x-icon");
        assertThat(WebContentTypes.headerValue("image/png")).isEqualTo("image/png");
        assertThat(WebContentTypes.isText("image/svg+xml")).isTrue();
    }
}
