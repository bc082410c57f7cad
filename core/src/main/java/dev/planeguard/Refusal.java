package dev.planeguard;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * How to answer a refused {@link Decision} over HTTP: the status, the {@code WWW-Authenticate} and
 * {@code Retry-After} headers, and an {@code application/problem+json} body (RFC 9457). Every
 * adapter renders refusals through this class, so a refusal looks the same on every HTTP stack.
 * <!-- example: Refusal.of -->
 *
 * <pre>{@code
 * Decision decision = enforcer.decide(request);
 * if (!decision.allowed()) {
 *   Refusal refusal = Refusal.of(decision, "api", enforcer.machineKeyHeader());
 *   // status, then every header, then the body
 * }
 * }</pre>
 *
 * <h2>Body</h2>
 *
 * <p>A JSON object with {@code type} ({@code about:blank}), {@code title} (the status phrase),
 * {@code status}, {@code reason} (the {@link Reason} code) and, when the matched rule has one,
 * {@code plane}:
 * <!-- not java -->
 *
 * <pre>{@code
 * {"type":"about:blank","title":"Unauthorized","status":401,"reason":"MISSING_CREDENTIAL","plane":"human"}
 * }</pre>
 *
 * <p>The body is built from the reason and plane alone: it never contains a token, key, claim,
 * header value or anything else taken from the request, and never the audit {@link Detail}. The two
 * 404 reasons ({@link Reason#UNMAPPED_ROUTE}, {@link Reason#DEBUG_DISABLED}) give exactly {@link
 * #plain plain(404)}: the same bytes, no reason, no plane, no {@code WWW-Authenticate}, so a client
 * cannot tell them from each other or from any other plain 404.
 *
 * <h2>Headers</h2>
 *
 * <ul>
 *   <li>401 on a human route: {@code Bearer realm="<realm>"}, with {@code , error="invalid_token"}
 *       for {@link Reason#INVALID_TOKEN} (RFC 6750).
 *   <li>403 {@link Reason#INSUFFICIENT_SCOPE} on a human route: {@code Bearer realm="<realm>",
 *       error="insufficient_scope"} (RFC 6750 section 3.1).
 *   <li>401 on a machine route: {@code ApiKey realm="<realm>", header="<machine key header>"}.
 *   <li>503, and 429 when waiting helps: {@code Retry-After} with {@link
 *       Decision#retryAfterSeconds()}. A 429 is also answered with the decision's {@link
 *       Decision#rateLimitPolicy()} and {@link Decision#rateLimit()} fields, which the adapter
 *       writes with every response, allowed or not.
 * </ul>
 *
 * <p>Instances are immutable.
 */
public final class Refusal {

  /** The header of the rate limits that applied (IETF httpapi draft). */
  public static final String RATE_LIMIT_POLICY = "RateLimit-Policy";

  /** The header of what is left of those limits (IETF httpapi draft). */
  public static final String RATE_LIMIT = "RateLimit";

  /** The media type of every refusal body. */
  public static final String CONTENT_TYPE = "application/problem+json";

  // Every header a refusal can carry, in the order forEachHeader gives them.
  private static final List<String> HEADER_NAMES =
      List.of(
          "Content-Type",
          "Content-Length",
          "Cache-Control",
          "WWW-Authenticate",
          "Retry-After",
          RATE_LIMIT_POLICY,
          RATE_LIMIT);

  private static final int MAX_REALM = 128;
  private static final Map<Reason, byte[]> NO_PLANE = new EnumMap<>(Reason.class);
  private static final Map<Reason, byte[]> HUMAN = new EnumMap<>(Reason.class);
  private static final Map<Reason, byte[]> MACHINE = new EnumMap<>(Reason.class);
  private static final Refusal NOT_FOUND = new Refusal(404, null, json(404, null, null), null, 0);

  static {
    for (Reason reason : Reason.values()) {
      if (!reason.allows() && reason.status() != 404) {
        NO_PLANE.put(reason, json(reason.status(), reason, null));
        HUMAN.put(reason, json(reason.status(), reason, Plane.HUMAN));
        MACHINE.put(reason, json(reason.status(), reason, Plane.MACHINE));
      }
    }
  }

  private final int status;
  private final @Nullable Reason reason;
  private final byte[] body;
  private final @Nullable String wwwAuthenticate;
  private final int retryAfterSeconds;
  private final @Nullable String rateLimitPolicy;
  private final @Nullable String rateLimit;

  private Refusal(
      int status,
      @Nullable Reason reason,
      byte[] body,
      @Nullable String wwwAuthenticate,
      int retryAfterSeconds) {
    this(status, reason, body, wwwAuthenticate, retryAfterSeconds, null, null);
  }

  private Refusal(
      int status,
      @Nullable Reason reason,
      byte[] body,
      @Nullable String wwwAuthenticate,
      int retryAfterSeconds,
      @Nullable String rateLimitPolicy,
      @Nullable String rateLimit) {
    this.status = status;
    this.reason = reason;
    this.body = body;
    this.wwwAuthenticate = wwwAuthenticate;
    this.retryAfterSeconds = retryAfterSeconds;
    this.rateLimitPolicy = rateLimitPolicy;
    this.rateLimit = rateLimit;
  }

  /**
   * The answer to a refused decision.
   *
   * @param decision a decision that does not {@linkplain Decision#allowed() allow}
   * @param realm the {@code realm} of {@code WWW-Authenticate}: 1 to 128 printable ASCII
   *     characters, no {@code "} or {@code \}
   * @param machineKeyHeader the header machine keys are sent in ({@link
   *     Enforcer#machineKeyHeader()}), named in the {@code ApiKey} challenge
   * @throws IllegalArgumentException if the decision allows, or the realm or header name is invalid
   */
  public static Refusal of(Decision decision, String realm, String machineKeyHeader) {
    requireNonNull(decision, "decision");
    checkRealm(realm);
    checkHeaderName(machineKeyHeader);
    Reason reason = decision.reason();
    if (reason.allows()) {
      throw new IllegalArgumentException("an allowing decision is not refused: " + reason);
    }
    if (reason.status() == 404) {
      return NOT_FOUND;
    }
    Plane plane = decision.plane();
    Map<Reason, byte[]> bodies =
        plane == Plane.HUMAN ? HUMAN : plane == Plane.MACHINE ? MACHINE : NO_PLANE;
    String challenge = null;
    if (plane == Plane.HUMAN && reason.status() == 401) {
      challenge =
          reason == Reason.INVALID_TOKEN
              ? "Bearer realm=\"" + realm + "\", error=\"invalid_token\""
              : "Bearer realm=\"" + realm + "\"";
    } else if (plane == Plane.HUMAN && reason == Reason.INSUFFICIENT_SCOPE) {
      challenge = "Bearer realm=\"" + realm + "\", error=\"insufficient_scope\"";
    } else if (plane == Plane.MACHINE && reason.status() == 401) {
      challenge = "ApiKey realm=\"" + realm + "\", header=\"" + machineKeyHeader + "\"";
    }
    int retryAfter = reason.answersWithRetryAfter() ? decision.retryAfterSeconds() : 0;
    return new Refusal(
        reason.status(),
        reason,
        requireNonNull(bodies.get(reason)),
        challenge,
        retryAfter,
        decision.rateLimitPolicy(),
        decision.rateLimit());
  }

  /**
   * A problem with only {@code type}, {@code title} and {@code status}: no reason, no plane, no
   * headers. {@code plain(404)} is the body of both 404 reasons. Adapters use it to answer for an
   * error they refuse to hand on, such as an error page the policy does not allow.
   *
   * @param status an HTTP status from 400 to 599
   * @throws IllegalArgumentException for any other status
   */
  public static Refusal plain(int status) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("not an error status: " + status);
    }
    return status == 404 ? NOT_FOUND : new Refusal(status, null, json(status, null, null), null, 0);
  }

  /**
   * Checks that {@code realm} can be sent in the quoted string of {@code WWW-Authenticate}: 1 to
   * 128 printable ASCII characters, no {@code "} or {@code \}. Adapters call it when they are
   * configured, so a bad realm stops startup rather than the first refusal.
   *
   * @return {@code realm}
   * @throws IllegalArgumentException if it cannot
   */
  public static String checkRealm(String realm) {
    requireNonNull(realm, "realm");
    int n = realm.length();
    if (n == 0 || n > MAX_REALM) {
      throw new IllegalArgumentException("a realm has 1 to " + MAX_REALM + " characters");
    }
    for (int i = 0; i < n; i++) {
      char c = realm.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        throw new IllegalArgumentException(
            "a realm is printable ASCII without \" or \\ (it is sent in a quoted string)");
      }
    }
    return realm;
  }

  private static void checkHeaderName(String name) {
    requireNonNull(name, "machineKeyHeader");
    int n = name.length();
    if (n == 0 || n > 64) {
      throw new IllegalArgumentException("not a header name");
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      boolean token =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+.^_`|~-".indexOf(c) >= 0;
      if (!token) {
        throw new IllegalArgumentException("not a header name");
      }
    }
  }

  /**
   * The HTTP status: 400, 401, 403, 404, 429 or 503 for a decision; any 4xx or 5xx for a plain one.
   */
  public int status() {
    return status;
  }

  /** The reason the body carries, or {@code null} for a plain problem (including both 404s). */
  public @Nullable Reason reason() {
    return reason;
  }

  /** The {@code WWW-Authenticate} value, or {@code null} when none is sent. */
  public @Nullable String wwwAuthenticate() {
    return wwwAuthenticate;
  }

  /** The {@code Retry-After} value in seconds for a 503 or 429, or 0 when none is sent. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /**
   * The {@code RateLimit-Policy} value of the limits that applied ({@link
   * Decision#rateLimitPolicy()}), or {@code null} when none is sent.
   */
  public @Nullable String rateLimitPolicy() {
    return rateLimitPolicy;
  }

  /**
   * The {@code RateLimit} value of the limits that applied ({@link Decision#rateLimit()}), or
   * {@code null} when none is sent.
   */
  public @Nullable String rateLimit() {
    return rateLimit;
  }

  /**
   * Gives {@code header} every header of this refusal, name and value, in the order to write them:
   * {@code Content-Type} ({@value #CONTENT_TYPE}), {@code Content-Length}, {@code Cache-Control:
   * no-store}, then those that apply: {@code WWW-Authenticate}, {@code Retry-After}, {@value
   * #RATE_LIMIT_POLICY} and {@value #RATE_LIMIT}. Which headers a refusal carries is decided here
   * once, so every adapter sends the same ones.
   */
  public void forEachHeader(BiConsumer<String, String> header) {
    header.accept("Content-Type", CONTENT_TYPE);
    header.accept("Content-Length", Integer.toString(body.length));
    // A refusal is about this request and these credentials: no cache may answer with it.
    header.accept("Cache-Control", "no-store");
    if (wwwAuthenticate != null) {
      header.accept("WWW-Authenticate", wwwAuthenticate);
    }
    if (retryAfterSeconds > 0) {
      header.accept("Retry-After", Integer.toString(retryAfterSeconds));
    }
    if (rateLimitPolicy != null && rateLimit != null) {
      header.accept(RATE_LIMIT_POLICY, rateLimitPolicy);
      header.accept(RATE_LIMIT, rateLimit);
    }
  }

  /**
   * The name of every header {@link #forEachHeader} can give, in its order. An adapter that puts a
   * refusal over a response the application already changed removes these first, so none is left
   * over from it.
   */
  public static List<String> headerNames() {
    return HEADER_NAMES;
  }

  /** The body, for {@code Content-Type: }{@value #CONTENT_TYPE}. ASCII only. */
  public String body() {
    return new String(body, StandardCharsets.US_ASCII);
  }

  /** Length of the body in bytes, for {@code Content-Length}. */
  public int contentLength() {
    return body.length;
  }

  /** Writes the body bytes to {@code out}; does not flush or close it. */
  public void writeBody(OutputStream out) throws IOException {
    out.write(body);
  }

  /** Status, reason and headers; never anything from the request. */
  @Override
  public String toString() {
    return "Refusal{"
        + status
        + (reason == null ? "" : " " + reason)
        + (wwwAuthenticate == null ? "" : ", WWW-Authenticate: " + wwwAuthenticate)
        + (retryAfterSeconds == 0 ? "" : ", Retry-After: " + retryAfterSeconds)
        + "}";
  }

  private static byte[] json(int status, @Nullable Reason reason, @Nullable Plane plane) {
    StringBuilder sb = new StringBuilder(128).append("{\"type\":\"about:blank\"");
    String title = title(status);
    if (title != null) {
      sb.append(",\"title\":\"").append(title).append('"');
    }
    sb.append(",\"status\":").append(status);
    if (reason != null) {
      sb.append(",\"reason\":\"").append(reason.name()).append('"');
    }
    if (plane != null) {
      sb.append(",\"plane\":\"").append(plane.id()).append('"');
    }
    return sb.append('}').toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** The reason phrase RFC 9110 (and RFC 6585 for 428, 429, 431) recommends, or {@code null}. */
  private static @Nullable String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 402 -> "Payment Required";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 406 -> "Not Acceptable";
      case 407 -> "Proxy Authentication Required";
      case 408 -> "Request Timeout";
      case 409 -> "Conflict";
      case 410 -> "Gone";
      case 411 -> "Length Required";
      case 412 -> "Precondition Failed";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 415 -> "Unsupported Media Type";
      case 416 -> "Range Not Satisfiable";
      case 417 -> "Expectation Failed";
      case 421 -> "Misdirected Request";
      case 422 -> "Unprocessable Content";
      case 426 -> "Upgrade Required";
      case 428 -> "Precondition Required";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      case 505 -> "HTTP Version Not Supported";
      default -> null;
    };
  }
}
