package dev.planeguard.test;

import com.sun.net.httpserver.HttpExchange;
import dev.planeguard.Access;
import dev.planeguard.Mode;
import dev.planeguard.Plane;
import dev.planeguard.Rule;
import dev.planeguard.Verification;
import dev.planeguard.keys.ApiKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The demo application behind a deliberately naive auth layer that decides on one reading of the
 * path and dispatches on another — the mistakes the parity kit exists to catch. Credentials are
 * still verified for real; only the path handling (or the query) is wrong.
 */
final class NaiveApp extends DemoApp {

  /** The mistake this application makes. */
  enum Flaw {
    /** Decides on the raw path; dispatches after dropping path parameters and resolving dots. */
    RESOLVES_DOT_DOT_SEMICOLON,
    /** Decides on the path decoded once; dispatches on it decoded twice, dots resolved. */
    DECODES_TWICE,
    /** Decides on X-Original-URL when present; dispatches on the request path. */
    HONOURS_X_ORIGINAL_URL,
    /** Accepts access_token and api_key query parameters as credentials. */
    ACCEPTS_QUERY_CREDENTIALS
  }

  private final Flaw flaw;
  private final NimbusTokenVerifier tokens;
  private final KeyFileVerifier keys;

  NaiveApp(Flaw flaw, TestIssuer issuer, TestKeys keys) {
    this.flaw = flaw;
    this.tokens = new NimbusTokenVerifier(issuer);
    this.keys = new KeyFileVerifier(keys);
  }

  @Override
  int authorize(HttpExchange exchange) {
    String raw = exchange.getRequestURI().getRawPath();
    String authPath =
        switch (flaw) {
          case DECODES_TWICE -> decode(raw);
          case HONOURS_X_ORIGINAL_URL -> {
            String original = exchange.getRequestHeaders().getFirst("X-Original-URL");
            yield original != null ? original : raw;
          }
          default -> raw;
        };
    Rule rule = POLICY.match(exchange.getRequestMethod(), authPath);
    if (rule == null) {
      return 404;
    }
    if (rule.access() == Access.PUBLIC) {
      return 0;
    }
    String query = exchange.getRequestURI().getRawQuery();
    if (rule.plane() == Plane.HUMAN) {
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      String token =
          authorization != null && authorization.startsWith("Bearer ")
              ? authorization.substring(7)
              : queryParameter(query, "access_token");
      return token != null && tokens.verify(token) instanceof Verification.Verified ? 0 : 401;
    }
    String key = exchange.getRequestHeaders().getFirst("X-AOS-Key");
    if (key == null) {
      key = queryParameter(query, "api_key");
    }
    return key != null
            && keys.verify(key, ApiKey.Kind.MACHINE, Mode.TEST) instanceof Verification.Verified
        ? 0
        : 401;
  }

  private @org.jspecify.annotations.Nullable String queryParameter(
      @org.jspecify.annotations.Nullable String query, String name) {
    if (flaw != Flaw.ACCEPTS_QUERY_CREDENTIALS || query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      if (pair.startsWith(name + "=")) {
        return decode(pair.substring(name.length() + 1));
      }
    }
    return null;
  }

  @Override
  String dispatchPath(HttpExchange exchange) {
    String raw = exchange.getRequestURI().getRawPath();
    return switch (flaw) {
      case RESOLVES_DOT_DOT_SEMICOLON -> removeDots(decode(dropPathParameters(raw)));
      case DECODES_TWICE -> removeDots(decode(decode(raw)));
      default -> decode(raw);
    };
  }

  static String dropPathParameters(String path) {
    return path.replaceAll(";[^/]*", "");
  }

  /** RFC 3986 remove_dot_segments, roughly as containers do it. */
  static String removeDots(String path) {
    Deque<String> out = new ArrayDeque<>();
    String[] segments = path.split("/", -1);
    for (int i = 1; i < segments.length; i++) {
      String s = segments[i];
      if (s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        if (!out.isEmpty()) {
          out.removeLast();
        }
        continue;
      }
      out.addLast(s);
    }
    return "/" + String.join("/", List.copyOf(out));
  }

  /** Lenient percent-decoding: malformed escapes are kept as they are. */
  static String decode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%'
          && i + 2 < s.length()
          && Character.digit(s.charAt(i + 1), 16) >= 0
          && Character.digit(s.charAt(i + 2), 16) >= 0) {
        out.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
