package dev.planeguard.cli;

import dev.planeguard.AuditSink;
import dev.planeguard.ConfigurationException;
import dev.planeguard.ContractSpec;
import dev.planeguard.DbAuthority;
import dev.planeguard.Decision;
import dev.planeguard.Detail;
import dev.planeguard.HumanPrincipal;
import dev.planeguard.InboundRequest;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Mode;
import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.Principal;
import dev.planeguard.SandboxPrincipal;
import dev.planeguard.TokenVerifier;
import dev.planeguard.Verification;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyVerifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
      decide --policy FILE --mode MODE [--db-authority A] --method M --target RAW_TARGET
               [--header 'Name: value']... [--jwks FILE_OR_URL] [--issuer ISS]
               [--audience AUD]... [--azp PARTY]... [--issuer-modes MODE,...]
               [--crypto jdk|native] [--keys KEYS_FILE] [--sandbox]
               [--tenant-header NAME] [--json]\
      """;

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
                "policy",
                "mode",
                "db-authority",
                "method",
                "target",
                "header",
                "tenant-header",
                "jwks",
                "issuer",
                "audience",
                "azp",
                "issuer-modes",
                "crypto",
                "keys"),
            Set.of("sandbox", "json"));
    if (!args.positional().isEmpty()) {
      throw new UsageException("decide takes no positional arguments");
    }
    String method = args.required("method");
    String target = args.required("target");
    Map<String, List<String>> headers = headers(args.all("header"));
    Mode mode = mode(args);

    PlaneGuardSettings.Builder settings =
        PlaneGuardSettings.builder()
            .naming(PlaneGuardSettings.Naming.COMMAND_LINE)
            .environment(environment(args, mode))
            .policyLocation(args.required("policy"), null, false)
            // A decision asked for is not a use of the key: nothing is written beside the file.
            .recordKeyUsage(false)
            .customizer(b -> b.auditSink(AuditSink.none()));
    String tenantHeader = args.optional("tenant-header");
    if (tenantHeader != null) {
      settings.tenantHeader(tenantHeader);
    }
    PlaneGuardSettings.Issuer issuer = issuer(args, mode);
    String crypto = args.optional("crypto");
    if (crypto != null && issuer == null) {
      throw new UsageException("--crypto needs --issuer (and --jwks, or discovery)");
    }
    if (issuer != null) {
      settings.issuer(issuer);
      // jdk or native, checked by the assembly like every adapter's setting.
      settings.humanCrypto(crypto);
    } else {
      settings.tokenVerifier(NO_TOKEN_VERIFIER);
    }
    KeyFile keys = keyFile(args.optional("keys"));
    if (keys != null) {
      settings.machineKeyStore(keys);
      if (args.flag("sandbox") && sandboxAllowed(mode)) {
        settings.customizer(b -> b.sandboxKeyVerifier(KeyVerifier.of(keys)));
      }
    } else {
      settings.machineKeyVerifier(NO_KEY_VERIFIER);
    }
    try (PlaneGuard planeguard = PlaneGuard.assemble(settings.build())) {
      Decision decision = planeguard.enforcer().decide(InboundRequest.of(method, target, headers));
      o.json(describe(decision));
      return 0;
    } catch (ConfigurationException e) {
      throw invalid(e);
    } finally {
      if (keys != null) {
        keys.close();
      }
    }
  }

  /**
   * The human issuer of {@code --jwks}, {@code --issuer}, {@code --audience}, {@code --azp} and
   * {@code --issuer-modes} (the modes its tokens are accepted in, all by default): with {@code
   * --jwks} the keys come from that path or URL; with {@code --issuer} alone, from OpenID
   * discovery. Neither: {@code null} (the plane is not configured). In preprod and prod {@code
   * --audience} is required, as for every issuer there.
   */
  private static PlaneGuardSettings.@Nullable Issuer issuer(Args args, Mode mode) {
    String jwks = args.optional("jwks");
    String issuer = args.optional("issuer");
    List<String> audiences = args.all("audience");
    List<String> parties = args.all("azp");
    String modes = args.optional("issuer-modes");
    if (jwks == null && issuer == null) {
      if (!audiences.isEmpty() || !parties.isEmpty() || modes != null) {
        throw new UsageException(
            "--audience, --azp and --issuer-modes need --issuer (and --jwks, or discovery)");
      }
      return null;
    }
    if (issuer == null || issuer.isEmpty()) {
      throw new UsageException("--jwks needs --issuer: the exact iss of accepted tokens");
    }
    // The verifier refuses this too; saying it in flags is clearer than naming its settings.
    if (mode.isProductionLike() && audiences.isEmpty()) {
      throw new UsageException(
          "--mode "
              + mode.id()
              + " needs --audience: without one, tokens minted for any API of"
              + " this issuer would be accepted");
    }
    return PlaneGuardSettings.Issuer.of(issuer)
        .withJwks(jwks)
        .withAudiences(audiences)
        .withAuthorizedParties(parties)
        .withModes(modes == null ? List.of() : List.of(modes.split(",", -1)));
  }

  /** The key file of {@code --keys}, or {@code null}. */
  private static @Nullable KeyFile keyFile(@Nullable String file) {
    if (file == null) {
      return null;
    }
    if (file.isEmpty()) {
      throw new UsageException("--keys needs a file");
    }
    try {
      return KeyFile.open(Path.of(file));
    } catch (ConfigurationException e) {
      throw invalid(e);
    }
  }

  private static Mode mode(Args args) {
    Mode mode = Mode.parse(args.required("mode"));
    if (mode == null) {
      throw new UsageException("--mode must be one of local, test, preprod, prod");
    }
    return mode;
  }

  private static boolean sandboxAllowed(Mode mode) {
    return ContractSpec.standard().sandboxModes().contains(mode);
  }

  /**
   * The contract's variables for {@code --mode}: the database authority does not change a decision,
   * so it is {@code --db-authority}, or the one authority the mode allows; sandbox keys are enabled
   * by {@code --sandbox} where the mode allows them.
   */
  private static Map<String, String> environment(Args args, Mode mode) {
    ContractSpec spec = ContractSpec.standard();
    Map<String, String> env = new HashMap<>();
    env.put(spec.modeVariable(), mode.id());
    String authority = args.optional("db-authority");
    if (authority == null) {
      Set<DbAuthority> allowed = spec.authorities().getOrDefault(mode, Set.of());
      if (allowed.size() != 1) {
        throw new UsageException(
            "--mode "
                + mode.id()
                + " allows "
                + allowed.size()
                + " database authorities: name one with --db-authority");
      }
      authority = allowed.iterator().next().name();
    }
    env.put(spec.authorityVariable(), authority);
    env.put(spec.sandboxVariable(), args.flag("sandbox") ? "true" : "false");
    return env;
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
      if (!PlaneGuardSettings.isHeaderName(name)) {
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
