package dev.kiln.plugin.npm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.kiln.plugin.npm.NodeVersionRange.NodeVersion;

class NodeVersionRangeTest {

    @ParameterizedTest(name = "{0} includes {1}: {2}")
    @CsvSource(delimiter = ';', value = {
        "18          ; 18.19.1 ; true",
        "18          ; 20.0.0  ; false",
        "v18         ; 18.0.0  ; true",
        "18.x        ; 18.2.0  ; true",
        "18.2        ; 18.3.0  ; false",
        "=20.11.1    ; 20.11.1 ; true",
        "20.11.1     ; 20.11.2 ; false",
        "^18.2       ; 18.19.0 ; true",
        "^18.2       ; 18.1.0  ; false",
        "^18.2       ; 19.0.0  ; false",
        "~18.2.1     ; 18.2.9  ; true",
        "~18.2.1     ; 18.3.0  ; false",
        "~18         ; 18.9.0  ; true",
        ">=18        ; 22.1.0  ; true",
        ">= 18       ; 16.20.0 ; false",
        ">18         ; 18.5.0  ; false",
        ">18         ; 19.0.0  ; true",
        ">18.1       ; 18.2.0  ; true",
        "<20         ; 20.0.0  ; false",
        "<=20        ; 20.9.0  ; true",
        "<=20.1      ; 20.2.0  ; false",
        ">=18 <21    ; 20.1.0  ; true",
        ">=18 <21    ; 21.0.0  ; false",
        "^16 || ^18  ; 18.1.0  ; true",
        "^16 || ^18  ; 20.1.0  ; false",
        "16 - 18     ; 18.9.0  ; true",
        "16 - 18     ; 19.0.0  ; false",
        "16 - 18     ; 15.9.0  ; false",
        "*           ; 4.0.0   ; true",
        "x           ; 22.0.0  ; true",
        "''          ; 22.0.0  ; true",
    })
    void includes(String range, String version, boolean included) {
        assertThat(NodeVersionRange.parse(range).orElseThrow().includes(NodeVersion.parse(version).orElseThrow()))
                .isEqualTo(included);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lts/*", "node", "latest", ">=18.0.0-rc.1", "18 ||| 20", "^^18", "18.0.0.0"})
    void formsItDoesNotKnowAreNotGuessed(String range) {
        assertThat(NodeVersionRange.parse(range)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"v20.11.1, 20, 11, 1", "18, 18, 0, 0", "v21.0.0-nightly2023, 21, 0, 0", "22.3, 22, 3, 0"})
    void parsesVersions(String text, int major, int minor, int patch) {
        assertThat(NodeVersion.parse(text)).contains(new NodeVersion(major, minor, patch));
    }

    @ParameterizedTest
    @ValueSource(strings = {"lts/iron", "node", "", "99999999999"})
    void aliasesAreNotVersions(String text) {
        assertThat(NodeVersion.parse(text)).isEmpty();
    }
}
