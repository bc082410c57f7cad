package dev.planeguard.webflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.contract.RawHttp;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.netty.DisposableServer;

/**
 * On Reactor Netty the view reads headers from Netty's own map instead of through Spring's view of
 * it: for every name the engine may ask, both must give the same values in the same order —
 * repeated lines, names in any case, empty values, absent headers, names that differ in one
 * character — and a request a filter replaced must be read through Spring, with the headers the
 * filter gave it.
 */
class NettyHeadersTest {

  /** What one request looked like through the view and through Spring. */
  record Seen(
      boolean native_,
      Map<String, List<String>> view,
      Map<String, List<String>> spring,
      @Nullable String requestId) {}

  private static final List<String> NAMES =
      List.of(
          "Authorization",
          "authorization",
          "AUTHORIZATION",
          "X-AOS-Key",
          "x-aos-key",
          "X-AOS-Customer-Key",
          "X-Tenant-Id",
          "X-Purpose",
          "X-Request-Id",
          "X-AOS-Ke",
          "X-AOS-Keys",
          "Host",
          "X-Empty");

  private static final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
  private static DisposableServer server;

  @BeforeAll
  static void start() {
    HttpHandler handler =
        (request, response) -> {
          seen.add(look(request, request.getHeaders()));
          // What a filter placed before planeguard does when it changes a header.
          ServerHttpRequest replaced =
              request.mutate().headers(h -> h.set("X-AOS-Key", "set-by-a-filter")).build();
          seen.add(look(replaced, replaced.getHeaders()));
          return response.setComplete();
        };
    server = TestServers.reactorNetty(handler);
  }

  @AfterAll
  static void stop() {
    server.disposeNow();
  }

  private static Seen look(ServerHttpRequest request, HttpHeaders headers) {
    ExchangeRequestView view = ExchangeRequestView.of(request, null);
    Map<String, List<String>> byView = new LinkedHashMap<>();
    Map<String, List<String>> bySpring = new LinkedHashMap<>();
    for (String name : NAMES) {
      byView.put(name, new ArrayList<>(view.headers(name)));
      List<String> spring = headers.get(name);
      bySpring.put(name, spring == null ? List.of() : new ArrayList<>(spring));
    }
    return new Seen(
        view.readsNettyHeaders(),
        byView,
        bySpring,
        ExchangeRequestView.of(request, "x-request-id").requestId());
  }

  private static List<Seen> send(String... headerLines) {
    seen.clear();
    RawHttp.Response response = new RawHttp(server.port()).get("/x", headerLines);
    assertThat(response.status()).isEqualTo(200);
    return List.copyOf(seen);
  }

  @Test
  void nettysMapAndSpringsViewGiveTheSameValues() {
    List<List<Seen>> requests =
        List.of(
            send(),
            send("Authorization: Bearer a.b.c"),
            send("authorization: Bearer one", "AUTHORIZATION: Bearer two"),
            send("X-AOS-Key: k1", "x-aos-key: k2", "X-AOS-KEY: k3"),
            send("X-AOS-Key: k1", "Authorization: Bearer t", "X-AOS-Customer-Key: c"),
            send("X-Empty:", "X-Tenant-Id: t1, t2", "X-Purpose: summarize"),
            send("X-AOS-Keys: near", "X-AOS-Ke: nearer", "X-Request-Id: r-1"));

    for (List<Seen> pair : requests) {
      Seen original = pair.get(0);
      assertThat(original.native_()).isTrue();
      assertThat(original.view()).isEqualTo(original.spring());
    }
    // The values themselves, so that two wrong readings cannot agree by accident.
    Seen repeated = requests.get(3).get(0);
    assertThat(repeated.view().get("X-AOS-Key")).containsExactly("k1", "k2", "k3");
    assertThat(repeated.view().get("X-AOS-Ke")).isEmpty();
    assertThat(requests.get(5).get(0).view().get("X-Empty")).containsExactly("");
    assertThat(requests.get(5).get(0).view().get("X-Tenant-Id")).containsExactly("t1, t2");
  }

  @Test
  void aNameOutsideAsciiIsNotFoldedIntoAnotherName() {
    // Netty's AsciiString turns a character above U+00FF into '?'; such a name must not find a
    // header named with a '?' (a server may accept one).
    io.netty.handler.codec.http.HttpHeaders headers =
        DefaultHttpHeadersFactory.headersFactory().withNameValidation(false).newHeaders();
    headers.add("X-Caf?", "question-mark");
    NettyHeaders netty = new NettyHeaders(headers);

    assertThat(netty.values("X-Caf\u0100")).isEmpty();
    assertThat(netty.values("x-caf?")).containsExactly("question-mark");
  }

  @Test
  void aRequestAFilterReplacedIsReadThroughSpring() {
    List<Seen> pair = send("X-AOS-Key: from-the-client", "Authorization: Bearer t");

    Seen replaced = pair.get(1);
    assertThat(replaced.native_()).isFalse();
    assertThat(replaced.view()).isEqualTo(replaced.spring());
    assertThat(replaced.view().get("X-AOS-Key")).containsExactly("set-by-a-filter");
    assertThat(replaced.view().get("Authorization")).containsExactly("Bearer t");
  }

  @Test
  void theRequestIdIsTheFirstValueOfItsHeader() {
    Seen first = send("x-request-id: first", "X-Request-Id: second").get(0);

    assertThat(first.native_()).isTrue();
    assertThat(first.requestId()).isEqualTo("first");
    assertThat(send().get(0).requestId()).isNull();
  }
}
