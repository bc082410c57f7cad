package dev.planeguard.cli;

import dev.planeguard.Problem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parsed arguments of one command: {@code --name value}, {@code --name=value}, boolean flags and
 * positional arguments. Options not declared by the command are usage errors.
 */
final class Args {

  private final Map<String, List<String>> options = new HashMap<>();
  private final List<String> positional = new ArrayList<>();

  /**
   * Parses {@code args}.
   *
   * @param valued options that take a value
   * @param flags options that take none
   */
  static Args parse(List<String> args, Set<String> valued, Set<String> flags) {
    Args parsed = new Args();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--")) {
        parsed.positional.addAll(args.subList(i + 1, args.size()));
        break;
      }
      if (!arg.startsWith("--") || arg.length() == 2) {
        parsed.positional.add(arg);
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
      if (flags.contains(name)) {
        if (eq >= 0) {
          throw new UsageException("--" + name + " takes no value");
        }
        parsed.options.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
      } else if (valued.contains(name)) {
        String value;
        if (eq >= 0) {
          value = arg.substring(eq + 1);
        } else if (i + 1 < args.size()) {
          value = args.get(++i);
        } else {
          throw new UsageException("--" + name + " needs a value");
        }
        parsed.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      } else {
        throw new UsageException("unknown option " + Problem.quote("--" + name, 64));
      }
    }
    return parsed;
  }

  boolean flag(String name) {
    return options.containsKey(name);
  }

  @Nullable String optional(String name) {
    List<String> values = options.get(name);
    if (values == null) {
      return null;
    }
    if (values.size() > 1) {
      throw new UsageException("--" + name + " given more than once");
    }
    return values.get(0);
  }

  String required(String name) {
    String value = optional(name);
    if (value == null || value.isEmpty()) {
      throw new UsageException("--" + name + " is required");
    }
    return value;
  }

  List<String> all(String name) {
    return options.getOrDefault(name, List.of());
  }

  List<String> positional() {
    return positional;
  }
}
