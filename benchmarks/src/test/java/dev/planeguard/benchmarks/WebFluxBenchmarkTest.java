package dev.planeguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import dev.planeguard.webflux.PlaneGuardWebFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

/**
 * Each WebFlux benchmark serves what its name says: the handler answers every measured request,
 * planeguard's variant enforces (and its human requests are token cache hits), and the other two
 * serve without it — one through exactly one filter that does nothing else.
 */
class WebFluxBenchmarkTest {

  final OffsetClock clock = new OffsetClock();
  final WebFluxBenchmark b = new WebFluxBenchmark();

  @BeforeEach
  void setUp() {
    b.clock = clock;
    b.setUp();
  }

  @AfterEach
  void tearDown() throws Exception {
    b.tearDown();
  }

  @Test
  void everyVariantAnswersBothRoutesFromTheHandler() {
    assertThat(b.machineWithout()).isEqualTo(200);
    assertThat(b.humanWithout()).isEqualTo(200);
    assertThat(b.without.answered()).isEqualTo(2);
    assertThat(b.machinePassThrough()).isEqualTo(200);
    assertThat(b.humanPassThrough()).isEqualTo(200);
    assertThat(b.passThrough.answered()).isEqualTo(2);
    long before = b.planeGuard.answered();
    assertThat(b.machinePlaneGuard()).isEqualTo(200);
    assertThat(b.humanPlaneGuard()).isEqualTo(200);
    assertThat(b.planeGuard.answered()).isEqualTo(before + 2);
  }

  @Test
  void onlyThePlaneGuardVariantEnforces() {
    MockServerHttpRequest anonymous =
        MockServerHttpRequest.get(WebFluxBenchmark.MACHINE_PATH).build();
    long before = b.planeGuard.answered();
    assertThat(b.planeGuard.serve(anonymous)).isEqualTo(401);
    // A machine key on the human route: cross-plane, refused before the handler.
    assertThat(
            b.planeGuard.serve(
                MockServerHttpRequest.get(WebFluxBenchmark.HUMAN_PATH)
                    .header("X-AOS-Key", b.machineKey)
                    .build()))
        .isEqualTo(401);
    assertThat(b.planeGuard.answered()).isEqualTo(before);

    assertThat(b.without.serve(MockServerHttpRequest.get(WebFluxBenchmark.MACHINE_PATH).build()))
        .isEqualTo(200);
    assertThat(
            b.passThrough.serve(MockServerHttpRequest.get(WebFluxBenchmark.MACHINE_PATH).build()))
        .isEqualTo(200);
  }

  @Test
  void theHumanRequestIsATokenCacheHit() {
    // An hour back, before the token's iat: a fresh verification refuses, a cache hit does not
    // check iat again. The control, a token never seen, shows the difference.
    clock.set(Duration.ofHours(-1));
    assertThat(b.humanPlaneGuard()).isEqualTo(200);
    String unseen = "Bearer " + b.fixture.token(JWSAlgorithm.RS256, 1);
    assertThat(
            b.planeGuard.serve(
                MockServerHttpRequest.get(WebFluxBenchmark.HUMAN_PATH)
                    .header("Authorization", unseen)
                    .build()))
        .isEqualTo(401);
  }

  @Test
  void eachVariantHasTheFiltersItsNameSays() {
    assertThat(filters(b.passThrough)).hasSize(1);
    assertThat(filters(b.without)).isEmpty();
    assertThat(filters(b.planeGuard)).singleElement().isInstanceOf(PlaneGuardWebFilter.class);
  }

  private static List<WebFilter> filters(WebFluxBenchmark.App app) {
    List<WebFilter> found = new ArrayList<>();
    WebHttpHandlerBuilder.applicationContext(app.context).filters(found::addAll);
    return found;
  }
}
