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
 * {@code " #"} starts a comment), single-quoted (literal, but {@code \'} is a quote) or
 * double-quoted ({@code \n}, {@code \t}, {@code \r}, {@code \"}, {@code \\}, {@code \$} escapes). A
 * quoted value may span lines, up to its closing quote (a PEM key, say); its entry has the line
 * number where it starts. A line without {@code =} names a variable to take from the surrounding
 * environment and is skipped. Anything else is an error with its line number, and no error message
 * ever contains a value.
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
      throw new UsageException(
          "cannot read env file " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).stripLeading();
      int number = i + 1;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ") || line.startsWith("export\t")) {
        line = line.substring(7).stripLeading();
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        if (!NAME.matcher(line.strip()).matches()) {
          throw new UsageException(file + ":" + number + ": not NAME=value");
        }
        continue;
      }
      String name = line.substring(0, eq).strip();
      if (!NAME.matcher(name).matches()) {
        throw new UsageException(file + ":" + number + ": invalid variable name");
      }
      String after = line.substring(eq + 1);
      String raw = after.stripLeading();
      if (raw.startsWith("'") || raw.startsWith("\"")) {
        i = quoted(raw, lines, i, file, name, entries);
      } else {
        entries.add(new Entry(name, unquoted(after), number));
      }
    }
    return entries;
  }

  /**
   * Reads a quoted value starting at {@code first} (its opening quote), on line {@code start} and
   * possibly the lines after it; adds the entry and returns the index of the line it ends on.
   */
  private static int quoted(
      String first, List<String> lines, int start, Path file, String name, List<Entry> entries) {
    char quote = first.charAt(0);
    StringBuilder content = new StringBuilder();
    String current = first;
    int from = 1;
    int index = start;
    while (true) {
      int close = closingQuote(current, from, quote);
      if (close >= 0) {
        content.append(current, from, close);
        String rest = current.substring(close + 1).strip();
        if (!rest.isEmpty() && !rest.startsWith("#")) {
          throw new UsageException(file + ":" + (start + 1) + ": text after the closing quote");
        }
        break;
      }
      content.append(current, from, current.length()).append('\n');
      index++;
      if (index >= lines.size()) {
        throw new UsageException(file + ":" + (start + 1) + ": unterminated quoted value");
      }
      current = lines.get(index);
      from = 0;
    }
    String inner = content.toString();
    String value = quote == '\'' ? inner.replace("\\'", "'") : unescape(inner);
    entries.add(new Entry(name, value, start + 1));
    return index;
  }

  /** The index of the first unescaped {@code quote} in {@code s} from {@code from}, or -1. */
  private static int closingQuote(String s, int from, char quote) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && (quote == '"' || s.charAt(i + 1) == quote)) {
        i++; // escaped character: in double quotes any, in single quotes only the quote
      } else if (c == quote) {
        return i;
      }
    }
    return -1;
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

  private static String unquoted(String raw) {
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
