package dev.kiln.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthorizationHeaderTest {

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "Bearer abc        | abc",
        "token abc         | abc",
        "  bearer   abc    | abc",
        "TOKEN abc         | abc",
        "Basic abc         | NULL",
        "Bearer            | NULL",
        "'Bearer '         | NULL",
        "abc               | NULL",
        "''                | NULL",
        "NULL              | NULL",
    })
    void readsBearerAndGithubTokens(String header, String token) {
        assertThat(AuthorizationHeader.token(header)).isEqualTo(token);
    }
}
