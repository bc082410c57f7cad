package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.Redaction;
import dev.planeguard.internal.Text;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One decision, for the audit trail. Every call of {@link Enforcer#decide} produces exactly one
 * (and {@link Enforcer#confirm} one for what it decides). Holds no credential: the principal is
 * identified by subject or key id, the path is escaped, capped and has anything shaped like a key
 * or token redacted, and the query is never recorded.
 *
 * <p>A class, not a record, so that fields can be added without breaking sinks: read it through its
 * accessors; build one (in a sink's tests, say) with {@link #builder()}.
 */
public final class AuditEvent {

  private final Instant time;
  private final Mode mode;
  private final String method;
  private final @Nullable String route;
  // The path and request id as received when the engine made the event: sanitized on first read,
  // so that an event no sink reads in full (an allow logged at DEBUG, a metric) costs no scan.
  private final @Nullable String rawPath;
  private @Nullable String path;
  private final @Nullable Plane plane;
  private final List<String> carriers;
  private final boolean allowed;
  private final Reason reason;
  private final @Nullable Detail detail;
  private final @Nullable String principalId;
  private final @Nullable String tenant;
  private final @Nullable String keyId;
  private final @Nullable String rawRequestId;
  private @Nullable String requestId;
  private final long durationNanos;
  private final boolean violation;
  private final int responseStatus;
  private final long handlingNanos;
  private final Map<String, Object> attributes;

  private AuditEvent(Builder b) {
    this.time = requireNonNull(b.time, "time");
    this.mode = requireNonNull(b.mode, "mode");
    this.method = requireNonNull(b.method, "method");
    this.route = b.route;
    if (b.path == null && b.rawPath == null) {
      throw new NullPointerException("path");
    }
    this.path = b.path;
    this.rawPath = b.rawPath;
    this.plane = b.plane;
    this.carriers = List.copyOf(b.carriers);
    this.allowed = b.allowed;
    this.reason = requireNonNull(b.reason, "reason");
    this.detail = b.detail;
    this.principalId = b.principalId;
    this.tenant = b.tenant;
    this.keyId = b.keyId;
    this.requestId = b.requestId;
    this.rawRequestId = b.rawRequestId;
    this.durationNanos = b.durationNanos;
    this.violation = b.violation;
    this.responseStatus = b.responseStatus;
    this.handlingNanos = b.handlingNanos;
    this.attributes = b.attributes;
  }

  /** A builder; time, mode, method, path and reason are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** When the decision was made. */
  public Instant time() {
    return time;
  }

  /** The mode of the process. */
  public Mode mode() {
    return mode;
  }

  /** The request method (escaped, capped). */
  public String method() {
    return method;
  }

  /** The pattern of the matched rule, or {@code null}. */
  public @Nullable String route() {
    return route;
  }

  /** The sanitized request path. */
  public String path() {
    String p = path;
    if (p == null) {
      String raw = requireNonNull(rawPath);
      p = Text.escape(Redaction.redact(raw.length() > 1024 ? raw.substring(0, 1024) : raw), 256);
      path = p;
    }
    return p;
  }

  /** The plane the route requires, or {@code null}. */
  public @Nullable Plane plane() {
    return plane;
  }

  /** The credential headers presented (names only). */
  public List<String> carriers() {
    return carriers;
  }

  /** Whether the request was allowed. */
  public boolean allowed() {
    return allowed;
  }

  /** The reason code. */
  public Reason reason() {
    return reason;
  }

  /** The detail code, or {@code null}. */
  public @Nullable Detail detail() {
    return detail;
  }

  /** Subject or key id of an allowed caller, or {@code null}; never a credential. */
  public @Nullable String principalId() {
    return principalId;
  }

  /** The caller's tenant, or {@code null}. */
  public @Nullable String tenant() {
    return tenant;
  }

  /**
   * The id of the machine or sandbox key the request presented, or {@code null}: set for an allow
   * under a key and for a refusal of a well-formed key (its checksum holds) whether or not it
   * verified, so that every use of one key, refused ones included, can be found. An id is the
   * non-secret part of a key.
   */
  public @Nullable String keyId() {
    return keyId;
  }

  /** The adapter's request id, or {@code null}. */
  public @Nullable String requestId() {
    String id = requestId;
    if (id == null && rawRequestId != null) {
      id = Text.escape(Redaction.redact(rawRequestId), 64);
      requestId = id;
    }
    return id;
  }

  /**
   * The status of the response, for an allowed request whose adapter saw it complete; 0 when not
   * known (refusals: their status is the reason's).
   */
  public int responseStatus() {
    return responseStatus;
  }

  /**
   * How long the application took to answer an allowed request, from the decision to the complete
   * response; -1 when not known.
   */
  public long handlingNanos() {
    return handlingNanos;
  }

  /** What the application recorded for the request ({@link AuditAttributes}); empty if nothing. */
  public Map<String, Object> attributes() {
    return attributes;
  }

  /** How long the decision took. */
  public long durationNanos() {
    return durationNanos;
  }

  /**
   * Whether the request broke the contract (cross-plane, ambiguous, a handler the rule does not
   * cover, sandbox in preprod/prod).
   */
  public boolean violation() {
    return violation;
  }

  /** A builder holding this event's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.time = time;
    b.mode = mode;
    b.method = method;
    b.route = route;
    b.path = path();
    b.plane = plane;
    b.carriers = carriers;
    b.allowed = allowed;
    b.reason = reason;
    b.detail = detail;
    b.principalId = principalId;
    b.tenant = tenant;
    b.keyId = keyId;
    b.requestId = requestId();
    b.durationNanos = durationNanos;
    b.violation = violation;
    b.responseStatus = responseStatus;
    b.handlingNanos = handlingNanos;
    b.attributes = attributes;
    return b;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof AuditEvent e
        && time.equals(e.time)
        && mode == e.mode
        && method.equals(e.method)
        && Objects.equals(route, e.route)
        && path().equals(e.path())
        && plane == e.plane
        && carriers.equals(e.carriers)
        && allowed == e.allowed
        && reason == e.reason
        && detail == e.detail
        && Objects.equals(principalId, e.principalId)
        && Objects.equals(tenant, e.tenant)
        && Objects.equals(keyId, e.keyId)
        && Objects.equals(requestId(), e.requestId())
        && durationNanos == e.durationNanos
        && violation == e.violation
        && responseStatus == e.responseStatus
        && handlingNanos == e.handlingNanos
        && attributes.equals(e.attributes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(time, mode, method, route, path(), reason, principalId, requestId());
  }

  /** The decision and where it was made; every value was sanitized when the event was made. */
  @Override
  public String toString() {
    return "AuditEvent{"
        + (allowed ? "allow " : "deny ")
        + reason
        + (detail == null ? "" : "/" + detail)
        + ", "
        + method
        + " "
        + path()
        + (principalId == null ? "" : ", principal=" + principalId)
        + "}";
  }

  /** Builds an {@link AuditEvent}. */
  public static final class Builder {
    private @Nullable Instant time;
    private @Nullable Mode mode;
    private @Nullable String method;
    private @Nullable String route;
    private @Nullable String path;
    private @Nullable String rawPath;
    private @Nullable Plane plane;
    private List<String> carriers = List.of();
    private boolean allowed;
    private @Nullable Reason reason;
    private @Nullable Detail detail;
    private @Nullable String principalId;
    private @Nullable String tenant;
    private @Nullable String keyId;
    private @Nullable String requestId;
    private @Nullable String rawRequestId;
    private long durationNanos;
    private boolean violation;
    private int responseStatus;
    private long handlingNanos = -1;
    private Map<String, Object> attributes = Map.of();

    private Builder() {}

    /** When the decision was made. */
    public Builder time(Instant time) {
      this.time = requireNonNull(time, "time");
      return this;
    }

    /** The mode of the process. */
    public Builder mode(Mode mode) {
      this.mode = requireNonNull(mode, "mode");
      return this;
    }

    /** The request method, already escaped. */
    public Builder method(String method) {
      this.method = requireNonNull(method, "method");
      return this;
    }

    /** The matched rule's pattern. */
    public Builder route(@Nullable String route) {
      this.route = route;
      return this;
    }

    /** The request path, already sanitized. */
    public Builder path(String path) {
      this.path = requireNonNull(path, "path");
      return this;
    }

    /** The plane the route requires. */
    public Builder plane(@Nullable Plane plane) {
      this.plane = plane;
      return this;
    }

    /** The credential headers presented, names only. */
    public Builder carriers(List<String> carriers) {
      this.carriers = requireNonNull(carriers, "carriers");
      return this;
    }

    /** Whether the request was allowed and why. */
    public Builder outcome(boolean allowed, Reason reason, @Nullable Detail detail) {
      this.allowed = allowed;
      this.reason = requireNonNull(reason, "reason");
      this.detail = detail;
      return this;
    }

    /** The caller's subject or key id and tenant. */
    public Builder principal(@Nullable String principalId, @Nullable String tenant) {
      this.principalId = principalId;
      this.tenant = tenant;
      return this;
    }

    /** The request path as received; the event sanitizes it when it is first read. */
    Builder rawPath(String path) {
      this.rawPath = requireNonNull(path, "path");
      return this;
    }

    /** The request id as received; the event sanitizes it when it is first read. */
    Builder rawRequestId(@Nullable String requestId) {
      this.rawRequestId = requestId;
      return this;
    }

    /** The id of the key the request presented (see {@link AuditEvent#keyId()}). */
    public Builder keyId(@Nullable String keyId) {
      this.keyId = keyId;
      return this;
    }

    /**
     * The status of the response to an allowed request (see {@link AuditEvent#responseStatus()}).
     */
    public Builder responseStatus(int status) {
      this.responseStatus = status;
      return this;
    }

    /** How long the application took (see {@link AuditEvent#handlingNanos()}). */
    public Builder handlingNanos(long nanos) {
      this.handlingNanos = nanos;
      return this;
    }

    /** What the application recorded ({@link AuditAttributes#asMap()}). */
    public Builder attributes(Map<String, Object> attributes) {
      // Most events have none: no copy for them.
      this.attributes =
          attributes.isEmpty()
              ? Map.of()
              : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
      return this;
    }

    /** The adapter's request id, already escaped. */
    public Builder requestId(@Nullable String requestId) {
      this.requestId = requestId;
      return this;
    }

    /** How long the decision took. */
    public Builder durationNanos(long durationNanos) {
      this.durationNanos = durationNanos;
      return this;
    }

    /** Whether the request broke the contract. */
    public Builder violation(boolean violation) {
      this.violation = violation;
      return this;
    }

    /**
     * The event.
     *
     * @throws NullPointerException if time, mode, method, path or the outcome is missing
     */
    public AuditEvent build() {
      return new AuditEvent(this);
    }
  }
}
