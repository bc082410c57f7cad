package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.Redaction;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the application knows about an allowed request, recorded in that request's audit entry: the
 * purpose of the call, the model used, token counts, cost, whether it succeeded, and a few fields
 * of its own. The handler gets the current request's attributes from its adapter ({@code
 * PlaneGuardFilter.auditAttributes(request)}, or an {@code AuditAttributes} parameter of a Spring
 * MVC handler method) and sets them before it returns; the entry is written when the response is
 * complete.
 * <!-- example: AuditAttributes -->
 *
 * <pre>{@code
 * attributes.purpose("summarize")
 *     .model("claude-sonnet")
 *     .inputTokens(1200)
 *     .outputTokens(310)
 *     .costCents(2)
 *     .success(true);
 * }</pre>
 *
 * <p>Bounded, because the request decides how much is written: at most {@value #MAX_ATTRIBUTES}
 * attributes, names of 1 to 32 characters {@code [a-z][a-z0-9_]*}, text values of at most {@value
 * #MAX_VALUE_LENGTH} characters (escaped when written). A value shaped like a key or token is
 * refused, never recorded: an attribute is no place for a credential.
 *
 * <p>Thread-safe; setting an attribute again replaces it.
 */
public final class AuditAttributes {

  /** Most attributes per request. */
  public static final int MAX_ATTRIBUTES = 16;

  /** Longest text value, in characters. */
  public static final int MAX_VALUE_LENGTH = 256;

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");

  private final Map<String, Object> values = new LinkedHashMap<>();

  /** Attributes for one request; adapters make them, handlers fill them. */
  public AuditAttributes() {}

  /** {@code purpose}: what the call was for, as the application names it. */
  public AuditAttributes purpose(String purpose) {
    return put("purpose", purpose);
  }

  /** {@code model}: the model or engine that served the call. */
  public AuditAttributes model(String model) {
    return put("model", model);
  }

  /** {@code input_tokens}. */
  public AuditAttributes inputTokens(long tokens) {
    return put("input_tokens", tokens);
  }

  /** {@code output_tokens}. */
  public AuditAttributes outputTokens(long tokens) {
    return put("output_tokens", tokens);
  }

  /** {@code cost_cents}: what the call cost, in cents. */
  public AuditAttributes costCents(long cents) {
    return put("cost_cents", cents);
  }

  /** {@code success}: whether the call did what it was asked. */
  public AuditAttributes success(boolean success) {
    return set("success", success);
  }

  /**
   * An attribute of the application's own.
   *
   * @throws IllegalArgumentException if the name is not {@code [a-z][a-z0-9_]*} of 1 to 32
   *     characters, the value is longer than {@value #MAX_VALUE_LENGTH} characters or shaped like a
   *     key or token, or the request already has {@value #MAX_ATTRIBUTES} attributes
   */
  public AuditAttributes put(String name, String value) {
    requireNonNull(value, "value");
    if (value.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException(
          "audit attribute "
              + name(name)
              + " is "
              + value.length()
              + " characters long; at most "
              + MAX_VALUE_LENGTH
              + " are recorded");
    }
    if (!Redaction.redact(value).equals(value)) {
      throw new IllegalArgumentException(
          "audit attribute " + name(name) + " looks like a key or token and is not recorded");
    }
    return set(name, value);
  }

  /**
   * A whole-number attribute of the application's own.
   *
   * @throws IllegalArgumentException if the name is not {@code [a-z][a-z0-9_]*} of 1 to 32
   *     characters, or the request already has {@value #MAX_ATTRIBUTES} attributes
   */
  public AuditAttributes put(String name, long value) {
    return set(name, value);
  }

  private static String name(String name) {
    requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "audit attribute names are 1 to 32 characters [a-z][a-z0-9_]*, such as input_tokens; "
              + Problem.quote(name, 40)
              + " is not one");
    }
    return name;
  }

  private synchronized AuditAttributes set(String name, Object value) {
    String n = name(name);
    if (values.size() >= MAX_ATTRIBUTES && !values.containsKey(n)) {
      throw new IllegalArgumentException(
          "a request records at most "
              + MAX_ATTRIBUTES
              + " audit attributes; "
              + n
              + " is one more");
    }
    values.put(n, value);
    return this;
  }

  /**
   * The attributes set so far, in the order first set: {@code String}, {@code Long}, {@code
   * Boolean}.
   */
  public synchronized Map<String, Object> asMap() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  @Override
  public synchronized String toString() {
    return "AuditAttributes" + values.keySet();
  }
}
