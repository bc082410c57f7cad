package dev.planeguard.cli;

import dev.planeguard.Problem;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code planeguard} command line. Exit codes: {@code check-*} commands 0 when all is well and
 * 1 when they report a violation; {@code decide} 0 whenever it produced a decision; {@code audit
 * verify} 0 when the ledger's chain is intact and 1 when it is broken; every command 2 on a usage
 * error. With {@code --json}, output (errors included) is one JSON object.
 */
public final class Main {

  static final String USAGE =
      String.join(
          "\n",
          "usage: java -jar planeguard-cli.jar <command> [options]",
          "",
          "commands:",
          "  " + CheckEnv.USAGE,
          "  " + CheckPolicy.USAGE,
          "  " + Decide.USAGE,
          "  " + CheckMigration.USAGE,
          "  " + CheckTiers.USAGE,
          "  " + CheckSecrets.USAGE,
          "  " + Keys.USAGE,
          "  " + Audit.USAGE,
          "",
          "exit codes: 0 ok (decide: a decision was made), 1 violations found, refused, or a broken"
              + " ledger chain, 2 usage error");

  private Main() {}

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /**
   * Runs one command.
   *
   * @param args the command line
   * @param env the process environment ({@code check-env} reads it)
   * @return the exit code
   */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    List<String> argv = List.of(args);
    boolean json = argv.contains("--json");
    Output o = new Output(out, err, json);
    if (argv.isEmpty()) {
      err.println(USAGE);
      return 2;
    }
    String command = argv.get(0);
    List<String> rest = argv.subList(1, argv.size());
    try {
      return switch (command) {
        case "check-env" -> CheckEnv.run(rest, env, o);
        case "check-policy" -> CheckPolicy.run(rest, o);
        case "decide" -> Decide.run(rest, o);
        case "check-migration" -> CheckMigration.run(rest, env, o);
        case "check-tiers" -> CheckTiers.run(rest, o);
        case "check-secrets" -> CheckSecrets.run(rest, o);
        case "keys" -> Keys.run(rest, env, o);
        case "audit" -> Audit.run(rest, env, o);
        case "help", "--help", "-h" -> {
          out.println(USAGE);
          yield 0;
        }
        default -> throw new UsageException("unknown command " + Problem.quote(command, 64));
      };
    } catch (UsageException e) {
      if (json) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("error", "usage");
        error.put("message", e.getMessage());
        o.json(error);
      } else {
        err.println("planeguard: " + e.getMessage());
        err.println();
        err.println(USAGE);
      }
      return 2;
    }
  }
}
