package dev.planeguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Detail;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestFirewallTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/|/",
        "/api/v1/accounts/me|/api/v1/accounts/me",
        "/api/v1/accounts/me/|/api/v1/accounts/me/",
        "/api/v1/runs/my%20run|/api/v1/runs/my run",
        "/api/v1/%61ccounts|/api/v1/accounts",
        "/caf%C3%A9|/caf\u00e9",
        "/a/b.c/..d/.e|/a/b.c/..d/.e",
        "/a-b_c~d!$&'()*+,=:@|/a-b_c~d!$&'()*+,=:@",
        "/a/%3F/%23|/a/?/#",
      })
  void acceptsAndDecodesOnce(String raw, String decoded) {
    RequestFirewall.Checked checked = RequestFirewall.checkPath(raw);
    assertThat(checked.defect()).isNull();
    assertThat(checked.path()).isEqualTo(decoded);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''|NOT_ORIGIN_FORM",
        "api/v1|NOT_ORIGIN_FORM",
        "*|NOT_ORIGIN_FORM",
        "http://evil/api|NOT_ORIGIN_FORM",
        "/a%2fb|ENCODED_SLASH",
        "/a%2Fb|ENCODED_SLASH",
        "/a%5cb|ENCODED_SLASH",
        "/a/%2e%2e/b|ENCODED_DOT",
        "/a/%2E|ENCODED_DOT",
        "/a/%252e%252e/b|ENCODED_PERCENT",
        "/a%3bjsessionid=x|ENCODED_SEMICOLON",
        "/a\\b|BACKSLASH",
        "/health/..;/api/m/x|SEMICOLON",
        "/api/v1/accounts;jsessionid=abc|SEMICOLON",
        "//api/v1/accounts|EMPTY_SEGMENT",
        "///api|EMPTY_SEGMENT",
        "/api//v1|EMPTY_SEGMENT",
        "/api/v1//|EMPTY_SEGMENT",
        "//|EMPTY_SEGMENT",
        "/api/../admin|DOT_SEGMENT",
        "/api/./x|DOT_SEGMENT",
        "/..|DOT_SEGMENT",
        "/api/..|DOT_SEGMENT",
        "/api/./|DOT_SEGMENT",
        "/a%0a|CONTROL_CHARACTER",
        "/a%0D|CONTROL_CHARACTER",
        "/a%09|CONTROL_CHARACTER",
        "/a%7f|CONTROL_CHARACTER",
        "/a%00|CONTROL_CHARACTER",
        "/a%E2%80%A8|CONTROL_CHARACTER",
        "/a%E2%80%A9|CONTROL_CHARACTER",
        "/a%E2%80%8B|CONTROL_CHARACTER",
        "/a%EF%BB%BF|CONTROL_CHARACTER",
        "/a%C2%85|CONTROL_CHARACTER",
        "/a#frag|FRAGMENT",
        "/a b|DISALLOWED_CHARACTER",
        "/a\"b|DISALLOWED_CHARACTER",
        "/a<b>|DISALLOWED_CHARACTER",
        "/a{b}|DISALLOWED_CHARACTER",
        "/a^b|DISALLOWED_CHARACTER",
        "/a`b|DISALLOWED_CHARACTER",
        "/a%zz|BAD_ENCODING",
        "/a%4|BAD_ENCODING",
        "/a%|BAD_ENCODING",
        "/a%u002e|BAD_ENCODING",
        "/a%C3|BAD_ENCODING",
        "/a%FF%FE|BAD_ENCODING",
        "/a%C0%AE|BAD_ENCODING",
      })
  void refuses(String raw, Detail expected) {
    RequestFirewall.Checked checked = RequestFirewall.checkPath(raw);
    assertThat(checked.path()).isNull();
    assertThat(checked.defect()).isEqualTo(expected);
  }

  @Test
  void refusesRawControlNonAsciiAndSeparators() {
    assertThat(RequestFirewall.checkPath("/a\nb").defect()).isEqualTo(Detail.CONTROL_CHARACTER);
    assertThat(RequestFirewall.checkPath("/a\tb").defect()).isEqualTo(Detail.CONTROL_CHARACTER);
    assertThat(RequestFirewall.checkPath("/a\u007fb").defect()).isEqualTo(Detail.CONTROL_CHARACTER);
    assertThat(RequestFirewall.checkPath("/caf\u00e9").defect()).isEqualTo(Detail.NON_ASCII);
    assertThat(RequestFirewall.checkPath("/a\u2028").defect()).isEqualTo(Detail.NON_ASCII);
    assertThat(RequestFirewall.checkPath("/a\u00c3\u00a9").defect()).isEqualTo(Detail.NON_ASCII);
    assertThat(RequestFirewall.checkPath("/" + "a".repeat(RequestFirewall.MAX_PATH)).defect())
        .isEqualTo(Detail.TOO_LONG);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
  void acceptsTheSevenMethods(String method) {
    assertThat(RequestFirewall.allowedMethod(method)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"get", "Get", "TRACE", "CONNECT", "PROPFIND", "", "GET ", "G\u0000ET"})
  void refusesOtherMethods(String method) {
    assertThat(RequestFirewall.allowedMethod(method)).isFalse();
  }

  @Test
  void checksTheQuery() {
    assertThat(RequestFirewall.checkQuery(null)).isNull();
    assertThat(RequestFirewall.checkQuery("")).isNull();
    assertThat(RequestFirewall.checkQuery("a=1&b=%2F%2e%0a")).isNull();
    assertThat(RequestFirewall.checkQuery("a=\n")).isEqualTo(Detail.CONTROL_CHARACTER);
    assertThat(RequestFirewall.checkQuery("a=\u00e9")).isEqualTo(Detail.NON_ASCII);
    assertThat(RequestFirewall.checkQuery("a=1#x")).isEqualTo(Detail.FRAGMENT);
    assertThat(RequestFirewall.checkQuery("a=%z1")).isEqualTo(Detail.BAD_ENCODING);
    assertThat(RequestFirewall.checkQuery("a=%")).isEqualTo(Detail.BAD_ENCODING);
  }

  @Test
  void findsCredentialParametersByNormalisedName() {
    Set<String> names = Set.of("access_token", "api_key", "x_aos_key");
    assertThat(RequestFirewall.hasParameter("access_token=x", names)).isTrue();
    assertThat(RequestFirewall.hasParameter("a=1&API_KEY=x", names)).isTrue();
    assertThat(RequestFirewall.hasParameter("a=1&api-key", names)).isTrue();
    assertThat(RequestFirewall.hasParameter("X-AOS-Key=x", names)).isTrue();
    assertThat(RequestFirewall.hasParameter("x%2Daos%2Dkey=x", names)).isTrue();
    assertThat(RequestFirewall.hasParameter("&&api_key", names)).isTrue();
    assertThat(RequestFirewall.hasParameter("a=api_key&b=access_token", names)).isFalse();
    assertThat(RequestFirewall.hasParameter("my_api_key=1", names)).isFalse();
    assertThat(RequestFirewall.hasParameter(null, names)).isFalse();
  }
}
