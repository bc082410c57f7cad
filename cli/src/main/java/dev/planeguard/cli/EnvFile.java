package dev.planeguard.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads env files in the Docker Compose syntax: {@code NAME=value} a line, blank lines and lines
 * starting with {@code #} ignored, an optional {@code export} prefix, values unquoted (trimmed,
 * {@code " #"} starts a comment), single-quoted (literal) or double-quoted ({@code \n}, {@code
 * \t}, {@code \"}, {@code \\} escapes). A line without {@code =} names a variable to take from the
 * surrounding environment and is skipped. Anything else is an error with its line number.
 */
final class EnvFile {

  /**
   * One assignment.
   *
   * @param name the variable
   * @param value its value; never printed by {@link #toString()}
   * @param line 1-based line number
   */
  record Entry(String name, String value, int line) {
    @Override
    public String toString() {
      return name + " (line " + line + ")";
    }
  }

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

  private EnvFile() {}

  /**
   * Reads {@code file}.
   *
   * @throws UsageException if it cannot be read or a line is malformed
   */
  static List<Entry> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UsageException("cannot read env file " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      int number = i + 1;
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ") || line.startsWith("export\t")) {
        line = line.substring(7).strip();
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        if (!NAME.matcher(line).matches()) {
          throw new UsageException(file + ":" + number + ": not NAME=value");
        }
        continue;
      }
      String name = line.substring(0, eq).strip();
      if (!NAME.matcher(name).matches()) {
        throw new UsageException(file + ":" + number + ": invalid variable name");
      }
      entries.add(new Entry(name, value(line.substring(eq + 1).strip(), file, number), number));
    }
    return entries;
  }

  /** The entries of {@code files} as one map; a later assignment wins. */
  static Map<String, String> merge(Map<String, String> base, List<Path> files) {
    Map<String, String> env = new LinkedHashMap<>(base);
    for (Path file : files) {
      for (Entry entry : read(file)) {
        env.put(entry.name(), entry.value());
      }
    }
    return env;
  }

  private static String value(String raw, Path file, int number) {
    if (raw.isEmpty()) {
      return "";
    }
    char quote = raw.charAt(0);
    if (quote == '\'' || quote == '"') {
      int close = raw.lastIndexOf(quote);
      if (close == 0) {
        throw new UsageException(file + ":" + number + ": unterminated quoted value");
      }
      String rest = raw.substring(close + 1).strip();
      if (!rest.isEmpty() && !rest.startsWith("#")) {
        throw new UsageException(file + ":" + number + ": text after the closing quote");
      }
      String inner = raw.substring(1, close);
      return quote == '\'' ? inner : unescape(inner);
    }
    int comment = raw.indexOf(" #");
    if (comment < 0) {
      comment = raw.indexOf("\t#");
    }
    return (comment < 0 ? raw : raw.substring(0, comment)).strip();
  }

  private static String unescape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        switch (n) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case '"' -> sb.append('"');
          case '\\' -> sb.append('\\');
          case '$' -> sb.append('$');
          default -> sb.append('\\').append(n);
        }
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
