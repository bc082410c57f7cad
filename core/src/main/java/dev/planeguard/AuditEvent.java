package dev.planeguard;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One decision, for the audit trail. Every call of {@link Enforcer#decide} produces exactly one.
 * Holds no credential: the principal is identified by subject or key id, the path is escaped,
 * capped and has anything shaped like a key or token redacted, and the query is never recorded.
 *
 * @param time when the decision was made
 * @param mode the mode of the process
 * @param method the request method (escaped, capped)
 * @param route the pattern of the matched rule, or {@code null}
 * @param path the sanitized request path
 * @param plane the plane the route requires, or {@code null}
 * @param carriers the credential headers presented (names only)
 * @param allowed whether the request was allowed
 * @param reason the reason code
 * @param detail the detail code, or {@code null}
 * @param principalId subject or key id of an allowed caller, or {@code null}
 * @param tenant the caller's tenant, or {@code null}
 * @param requestId the adapter's request id, or {@code null}
 * @param durationNanos how long the decision took
 * @param violation whether the request broke the contract (cross-plane, ambiguous, sandbox in
 *     preprod/prod)
 */
public record AuditEvent(
    Instant time,
    Mode mode,
    String method,
    @Nullable String route,
    String path,
    @Nullable Plane plane,
    List<String> carriers,
    boolean allowed,
    Reason reason,
    @Nullable Detail detail,
    @Nullable String principalId,
    @Nullable String tenant,
    @Nullable String requestId,
    long durationNanos,
    boolean violation) {}
