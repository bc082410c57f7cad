package dev.planeguard.cli;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.Problem;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where a command writes: text for people, or one JSON object with {@code --json}. */
final class Output {

  final PrintStream out;
  final PrintStream err;
  final boolean json;

  Output(PrintStream out, PrintStream err, boolean json) {
    this.out = out;
    this.err = err;
    this.json = json;
  }

  /** Prints {@code object} as one line of JSON on standard output. */
  void json(Map<String, ?> object) {
    out.println(JSONObjectUtils.toJSONString(object));
  }

  static List<Map<String, Object>> problems(List<Problem> problems) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (Problem p : problems) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("subject", p.subject());
      m.put("message", p.message());
      m.put("fix", p.fix());
      list.add(m);
    }
    return list;
  }

  /**
   * Rows as text columns: each column as wide as its widest cell, two spaces between columns, one
   * line a row (the first row is the heading). Cells are printed as given: only values the program
   * validated belong in them.
   */
  static String table(List<String[]> rows) {
    int columns = rows.isEmpty() ? 0 : rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        sb.append(row[i]);
        if (i < row.length - 1) {
          sb.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  void problemLines(String heading, List<Problem> problems, PrintStream stream) {
    stream.println(heading);
    for (Problem p : problems) {
      stream.println("  - " + p.subject() + ": " + p.message());
      stream.println("    fix: " + p.fix());
    }
  }
}
