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

  void problemLines(String heading, List<Problem> problems, PrintStream stream) {
    stream.println(heading);
    for (Problem p : problems) {
      stream.println("  - " + p.subject() + ": " + p.message());
      stream.println("    fix: " + p.fix());
    }
  }
}
