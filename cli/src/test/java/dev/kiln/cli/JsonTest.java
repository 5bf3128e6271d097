package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The CLI's JSON reader and writer, which every command's output goes through. */
class JsonTest {

    @Test
    void readsWhatTheApiSends() {
        Object parsed = Json.parse(" {\"data\": [{\"id\": 12, \"ratio\": 1.5e0, \"ok\": true, \"none\": null,"
                + " \"text\": \"caf\\u00e9 \\\"quoted\\\"\\n\\\\ / \\/\"}], \"meta\": {}} ");
        Map<String, Object> item = Json.object(Json.array(Json.object(parsed).get("data")).get(0));
        assertThat(item.get("id")).isEqualTo(12L);
        assertThat(item.get("ratio")).isEqualTo(new BigDecimal("1.5e0"));
        assertThat(item.get("ok")).isEqualTo(true);
        assertThat(item).containsEntry("none", null);
        assertThat(item.get("text")).isEqualTo("café \"quoted\"\n\\ / /");
        assertThat(List.copyOf(item.keySet())).containsExactly("id", "ratio", "ok", "none", "text");
    }

    @Test
    void writesWhatItReads() {
        String text = "{\"a\": [1, -2, 3.25, \"x\\ty\\u0001\"], \"b\": {\"c\": null, \"d\": false}, \"e\": [], \"f\": {}}";
        Object parsed = Json.parse(text);
        assertThat(Json.parse(Json.write(parsed))).isEqualTo(parsed);
        assertThat(Json.write(parsed)).contains("\\t", "\\u0001", "\n  \"b\": {\n");
    }

    @Test
    void refusesWhatIsNotJson() {
        for (String bad : List.of("", "{", "{\"a\" 1}", "[1,]", "nul", "\"open", "{} {}", "<html>", "1.2.3", "\"\\x\"")) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(Json.MalformedJson.class);
        }
    }
}
