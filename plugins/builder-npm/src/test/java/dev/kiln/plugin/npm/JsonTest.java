package dev.kiln.plugin.npm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsEveryKindOfValue() {
        Object parsed = Json.parse("\uFEFF { \"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"x\\n\\u00e9\\\"\\/\"}, \"d\": {} }\n");
        assertThat(parsed).isEqualTo(Map.of(
                "a", Arrays.asList(new BigDecimal("1"), new BigDecimal("-2.5e3"), true, false, null),
                "b", Map.of("c", "x\né\"/"),
                "d", Map.of()));
        assertThat(Json.parse("[]")).isEqualTo(List.of());
        assertThat(Json.parse("\"text\"")).isEqualTo("text");
    }

    @Test
    void keepsMemberOrder() {
        Map<?, ?> object = (Map<?, ?>) Json.parse("{\"z\": 1, \"a\": 2, \"m\": 3}");
        assertThat(object.keySet().stream().map(String::valueOf)).containsExactly("z", "a", "m");
    }

    @Test
    void errorsNameTheLineAndColumn() {
        assertThatThrownBy(() -> Json.parse("{\n  \"name\": \"x\",\n}")).hasMessage("expected a member name in double quotes at line 3, column 1");
        assertThatThrownBy(() -> Json.parse("{\"a\": 1} x")).hasMessageStartingWith("unexpected text after the end");
        assertThatThrownBy(() -> Json.parse("{\"a\": tru}")).hasMessageStartingWith("unexpected word");
        assertThatThrownBy(() -> Json.parse("{\"a\": \"open")).hasMessageStartingWith("unterminated string");
        assertThatThrownBy(() -> Json.parse("")).hasMessageStartingWith("unexpected end of the document");
        assertThatThrownBy(() -> Json.parse("[1,")).hasMessageStartingWith("unexpected end of the document");
        assertThatThrownBy(() -> Json.parse("{'a': 1}")).hasMessageStartingWith("expected a member name");
    }

    @Test
    void refusesNestingThatWouldExhaustTheStack() {
        assertThatThrownBy(() -> Json.parse("[".repeat(100_000))).hasMessageContaining("nested more than");
    }
}
