package dev.planeguard.keys;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.Mode;
import dev.planeguard.RateLimit;
import dev.planeguard.internal.Text;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a key store keeps about one key: never the key, only its {@link ApiKey#hash() hash}. One
 * record is one line of a key file (JSON Lines):
 * <!-- not java -->
 *
 * <pre>{@code
 * {"id":"k7xq2m4p3ra3w5tz","kind":"mk","mode":"prod","hash":"sha256:…","tenant":"acme","scopes":["runs:write"],"status":"active","notAfter":"2027-01-01T00:00:00Z"}
 * }</pre>
 *
 * <p>{@code tenant}, {@code scopes}, {@code notAfter}, {@code legacy}, {@code created} and the
 * key's own limits ({@code rateLimit}, {@code uses}, {@code usesRefill}: {@link KeyLimits}) are
 * optional; any other member is an error, so a misspelt member (an all lower-case "notafter", say)
 * cannot silently mean "never expires".
 *
 * <h2>Structured and legacy records</h2>
 *
 * <p>A record for a planeguard key ({@link ApiKey}) has that key's id: exactly 16 characters {@code
 * [a-z2-7]}. It is found by id, and the presented key's hash must match.
 *
 * <p>A <em>legacy</em> record ({@code "legacy":true}) describes an opaque secret from before
 * planeguard (an {@code AOS_API_KEY}, say), kept during a migration to structured keys. Its id is a
 * name the operator chooses ({@code [a-z0-9][a-z0-9_-]{0,63}}, but never 16 characters of {@code
 * [a-z2-7]}, which are reserved for structured keys), and it is found by the hash of the presented
 * value. A structured record is never found by hash and a legacy record never by id, so neither
 * kind can stand in for the other.
 *
 * @param id the key's public lookup id
 * @param kind machine or sandbox
 * @param mode the mode the key was issued for
 * @param hash {@code sha256:} and 64 lower-case hex digits
 * @param tenant the tenant the key belongs to, or {@code null}
 * @param scopes scopes granted, sorted
 * @param status active or revoked
 * @param notAfter the instant after which the key no longer works, or {@code null}
 * @param legacy whether this record describes an opaque legacy secret rather than a structured key
 * @param limits the key's own rate limit and uses ({@link KeyLimits#NONE} for none)
 * @param created when the key was created, or {@code null} if unknown (a key file written before
 *     planeguard recorded it): its age, and whether it is due for rotation, are then unknown
 */
