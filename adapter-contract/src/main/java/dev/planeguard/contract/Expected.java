package dev.planeguard.contract;

import org.jspecify.annotations.Nullable;

/**
 * What an adapter's refusals look like on the wire, spelled out independently of the code under
 * test: every adapter must write exactly these bytes.
 */
public final class Expected {

  private Expected() {}

  /**
   * The {@code application/problem+json} body of a refusal; {@code reason} and {@code plane} may be
   * absent.
   */
  public static String problem(int status, @Nullable String reason, @Nullable String plane) {
    String title =
        switch (status) {
          case 400 -> "Bad Request";
          case 401 -> "Unauthorized";
          case 403 -> "Forbidden";
          case 404 -> "Not Found";
          case 429 -> "Too Many Requests";
          case 500 -> "Internal Server Error";
          case 503 -> "Service Unavailable";
          default -> null;
        };
    return "{\"type\":\"about:blank\""
        + (title == null ? "" : ",\"title\":\"" + title + "\"")
        + ",\"status\":"
        + status
        + (reason == null ? "" : ",\"reason\":\"" + reason + "\"")
        + (plane == null ? "" : ",\"plane\":\"" + plane + "\"")
        + "}";
  }

  /** The body of the two 404 refusals (unmapped route, hidden debug route, dispatch mismatch). */
  public static final String PLAIN_404 = problem(404, null, null);

  /**
   * The {@code WWW-Authenticate} value of a refusal, or {@code null} if it has none: 401s challenge
   * with their plane's scheme, a human 403 for a missing scope with the RFC 6750 error.
   */
  public static @Nullable String challenge(
      int status, String reason, @Nullable String plane, String realm) {
    if (status == 403 && reason.equals("INSUFFICIENT_SCOPE") && "human".equals(plane)) {
      return "Bearer realm=\"" + realm + "\", error=\"insufficient_scope\"";
    }
    if (status != 401) {
      return null;
    }
    return "machine".equals(plane)
        ? "ApiKey realm=\"" + realm + "\", header=\"X-AOS-Key\""
        : "Bearer realm=\""
            + realm
            + "\""
            + (reason.equals("INVALID_TOKEN") ? ", error=\"invalid_token\"" : "");
  }
}
