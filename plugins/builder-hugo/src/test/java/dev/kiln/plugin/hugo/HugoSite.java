package dev.kiln.plugin.hugo;

import java.util.LinkedHashMap;
import java.util.Map;

/** A minimal Hugo site: one page whose layout prints an absolute link, to show the base URL. */
final class HugoSite {

    private HugoSite() {
    }

    /** The site's files: relative path to content. */
    static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        // Without taxonomy layouts, Hugo warns about every taxonomy page; the site has none.
        files.put("hugo.toml", "baseURL = 'https://example.org/'\ntitle = 'Kiln on Hugo'\ndisableKinds = ['taxonomy', 'term']\n");
        files.put("content/_index.md", "---\ntitle: Home\n---\nHello from *Hugo*.\n");
        files.put("layouts/index.html", """
                <!doctype html>
                <html>
                  <head>
                    <title>{{ .Site.Title }}</title>
                  </head>
                  <body>
                    <h1>{{ .Title }}</h1>
                    {{ .Content }}
                    <a href="{{ "about/" | absURL }}">about</a>
                  </body>
                </html>
                """);
        return files;
    }
}
