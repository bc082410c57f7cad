package dev.planeguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Detail;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edges of the firewall's rules: the exact length limit, the exact set of hex digits in an
 * escape (in either position, in the path, the query and parameter names), the first character
 * above and below each character class, and parameter names that are not followed by a value.
 */
class RequestFirewallBoundaryTest {

  /**
   * Characters next to the hex digits: just outside 0-9, A-F and a-f, and the two ranges (":;<=>?@"
   * and "[\]^_`") between them.
   */
  static final String NOT_HEX = "/:@G_`gzZ[";

  @Test
  void thePathLimitIsInclusive() {
    String longest = "/" + "a".repeat(RequestFirewall.MAX_PATH - 1);
    assertThat(RequestFirewall.checkPath(longest).path()).isEqualTo(longest);
    assertThat(RequestFirewall.checkPath(longest + "b").defect()).isEqualTo(Detail.TOO_LONG);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F", "a", "b",
        "c", "d", "e", "f"
      })
  void everyHexDigitIsAcceptedWithItsValue(String digit) {
    // %40 .. %4F are "@" and "A" .. "O": printable, nothing the firewall refuses once decoded.
    char expected = (char) (0x40 + Integer.parseInt(digit, 16));
    RequestFirewall.Checked checked = RequestFirewall.checkPath("/a%4" + digit);
    assertThat(checked.defect()).isNull();
    assertThat(checked.path()).isEqualTo("/a" + expected);
    assertThat(RequestFirewall.checkQuery("q=%4" + digit)).isNull();
    assertThat(RequestFirewall.normaliseParameter("k%4" + digit))
        .isEqualTo(("k" + expected).toLowerCase(Locale.ROOT));
  }

  @Test
  void theFirstHexDigitIsTheHighNibble() {
    assertThat(RequestFirewall.checkPath("/%2D%5a%5F%6f%7E%7e").path()).isEqualTo("/-Z_o~~");
    assertThat(RequestFirewall.normaliseParameter("%2D%5a%5F%6f%7E")).isEqualTo("_z_o~");
  }

  @Test
  void anEscapeWithANonHexCharacterInEitherPositionIsBadEncoding() {
    for (char c : NOT_HEX.toCharArray()) {
      String second = "%4" + c;
      String first = "%" + c + "4";
      assertThat(RequestFirewall.checkPath("/a" + second + "b").defect())
          .as(second)
          .isEqualTo(Detail.BAD_ENCODING);
      assertThat(RequestFirewall.checkPath("/a" + first + "b").defect())
          .as(first)
          .isEqualTo(Detail.BAD_ENCODING);
      assertThat(RequestFirewall.checkQuery("q=" + second))
          .as(second)
          .isEqualTo(Detail.BAD_ENCODING);
      assertThat(RequestFirewall.checkQuery("q=" + first)).as(first).isEqualTo(Detail.BAD_ENCODING);
      // A parameter name keeps a malformed escape as written.
      assertThat(RequestFirewall.normaliseParameter("k" + second))
          .isEqualTo(("k" + second).toLowerCase(Locale.ROOT));
      assertThat(RequestFirewall.normaliseParameter("k" + first))
          .isEqualTo(("k" + first).toLowerCase(Locale.ROOT));
    }
  }

  @Test
  void aTruncatedEscapeInTheQueryIsBadEncoding() {
    assertThat(RequestFirewall.checkQuery("q=%4")).isEqualTo(Detail.BAD_ENCODING);
    assertThat(RequestFirewall.checkQuery("%4")).isEqualTo(Detail.BAD_ENCODING);
    assertThat(RequestFirewall.checkQuery("q=%41")).isNull();
    assertThat(RequestFirewall.checkQuery("%41=1")).isNull();
  }

  @Test
  void queryCharacterClassesEndExactlyWhereDocumented() {
    assertThat(RequestFirewall.checkQuery("q=\u001f")).isEqualTo(Detail.CONTROL_CHARACTER);
    assertThat(RequestFirewall.checkQuery("q=a b")).isNull(); // 0x20 is not a control character
    assertThat(RequestFirewall.checkQuery("q=~")).isNull(); // 0x7e
    assertThat(RequestFirewall.checkQuery("q=\u007f")).isEqualTo(Detail.CONTROL_CHARACTER);
    assertThat(RequestFirewall.checkQuery("q=\u0080")).isEqualTo(Detail.NON_ASCII);
    assertThat(RequestFirewall.checkQuery("q=%7f")).isNull(); // escaped, the query is not decoded
  }

  @Test
  void pathCharacterClassesEndExactlyWhereDocumented() {
    assertThat(RequestFirewall.checkPath("/a\u001f").defect()).isEqualTo(Detail.CONTROL_CHARACTER);
    assertThat(RequestFirewall.checkPath("/a~").path()).isEqualTo("/a~");
    assertThat(RequestFirewall.checkPath("/a\u0080").defect()).isEqualTo(Detail.NON_ASCII);
    assertThat(RequestFirewall.checkPath("/a%1f").defect()).isEqualTo(Detail.CONTROL_CHARACTER);
    assertThat(RequestFirewall.checkPath("/a%20").path()).isEqualTo("/a ");
    assertThat(RequestFirewall.checkPath("/a%7e").path()).isEqualTo("/a~");
  }

  @Test
  void aCredentialNameWithoutAValueIsFoundWhateverFollowsIt() {
    Set<String> names = Set.of("api_key");
    assertThat(RequestFirewall.hasParameter("api_key&a=1", names)).isTrue();
    assertThat(RequestFirewall.hasParameter("a&api_key&b=2", names)).isTrue();
    assertThat(RequestFirewall.hasParameter("%61pi_key=1", names)).isTrue();
    assertThat(RequestFirewall.hasParameter("%41PI%2dKEY", names)).isTrue();
    assertThat(RequestFirewall.hasParameter("a=api_key&b", names)).isFalse();
    assertThat(RequestFirewall.hasParameter("=api_key", names)).isFalse();
    assertThat(RequestFirewall.hasParameter("", names)).isFalse();
  }

  @Test
  void parameterNamesAreDecodedOnceLowerCasedAndDashesReadAsUnderscores() {
    assertThat(RequestFirewall.normaliseParameter("X-AOS-Key")).isEqualTo("x_aos_key");
    assertThat(RequestFirewall.normaliseParameter("api+key")).isEqualTo("api key");
    assertThat(RequestFirewall.normaliseParameter("+api")).isEqualTo(" api");
    assertThat(RequestFirewall.normaliseParameter("%41pi")).isEqualTo("api");
    assertThat(RequestFirewall.normaliseParameter("a%30")).isEqualTo("a0");
    assertThat(RequestFirewall.normaliseParameter("x%0A")).isEqualTo("x\n");
    assertThat(RequestFirewall.normaliseParameter("Dead%2Dbeef")).isEqualTo("dead_beef");
    assertThat(RequestFirewall.normaliseParameter("%25%34%31")).isEqualTo("%41"); // once only
    assertThat(RequestFirewall.normaliseParameter("a%")).isEqualTo("a%");
    assertThat(RequestFirewall.normaliseParameter("a%4")).isEqualTo("a%4");
    assertThat(RequestFirewall.normaliseParameter("a%4+")).isEqualTo("a%4 ");
  }
}
