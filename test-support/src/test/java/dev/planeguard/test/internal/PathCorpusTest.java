package dev.planeguard.test.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathCorpusTest {

  static final String ORIGIN = "http://127.0.0.1:8080";

  static List<String> targets(String context, String path, String... decoys) {
    return PathCorpus.variants(ORIGIN, context, path, List.of(decoys)).stream()
        .map(PathCorpus.Variant::target)
        .toList();
  }

  @Test
  void theCorpusCoversEveryTrickOfTheFirewallDocumentation() {
    List<String> t = targets("", "/api/v1/runs/42", "/healthz");

    assertThat(t)
        .contains(
            "/api/v1/runs/%2e/42", // encoded dot
            "/api/v1/runs/planeguard-probe/%2e%2e/42",
            "/api/v1/runs%2f42", // encoded slash
            "/api/v1/runs%5c42", // encoded backslash
            "/api/v1/runs\\42", // raw backslash
            "/api/v1/runs/planeguard-probe/..;/42", // ..;
            "/healthz/..;/api/v1/runs/42",
            "//api/v1/runs/42", // //
            "/api/v1/runs//42",
            "/api/v1/runs/42;jsessionid=planeguard", // ;jsessionid
            "/api/v1/runs/42%3bjsessionid=planeguard",
            "/api/v1/runs/42%0a", // control characters
            "/api/v1/runs/42%0d",
            "/api/v1/runs/42%09",
            "/api/v1/runs/42%7f",
            "/api/v1/runs/42%00",
            "/API/V1/RUNS/42", // case
            "/api/v1/runs/42/", // trailing slash
            "/api/v1/runs/planeguard-probe/%252e%252e/42", // double encoding
            "/healthz/%252e%252e/api/v1/runs/42",
            "/api/v1/runs/planeguard-probe/%u002e%u002e/42", // %u
            "/api/v1/runs/42#planeguard", // fragment
            "/api/v1/runs/42%e2%80%a8", // U+2028
            "/%61pi/v1/runs/42", // harmless encoding
            ORIGIN + "/api/v1/runs/42"); // absolute form
    assertThat(t).doesNotContain("/api/v1/runs/42").doesNotHaveDuplicates();
  }

  @Test
  void decoysClimbBackOutOfEverySegment() {
    assertThat(targets("", "/a", "/x/y/z"))
        .contains("/x/y/z/../../../a", "/x/y/z/..;/..;/..;/a", "/x/y/z/..%2f..%2f..%2fa");
    // A decoy equal to the route, or the root, is not a decoy.
    assertThat(targets("", "/a", "/a/", "/"))
        .noneMatch(s -> s.startsWith("/a/..") || s.startsWith("/.."));
  }

  @Test
  void theContextPrefixesEveryTargetButTheAbsoluteForm() {
    assertThat(targets("/app", "/healthz"))
        .allMatch(s -> s.startsWith("/app/") || s.startsWith(ORIGIN + "/app/"));
  }

  @Test
  void onlyVariantsNamingAnotherResourceAccept404() {
    assertThat(PathCorpus.variants(ORIGIN, "", "/a/b", List.of()))
        .filteredOn(PathCorpus.Variant::otherResource)
        .extracting(PathCorpus.Variant::technique)
        .containsExactlyInAnyOrder(
            "trailing slash",
            "doubled leading slash",
            "empty segment (//)",
            "trailing empty segment (//)",
            "upper-case path",
            "case-swapped last segment");
  }

  @Test
  void theRootPathStillGetsItsVariants() {
    assertThat(targets("", "/"))
        .contains("//", "/;jsessionid=planeguard", "/%0a", ORIGIN + "/")
        .doesNotContain("/");
  }
}
