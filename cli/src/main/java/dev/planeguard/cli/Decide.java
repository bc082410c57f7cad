package dev.planeguard.cli;

import dev.planeguard.AuditSink;
import dev.planeguard.ConfigurationException;
import dev.planeguard.Contract;
import dev.planeguard.ContractSpec;
import dev.planeguard.Decision;
import dev.planeguard.Detail;
import dev.planeguard.Enforcer;
import dev.planeguard.HumanIssuer;
import dev.planeguard.HumanPrincipal;
import dev.planeguard.InboundRequest;
import dev.planeguard.KeyFile;
import dev.planeguard.JwtVerifier;
import dev.planeguard.KeyVerifier;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Mode;
import dev.planeguard.Policy;
import dev.planeguard.Principal;
import dev.planeguard.SandboxPrincipal;
import dev.planeguard.TokenVerifier;
import dev.planeguard.Verification;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code decide}: runs exactly the engine the filter runs on one request described by flags, and
 * prints the decision as JSON. Hermetic: only the flags count, not the process environment. The
 * human plane is verified for real when {@code --jwks}/{@code --issuer} are given (keys from a
 * file, a URL or OpenID discovery); with {@code --keys}, machine keys (and sandbox keys, with
 * {@code --sandbox} where the mode allows them) are verified against that key file exactly as a
 * server would. A plane whose verifier is not configured answers {@code VERIFIER_UNAVAILABLE}
 * ({@code NOT_CONFIGURED}). Exit 0 whenever a decision was produced, allow or deny.
 */
final class Decide {

  static final String USAGE =
      """
      decide --policy FILE --mode MODE --method M --target RAW_TARGET
               [--header 'Name: value']... [--jwks FILE_OR_URL] [--issuer ISS]
               [--audience AUD]... [--azp PARTY]... [--keys KEYS_FILE] [--sandbox]
               [--tenant-header NAME] [--json]\
      """;

  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final TokenVerifier NO_TOKEN_VERIFIER =
      token -> new Verification.Unavailable(Detail.NOT_CONFIGURED);
  private static final KeyVerifier NO_KEY_VERIFIER =
      (key, kind, mode) -> new Verification.Unavailable(Detail.NOT_CONFIGURED);

  private Decide() {}

  static int run(List<String> argv, Output o) {
    Args args =
        Args.parse(
            argv,
            Set.of(
                "policy", "mode", "method", "target", "header", "tenant-header", "jwks", "issuer",
                "audience", "azp", "keys"),
            Set.of("sandbox", "json"));
    if (!args.positional().isEmpty()) {
      throw new UsageException("decide takes no positional arguments");
    }
    Policy policy = loadPolicy(args.required("policy"));
    Contract contract = contract(args);
    String method = args.required("method");
    String target = args.required("target");
    Map<String, List<String>> headers = headers(args.all("header"));

    KeyVerifier keys = keyVerifier(args.optional("keys"));
    JwtVerifier jwt = jwtVerifier(args, contract.mode());
    try {
      Enforcer.Builder builder =
          Enforcer.builder()
              .contract(contract)
              .policy(policy)
              .auditSink(AuditSink.none())
              .tokenVerifier(jwt != null ? jwt : NO_TOKEN_VERIFIER)
              .machineKeyVerifier(keys);
      if (contract.sandboxAllowed() && args.flag("sandbox")) {
        builder.sandboxKeyVerifier(keys);
      }
      Enforcer enforcer = build(builder);
      Decision decision = enforcer.decide(InboundRequest.of(method, target, headers));
      o.json(describe(decision));
      return 0;
    } finally {
      if (jwt != null) {
        jwt.close();
      }
    }
  }

  /**
   * The human-plane verifier of {@code --jwks}, {@code --issuer}, {@code --audience}, {@code
   * --azp}: with {@code --jwks} the keys come from that file or URL; with {@code --issuer} alone,
   * from OpenID discovery. Neither: {@code null} (the plane is not configured). In preprod and
   * prod {@code --audience} is required, as for every issuer there.
   */
  private static @Nullable JwtVerifier jwtVerifier(Args args, Mode mode) {
    String jwks = args.optional("jwks");
    String issuer = args.optional("issuer");
    List<String> audiences = args.all("audience");
    List<String> parties = args.all("azp");
    if (jwks == null && issuer == null) {
      if (!audiences.isEmpty() || !parties.isEmpty()) {
        throw new UsageException("--audience and --azp need --issuer (and --jwks, or discovery)");
      }
      return null;
    }
    if (issuer == null || issuer.isEmpty()) {
      throw new UsageException("--jwks needs --issuer: the exact iss of accepted tokens");
    }
    // The verifier refuses this too; saying it in flags is clearer than naming its settings.
    if (mode.isProductionLike() && audiences.isEmpty()) {
      throw new UsageException(
          "--mode " + mode.id() + " needs --audience: without one, tokens minted for any API of"
              + " this issuer would be accepted");
    }
    HumanIssuer.Builder config =
        jwks == null ? HumanIssuer.oidc(issuer) : HumanIssuer.builder(issuer).jwksUri(jwksUri(jwks));
    config.audiences(audiences.toArray(String[]::new));
    config.authorizedParties(parties.toArray(String[]::new));
    try {
      return JwtVerifier.builder().issuer(config.build()).mode(mode).build();
    } catch (ConfigurationException e) {
      throw invalid(e);
    }
  }

