package dev.planeguard.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The path tricks of the parity kit, handed out for tests that send their own requests. */
class PathVariantsTest {

  @Test
  void everyTrickOfTheKitIsHandedOutAsARawTarget() {
    List<String> t = PathConfusionKit.pathVariants("/svc/docs/intro", List.of("/healthz"));

    assertThat(t)
        .contains(
            "/svc/docs/intro/", // trailing slash
            "//svc/docs/intro", // doubled leading slash
            "/svc/docs/%2e/intro", // encoded dot
            "/svc/docs/planeguard-probe/..;/intro", // ..;
            "/svc/docs%2fintro", // encoded slash
            "/svc/docs/intro;jsessionid=planeguard", // path parameter
            "/svc/docs/intro%00", // control character
            "/SVC/DOCS/INTRO", // case
            "/svc/docs/intro#planeguard", // fragment
            "/healthz/../svc/docs/intro", // decoy, climbed out of
            "/healthz/%252e%252e/svc/docs/intro", // decoy, double-encoded
            "http://127.0.0.1/svc/docs/intro"); // absolute form
    assertThat(t).doesNotContain("/svc/docs/intro").doesNotHaveDuplicates();
    assertThat(t).allSatisfy(target -> assertThat(target).doesNotContain(" ", "\r", "\n"));
  }

  @Test
  void theListIsStableAndUnmodifiable() {
    List<String> t = PathConfusionKit.pathVariants("/a/b", List.of());

    assertThat(t).isEqualTo(PathConfusionKit.pathVariants("/a/b", List.of()));
    assertThat(t).noneMatch(s -> s.contains("..;/..;")); // no decoy, no climbing out of one
    assertThatThrownBy(() -> t.add("/x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void onlyPathsAsSentOnTheWireAreAccepted() {
    assertThatThrownBy(() -> PathConfusionKit.pathVariants("a/b", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathConfusionKit.pathVariants("/a?b=1", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathConfusionKit.pathVariants("/a b", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathConfusionKit.pathVariants("/a", List.of("/ok", "no-slash")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
