package dev.planeguard.webflux.internal;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import reactor.netty.http.server.HttpServerRequest;

/**
 * The header lines of a request that Spring received from Reactor Netty and nobody has replaced,
 * read where Spring reads them: in Netty's own header map. Spring's view of it (a read-only {@code
 * HttpHeaders} over an adapter of that map) gives the same values, but hashes the name twice per
 * lookup and wraps every list; here the name is hashed once, when first seen.
 *
 * <p>Only Spring's own Reactor Netty request qualifies: a request a filter replaced ({@code
 * exchange.mutate().request(…)}, a decorator) may carry other headers than the native one, and is
 * read through Spring. This class is loaded only for a request that qualifies, so an application on
 * another server needs no Netty on its class path.
 */
final class NettyHeaders {

  /** Spring's request on Reactor Netty (Spring 6 and 7), whose headers are Netty's, read-only. */
  static final String REACTOR_REQUEST =
      "org.springframework.http.server.reactive.ReactorServerHttpRequest";

  // The engine asks for a handful of names (its carriers, the tenant and purpose headers, the
  // request id header): they are turned into Netty names once. The bound only guards the map.
  private static final int MAX_NAMES = 64;
  private static final ConcurrentHashMap<String, AsciiString> NAMES = new ConcurrentHashMap<>();

  private final HttpHeaders headers;

  NettyHeaders(HttpHeaders headers) {
    this.headers = headers;
  }

  /** The native headers of {@code request}, which must be a {@link #REACTOR_REQUEST}. */
  static NettyHeaders of(AbstractServerHttpRequest request) {
    HttpServerRequest server = request.getNativeRequest();
    return new NettyHeaders(server.requestHeaders());
  }

  /** Every value of every header line with this name (case-insensitive), in order. */
  List<String> values(String name) {
    return headers.getAll(nettyName(name));
  }

  private static CharSequence nettyName(String name) {
    AsciiString known = NAMES.get(name);
    if (known != null) {
      return known;
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) > 0x7f) {
        return name; // an AsciiString would turn it into '?', the name of another header
      }
    }
    AsciiString made = AsciiString.cached(name);
    if (NAMES.size() < MAX_NAMES) {
      NAMES.putIfAbsent(name, made);
    }
    return made;
  }
}