public record KeyRecord(
    String id,
    ApiKey.Kind kind,
    Mode mode,
    String hash,
    @Nullable String tenant,
    Set<String> scopes,
    Status status,
    @Nullable Instant notAfter,
    boolean legacy,
    KeyLimits limits,
    @Nullable Instant created) {

  /** Whether a key may be used at all. */
  public enum Status {
    ACTIVE,
    REVOKED;

    /** {@code active} or {@code revoked}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final Pattern STRUCTURED_ID = Pattern.compile("[a-z2-7]{16}");
  private static final Pattern HASH = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
  private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9:._/-]{1,128}");
  private static final Set<String> MEMBERS =
      Set.of(
          "id",
          "legacy",
          "kind",
          "mode",
          "hash",
          "tenant",
          "scopes",
          "status",
          "notAfter",
          "rateLimit",
          "uses",
          "usesRefill",
          "created");

  /**
   * Validates every field.
   *
   * @throws IllegalArgumentException naming the field that is wrong (never echoing a hash)
   */
  public KeyRecord {
    requireNonNull(id, "id");
    requireNonNull(kind, "kind");
    requireNonNull(mode, "mode");
    requireNonNull(hash, "hash");
    requireNonNull(status, "status");
    requireNonNull(limits, "limits");
    if (legacy) {
      if (!ID.matcher(id).matches() || STRUCTURED_ID.matcher(id).matches()) {
        throw new IllegalArgumentException(
            "a legacy id must match [a-z0-9][a-z0-9_-]{0,63} and must not be 16 characters of"
                + " [a-z2-7] (reserved for structured keys)");
      }
    } else if (!STRUCTURED_ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "id must be the key's id, 16 characters of [a-z2-7] (or mark the record \"legacy\":true)");
    }
    if (!HASH.matcher(hash).matches()) {
      throw new IllegalArgumentException("hash must be sha256: and 64 lower-case hex digits");
    }
    if (tenant != null && !TENANT.matcher(tenant).matches()) {
      throw new IllegalArgumentException("tenant must be 1-128 of [A-Za-z0-9._:@-]");
    }
    TreeSet<String> sorted = new TreeSet<>(scopes);
    for (String scope : sorted) {
      if (!SCOPE.matcher(scope).matches()) {
        throw new IllegalArgumentException("scopes must be 1-128 of [A-Za-z0-9:._/-]");
      }
    }
    scopes = Collections.unmodifiableSet(sorted);
  }

  /**
   * A record without limits of its own, whose creation time is unknown.
   *
   * @throws IllegalArgumentException naming the field that is wrong
   */
  public KeyRecord(
      String id,
      ApiKey.Kind kind,
      Mode mode,
      String hash,
      @Nullable String tenant,
      Set<String> scopes,
      Status status,
      @Nullable Instant notAfter,
      boolean legacy) {
    this(id, kind, mode, hash, tenant, scopes, status, notAfter, legacy, KeyLimits.NONE, null);
  }

  /**
   * A record without limits of its own.
   *
   * @param created when the key was created, or {@code null} if unknown
   * @throws IllegalArgumentException naming the field that is wrong
   */
  public KeyRecord(
      String id,
      ApiKey.Kind kind,
      Mode mode,
      String hash,
      @Nullable String tenant,
      Set<String> scopes,
      Status status,
      @Nullable Instant notAfter,
      boolean legacy,
      @Nullable Instant created) {
    this(id, kind, mode, hash, tenant, scopes, status, notAfter, legacy, KeyLimits.NONE, created);
  }

  /**
   * A record for a structured key ({@code legacy} false) whose creation time is unknown.
   *
   * @throws IllegalArgumentException naming the field that is wrong
   */
  public KeyRecord(
      String id,
      ApiKey.Kind kind,
      Mode mode,
      String hash,
      @Nullable String tenant,
      Set<String> scopes,
      Status status,
      @Nullable Instant notAfter) {
    this(id, kind, mode, hash, tenant, scopes, status, notAfter, false, KeyLimits.NONE, null);
  }

  /** A new active record for a freshly generated key. */
  public static KeyRecord of(
      ApiKey key, @Nullable String tenant, Set<String> scopes, @Nullable Instant notAfter) {
    return new KeyRecord(
        key.id(), key.kind(), key.mode(), key.hash(), tenant, scopes, Status.ACTIVE, notAfter);
  }

  /** Whether the key may be used at {@code now}: active and not past {@code notAfter}. */
  public boolean usableAt(Instant now) {
    return status == Status.ACTIVE && (notAfter == null || !now.isAfter(notAfter));
  }

  /**
   * Whether the key is due for rotation at {@code now}: it is {@linkplain #usableAt usable} and was
   * created at least {@code rotationPeriod} ago. {@code false} if its creation time is unknown.
   */
  public boolean rotationDueAt(Instant now, Duration rotationPeriod) {
    requireNonNull(now, "now");
    requireNonNull(rotationPeriod, "rotationPeriod");
    return created != null && usableAt(now) && !now.isBefore(created.plus(rotationPeriod));
  }

  /** This record revoked. */
  public KeyRecord revoked() {
    return new KeyRecord(
        id, kind, mode, hash, tenant, scopes, Status.REVOKED, notAfter, legacy, limits, created);
  }

  /** This record with other limits of its own. */
  public KeyRecord withLimits(KeyLimits limits) {
    return new KeyRecord(
        id, kind, mode, hash, tenant, scopes, status, notAfter, legacy, limits, created);
  }

  /** This record with another {@code notAfter}. */
  public KeyRecord withNotAfter(@Nullable Instant notAfter) {
    return new KeyRecord(
        id, kind, mode, hash, tenant, scopes, status, notAfter, legacy, limits, created);
  }

  /** This record with another creation time. */
  public KeyRecord withCreated(@Nullable Instant created) {
    return new KeyRecord(
        id, kind, mode, hash, tenant, scopes, status, notAfter, legacy, limits, created);
  }

  /** One line of a key file, members in a fixed order, without line terminator. */
  public String toJsonLine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    if (legacy) {
      m.put("legacy", true);
    }
    m.put("kind", kind.code());
    m.put("mode", mode.id());
    m.put("hash", hash);
    if (tenant != null) {
      m.put("tenant", tenant);
    }
    m.put("scopes", List.copyOf(scopes));
    m.put("status", status.id());
    if (notAfter != null) {
      m.put("notAfter", notAfter.toString());
    }
    RateLimit rateLimit = limits.rateLimit();
    if (rateLimit != null) {
      m.put("rateLimit", RateLimit.of(rateLimit.requests(), rateLimit.period()).toString());
    }
    Long uses = limits.uses();
    if (uses != null) {
      m.put("uses", uses);
    }
    Duration refill = limits.usesRefill();
    if (refill != null) {
      m.put("usesRefill", KeyLimits.formatRefill(refill));
    }
    if (created != null) {
      m.put("created", created.toString());
    }
    return JSONObjectUtils.toJSONString(m);
  }

  /**
   * Parses one line of a key file.
   *
   * @throws IllegalArgumentException saying what is wrong, without echoing the line
   */
  public static KeyRecord parseJsonLine(String line) {
    Map<String, Object> json;
    try {
      json = JSONObjectUtils.parse(line);
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException("not a JSON object");
    }
    for (String member : json.keySet()) {
      if (!MEMBERS.contains(member)) {
        throw new IllegalArgumentException("unknown member " + Text.quote(member, 32));
      }
    }
    ApiKey.Kind kind = ApiKey.Kind.fromCode(required(json, "kind"));
    if (kind == null) {
      throw new IllegalArgumentException("kind must be mk or sk");
    }
    Mode mode = Mode.parse(required(json, "mode"));
    if (mode == null || !mode.id().equals(json.get("mode"))) {
      throw new IllegalArgumentException("mode must be local, test, preprod or prod");
    }
    String statusValue = required(json, "status");
    Status status =
        switch (statusValue) {
          case "active" -> Status.ACTIVE;
          case "revoked" -> Status.REVOKED;
          default -> throw new IllegalArgumentException("status must be active or revoked");
        };
    Object scopesValue = json.get("scopes");
    Set<String> scopes = new TreeSet<>();
    if (scopesValue != null) {
      if (!(scopesValue instanceof List<?> list)) {
        throw new IllegalArgumentException("scopes must be an array of strings");
      }
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw new IllegalArgumentException("scopes must be an array of strings");
        }
        scopes.add(s);
      }
    }
    String notAfterValue = optional(json, "notAfter");
    Instant notAfter = null;
    if (notAfterValue != null) {
      try {
        notAfter = Instant.parse(notAfterValue);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("notAfter must be an ISO-8601 instant");
      }
    }
    String createdValue = optional(json, "created");
    Instant created = null;
    if (createdValue != null) {
      try {
        created = Instant.parse(createdValue);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("created must be an ISO-8601 instant");
      }
    }
    Object legacyValue = json.get("legacy");
    if (legacyValue != null && !(legacyValue instanceof Boolean)) {
      throw new IllegalArgumentException("legacy must be true or false");
    }
    return new KeyRecord(
        required(json, "id"),
        kind,
        mode,
        required(json, "hash"),
        optional(json, "tenant"),
        scopes,
        status,
        notAfter,
        Boolean.TRUE.equals(legacyValue),
        limits(json),
        created);
  }

  private static KeyLimits limits(Map<String, Object> json) {
    String rate = optional(json, "rateLimit");
    RateLimit rateLimit = null;
    if (rate != null) {
      rateLimit = RateLimit.tryParse(rate);
      if (rateLimit == null) {
        throw new IllegalArgumentException(
            "rateLimit must be requests/period such as 100/1m (1s to 30d)");
      }
    }
    Object usesValue = json.get("uses");
    Long uses = null;
    if (usesValue != null) {
      if (!(usesValue instanceof Long n)) {
        throw new IllegalArgumentException("uses must be a whole number");
      }
      uses = n;
    }
    String refill = optional(json, "usesRefill");
    return new KeyLimits(rateLimit, uses, refill == null ? null : KeyLimits.parseRefill(refill));
  }

  private static String required(Map<String, Object> json, String member) {
    String value = optional(json, member);
    if (value == null) {
      throw new IllegalArgumentException("missing " + member);
    }
    return value;
  }

  private static @Nullable String optional(Map<String, Object> json, String member) {
    Object value = json.get(member);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException(member + " must be a string");
    }
    return s;
  }

  /** All fields but the hash. */
  @Override
  public String toString() {
    return "KeyRecord{id="
        + id
        + (legacy ? ", legacy" : "")
        + ", kind="
        + kind.code()
        + ", mode="
        + mode.id()
        + ", tenant="
        + tenant
        + ", scopes="
        + scopes
        + ", status="
        + status.id()
        + ", notAfter="
        + notAfter
        + (limits.none() ? "" : ", limits=" + limits)
        + ", created="
        + created
        + "}";
  }
}
