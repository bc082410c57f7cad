package dev.planeguard.samples.plain;

import dev.planeguard.ConfigurationException;
import dev.planeguard.ContractSpec;
import dev.planeguard.Mode;
import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.Problem;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.test.TestIssuer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The part of a framework-free demo that is not its server: settings from the environment (the
 * demo's built-in policy unless {@code PLANEGUARD_POLICY_LOCATION} is set), and in {@code
 * AOS_MODE=local} only, a local issuer on loopback and one in-memory machine key for what is not
 * configured. It owns what it started and closes it.
 */
public final class PlainDemo implements AutoCloseable {

  /** Starts a demo; may fail with a {@link ConfigurationException}. */
  @FunctionalInterface
  public interface Start<T> {
    /** Starts it. */
    T start() throws Exception;
  }

  private final PlaneGuardSettings.Builder settings;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private @Nullable String demoToken;
  private @Nullable ApiKey demoKey;

  private PlainDemo(PlaneGuardSettings.Builder settings) {
    this.settings = settings;
  }

  /**
   * Reads the settings of {@code env}; in local mode, makes up the issuer and machine key it leaves
   * out.
   *
   * @param demo the demo's class, whose {@code /planeguard.policy} resource is the built-in policy
   */
  public static PlainDemo prepare(Map<String, String> env, Class<?> demo) throws IOException {
    // Everything configured is checked exactly as every planeguard adapter checks it.
    PlainDemo d = new PlainDemo(PlaneGuardSettings.fromEnvironment(env));
    if (blank(env.get(PlaneGuardSettings.Setting.POLICY_LOCATION.variable()))) {
      d.settings.policyLocation("planeguard.policy (built in)", builtInPolicy(demo), false);
    }
    // Demo only, and only in local mode: what is not configured is made up on loopback.
    boolean local =
        Mode.LOCAL == Mode.parse(String.valueOf(env.get(ContractSpec.MODE_VARIABLE)).strip());
    if (local && blank(env.get(PlaneGuardSettings.Setting.HUMAN_ISSUER.variable()))) {
      TestIssuer localIssuer =
          TestIssuer.builder().tokenLifetime(Duration.ofHours(1)).environment(env).start();
      d.resources.add(localIssuer);
      d.settings.issuer(
          PlaneGuardSettings.Issuer.of(localIssuer.issuerId())
              .withJwks(localIssuer.jwksUri().toString())
              .withAudiences(List.of(localIssuer.audience())));
      d.demoToken =
          localIssuer
              .token()
              .subject("demo-user")
              .claim("org_id", "demo")
              .scope("runs:read")
              .sign();
    }
    if (local && blank(env.get(PlaneGuardSettings.Setting.MACHINE_KEYS_FILE.variable()))) {
      KeyStore.Writable memory = KeyStore.inMemory();
      ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
      memory.add(KeyRecord.of(key, "demo", Set.of("runs:write"), null));
      d.settings.machineKeyStore(memory);
      d.demoKey = key;
    }
    return d;
  }

  /**
   * Assembles planeguard from the settings, after {@code more} added the demo's own (such as a
   * resource model); closes everything started so far if the settings are refused.
   *
   * @throws ConfigurationException listing every problem with the settings
   */
  public PlaneGuard assemble(UnaryOperator<PlaneGuardSettings.Builder> more) {
    PlaneGuard planeguard;
    try {
      planeguard = PlaneGuard.assemble(more.apply(settings).build());
    } catch (ConfigurationException e) {
      close();
      throw e;
    }
    resources.add(planeguard);
    return planeguard;
  }

  /** A token from the local issuer, or {@code null} if an issuer is configured. Demo only. */
  public @Nullable String demoToken() {
    return demoToken;
  }

  /** The in-memory machine key, or {@code null} if a key file is configured. Demo only. */
  public @Nullable ApiKey demoKey() {
    return demoKey;
  }

  /** Prints ready-to-paste {@code curl} commands, including the cross-plane mistakes. */
  public void printUsage(PrintStream out, String name, int port) {
    String base = "http://127.0.0.1:" + port;
    out.println();
    out.println("planeguard " + name + " on " + base);
    out.println();
    out.println("# public");
    out.println("curl -i " + base + "/healthz");
    if (demoToken != null) {
      out.println("# human plane: a token from the local issuer (valid for one hour)");
      out.println(
          "curl -i -H 'Authorization: Bearer " + demoToken + "' " + base + "/api/v1/accounts/me");
    }
    if (demoKey != null) {
      out.println("# machine plane: the demo key (shown once; it lives in memory only)");
      out.println("curl -i -H 'X-AOS-Key: " + demoKey.value() + "' " + base + "/api/v1/runs");
      out.println(
          "curl -i -X POST -H 'X-AOS-Key: " + demoKey.value() + "' " + base + "/api/v1/runs");
      out.println("# mistakes: a machine key on a human route, a token on a machine route");
      out.println(
          "curl -i -H 'X-AOS-Key: " + demoKey.value() + "' " + base + "/api/v1/accounts/me");
    }
    if (demoToken != null) {
      out.println("curl -i -H 'Authorization: Bearer " + demoToken + "' " + base + "/api/v1/runs");
    }
    out.println("# no credential, an unmapped route, a path trick");
    out.println("curl -i " + base + "/api/v1/runs");
    out.println("curl -i " + base + "/api/v1/nothing");
    out.println("curl -i --path-as-is '" + base + "/healthz/..;/api/v1/runs'");
    out.println();
  }

  /**
   * What a demo's {@code main} does with its start: a refused configuration prints every problem
   * and exits with status 1.
   */
  public static <T> T startOrExit(Start<T> start) throws Exception {
    try {
      return start.start();
    } catch (ConfigurationException e) {
      System.err.println(e.getMessage());
      for (Problem problem : e.problems()) {
        System.err.println("  " + problem);
      }
      System.exit(1);
      throw e; // not reached
    }
  }

  /** Closes planeguard and the local issuer; a failure to close one does not keep the rest open. */
  @Override
  public void close() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        System.err.println("planeguard demo: error while closing: " + e.getClass().getName());
      }
    }
    resources.clear();
  }

  private static String builtInPolicy(Class<?> demo) throws IOException {
    try (InputStream in = demo.getResourceAsStream("/planeguard.policy")) {
      if (in == null) {
        throw new IOException("planeguard.policy is missing from the demo jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static boolean blank(@Nullable String value) {
    return value == null || value.isBlank();
  }
}