  /** A plain path, a {@code file:} URI, or an {@code http(s):} URL. */
  static URI jwksUri(String value) {
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.startsWith("https:") || lower.startsWith("http:") || lower.startsWith("file:")) {
      try {
        return new URI(value);
      } catch (URISyntaxException e) {
        throw new UsageException("--jwks is not a valid URI");
      }
    }
    try {
      return Path.of(value).toAbsolutePath().toUri();
    } catch (InvalidPathException e) {
      throw new UsageException("--jwks is not a valid path");
    }
  }

  private static Policy loadPolicy(String file) {
    try {
      return Policy.load(Path.of(file));
    } catch (ConfigurationException e) {
      throw invalid(e);
    }
  }

  /** The verifier of {@code --keys KEYS_FILE}, or one answering {@code NOT_CONFIGURED}. */
  private static KeyVerifier keyVerifier(@Nullable String file) {
    if (file == null) {
      return NO_KEY_VERIFIER;
    }
    if (file.isEmpty()) {
      throw new UsageException("--keys needs a file");
    }
    try {
      return KeyVerifier.of(KeyFile.open(Path.of(file)));
    } catch (ConfigurationException e) {
      throw invalid(e);
    }
  }

  /** A contract for {@code --mode}, with sandbox keys enabled by {@code --sandbox}. */
  private static Contract contract(Args args) {
    String modeValue = args.required("mode");
    Mode mode = Mode.parse(modeValue);
    if (mode == null) {
      throw new UsageException("--mode must be one of local, test, preprod, prod");
    }
    ContractSpec spec = ContractSpec.standard();
    Map<String, String> env = new HashMap<>();
    env.put(spec.modeVariable(), mode.id());
    env.put(
        spec.authorityVariable(),
        spec.authorities().getOrDefault(mode, Set.of()).iterator().next().name());
    env.put(spec.sandboxVariable(), args.flag("sandbox") ? "true" : "false");
    String tenantHeader = args.optional("tenant-header");
    if (tenantHeader != null) {
      env.put("TENANT_HEADER", tenantHeader);
    }
    try {
      return spec.parse(env);
    } catch (ConfigurationException e) {
      throw invalid(e);
    }
  }

  private static Enforcer build(Enforcer.Builder builder) {
    try {
      return builder.build();
    } catch (ConfigurationException e) {
      throw invalid(e);
    }
  }

  private static UsageException invalid(ConfigurationException e) {
    return new UsageException(String.valueOf(e.getMessage()));
  }

  /** Parses {@code Name: value} flags; the value keeps inner whitespace, edges are trimmed. */
  static Map<String, List<String>> headers(List<String> flags) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String flag : flags) {
      int colon = flag.indexOf(':');
      if (colon <= 0) {
        throw new UsageException("--header must look like 'Name: value'");
      }
      String name = flag.substring(0, colon);
      if (!HEADER_NAME.matcher(name).matches()) {
        throw new UsageException("--header has an invalid header name");
      }
      String value = flag.substring(colon + 1).strip();
      headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return headers;
  }

  static Map<String, Object> describe(Decision d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", d.status());
    m.put("reason", d.reason().name());
    m.put("plane", d.plane() == null ? null : d.plane().id());
    m.put("detail", d.detail() == null ? null : d.detail().name());
    m.put("principal", principal(d.principal()));
    if (d.retryAfterSeconds() > 0) {
      m.put("retryAfter", d.retryAfterSeconds());
    }
    m.put("rule", d.rule() == null ? null : d.rule().toPolicyLine());
    m.put("violation", d.violation());
    return m;
  }

  private static @Nullable Map<String, Object> principal(@Nullable Principal p) {
    if (p == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    if (p instanceof HumanPrincipal h) {
      m.put("type", "human");
      m.put("subject", h.subject());
      m.put("issuer", h.issuer());
      m.put("sessionId", h.sessionId());
    } else if (p instanceof MachinePrincipal mp) {
      m.put("type", "machine");
      m.put("keyId", mp.keyId());
    } else if (p instanceof SandboxPrincipal sp) {
      m.put("type", "sandbox");
      m.put("keyId", sp.keyId());
      m.put("sandbox", true);
    }
    m.put("tenant", p.tenant());
    m.put("scopes", p.scopes().stream().sorted().toList());
    return m;
  }
}
