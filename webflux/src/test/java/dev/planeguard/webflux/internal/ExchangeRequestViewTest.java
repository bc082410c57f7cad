package dev.planeguard.webflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.server.PathContainer;

/**
 * The path the view hands the engine as the one WebFlux dispatches on must be the path {@code
 * PathPattern} matches: each segment's {@code valueToMatch}, joined. The view skips that join for a
 * path with nothing to decode and no matrix parameters; this checks the shortcut against the join
 * for paths on both sides of it. (A path with a broken escape never gets here: WebFlux cannot parse
 * it and answers 400 itself.)
 */
class ExchangeRequestViewTest {

  static List<String> paths() {
    return List.of(
        "/",
        "",
        "/api/v1/runs",
        "/api/v1/runs/",
        "//api//v1",
        "/a/./b/../c",
        "/a\\b",
        "/a+b/c d",
        "/%2e%2e/admin",
        "/api%2Fv1/runs",
        "/api/v1/runs%00",
        "/api;jsessionid=1/v1",
        "/api/v1;a=b;c=d/runs",
        "/;/;",
        "/%3B/x",
        "/caf%C3%A9",
        "/%252e");
  }

  @ParameterizedTest
  @MethodSource("paths")
  void theShortcutAndTheJoinAgree(String raw) {
    PathContainer path = PathContainer.parsePath(raw);

    assertThat(ExchangeRequestView.dispatched(path)).isEqualTo(joined(path));
  }

  @ParameterizedTest
  @MethodSource("paths")
  void aPathWithNothingToDecodeIsItsOwnMatchForm(String raw) {
    PathContainer path = PathContainer.parsePath(raw);
    if (raw.indexOf('%') < 0 && raw.indexOf(';') < 0) {
      assertThat(ExchangeRequestView.dispatched(path)).isSameAs(path.value());
    } else {
      assertThat(ExchangeRequestView.dispatched(path)).isNotSameAs(path.value());
    }
  }

  /** What {@code PathPattern} matches, element by element. */
  private static String joined(PathContainer path) {
    StringBuilder sb = new StringBuilder();
    for (PathContainer.Element e : path.elements()) {
      sb.append(e instanceof PathContainer.PathSegment s ? s.valueToMatch() : e.value());
    }
    return sb.toString();
  }
}
