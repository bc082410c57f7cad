package dev.planeguard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the Java examples in a module's Javadoc compiling: each one is also a marked region of a
 * test source file, which the compiler checks, and this class checks that the two texts are the
 * same. Javadoc itself never compiles a {@code <pre>} block, so an example that drifts from the API
 * would otherwise go unnoticed until a user copies it.
 *
 * <h2>Rules</h2>
 *
 * <p>Every {@code <pre>} block of a Javadoc comment in the module's main sources carries a marker,
 * an HTML comment (invisible in the rendered page) alone on its line before the block, with only
 * blank lines between (the formatter puts one there):
 *
 * <ul>
 *   <li>{@code <!-- example: NAME -->}: the block is Java. A test source file of the module holds
 *       the same code between a line {@code // example: NAME} and a line {@code // end example},
 *       inside whatever declarations it needs to compile (parameters, local variables, fields or
 *       types of the enclosing class), which stay outside the region. Names are unique in a module,
 *       for example {@code Enforcer.builder}.
 *   <li>{@code <!-- not java -->}: the block is something else (JSON, a policy file, a key format);
 *       it is not checked.
 * </ul>
 *
 * <p>A block without a marker, a marker that is not directly before a block, an example without a
 * region, a region no example uses and a name used twice are all reported, each with its file and
 * line, in one failure listing every problem.
 *
 * <h2>Comparison</h2>
 *
 * <p>An example's text is what Javadoc renders. For a block written <code>&lt;pre&gt;{&#64;code
 * ...}&lt;/pre&gt;</code> it is the text of the <code>{&#64;code ...}</code> tag as written, up to
 * the brace that closes it (braces nest, as they do for Javadoc), with the leading {@code *} of
 * every line removed. Annotations are written as they are in code ({@code @Bean}): inside the tag
 * an {@code @} at the start of a line is shown as text, and <code>&amp;#64;</code> or <code>
 * {&#64;literal &#64;}</code> would be shown as written, so an example using either is reported. In
 * a plain {@code <pre>} block (HTML) the text is read as rendered: <code>&amp;#64;</code>, <code>
 * {&#64;literal &#64;}</code>, <code>{&#64;code x}</code>, <code>&amp;lt;</code>, <code>
 * &amp;gt;</code>, <code>&amp;amp;</code>, <code>&amp;quot;</code> and numeric character references
 * become the characters they show.
 *
 * <p>Both texts are then compared with whitespace ignored, except that whitespace between two
 * letters or digits counts as one space and that string literals (closed on their line) are
 * compared exactly. The formatter may re-indent and re-wrap the region, and the Javadoc may keep
 * its own layout; the tokens, comments included, must be the same.
 */
public final class JavadocExampleCheck {

  private static final Pattern MARKER =
      Pattern.compile("<!--\\s*(?:example:\\s*(\\S+)|(not java))\\s*-->");
  private static final Pattern PRE = Pattern.compile("<pre(?:\\s[^>]*)?>");
  private static final Pattern REGION_START = Pattern.compile("//\\s*example:\\s*(\\S+)");
  private static final String REGION_END = "// end example";
  private static final Pattern INLINE_TAG = Pattern.compile("\\{@(?:literal|code)\\s([^{}]*)}");
  private static final Pattern NUMERIC_REFERENCE = Pattern.compile("&#(x?)([0-9a-fA-F]+);");

  private JavadocExampleCheck() {}

  /**
   * Checks the Javadoc of every {@code .java} file under {@code sources} against the regions of
   * {@code exampleFiles}.
   *
   * @param sources the module's main source directory, relative to the module directory (where
   *     Maven runs its tests), e.g. {@code src/main/java}
   * @param exampleFiles the test source files holding the regions
   * @throws AssertionError listing every problem
   */
  public static void check(Path sources, Path... exampleFiles) {
    List<String> problems = problems(sources, List.of(exampleFiles));
    if (!problems.isEmpty()) {
      throw new AssertionError(
          problems.size()
              + " problem(s) with the Javadoc examples of "
              + sources
              + " (rules: "
              + JavadocExampleCheck.class.getName()
              + "):\n\n"
              + String.join("\n\n", problems));
    }
  }

  /** Every problem {@link #check} would report, in file order; empty if there is none. */
  public static List<String> problems(Path sources, List<Path> exampleFiles) {
    List<String> problems = new ArrayList<>();
    List<Block> blocks = new ArrayList<>();
    if (!Files.isDirectory(sources)) {
      problems.add(sources + ": no such directory (tests run in the module directory)");
    } else {
      for (Path file : javaFiles(sources)) {
        blocks.addAll(blocks(file, read(file), problems));
      }
    }
    List<Region> regions = new ArrayList<>();
    for (Path file : exampleFiles) {
      if (Files.isRegularFile(file)) {
        regions.addAll(regions(file, read(file), problems));
      } else {
        problems.add(file + ": no such examples file (tests run in the module directory)");
      }
    }

    Map<String, Block> examples = new LinkedHashMap<>();
    for (Block block : blocks) {
      if (block.name() == null) {
        continue;
      }
      Block first = examples.putIfAbsent(block.name(), block);
      if (first != null) {
        problems.add(
            block.where()
                + ": example name \""
                + block.name()
                + "\" is already used at "
                + first.where()
                + "; give each example its own name");
      }
    }
    Map<String, Region> byName = new LinkedHashMap<>();
    for (Region region : regions) {
      Region first = byName.putIfAbsent(region.name(), region);
      if (first != null) {
        problems.add(
            region.where()
                + ": region \""
                + region.name()
                + "\" is already defined at "
                + first.where()
                + "; give each region its own name");
      }
    }

    for (Block example : examples.values()) {
      Region region = byName.get(example.name());
      if (region == null) {
        problems.add(
            example.where()
                + ": example \""
                + example.name()
                + "\" has no region in "
                + exampleFiles
                + "; add the code there between \"// example: "
                + example.name()
                + "\" and \""
                + REGION_END
                + "\", where it compiles\n  Javadoc:\n"
                + indent(example.text()));
      } else if (!normalize(example.text()).equals(normalize(region.text()))) {
        problems.add(
            example.where()
                + ": example \""
                + example.name()
                + "\" differs from its region at "
                + region.where()
                + "; make them the same (the region is what the compiler checks)\n  Javadoc:\n"
                + indent(example.text())
                + "\n  region:\n"
                + indent(region.text())
                + "\n  first difference, whitespace ignored:\n"
                + firstDifference(normalize(example.text()), normalize(region.text())));
      }
    }
    for (Region region : byName.values()) {
      if (!examples.containsKey(region.name())) {
        problems.add(
            region.where()
                + ": region \""
                + region.name()
                + "\" is used by no Javadoc example under "
                + sources
                + "; mark the example with <!-- example: "
                + region.name()
                + " --> before its <pre>, or delete the region\n  region:\n"
                + indent(region.text()));
      }
    }
    return problems;
  }

  /**
   * {@code code} with whitespace removed, except one space between two letters or digits, and with
   * string literals that close on their line kept exactly.
   */
  public static String normalize(String code) {
    StringBuilder out = new StringBuilder();
    boolean space = false;
    for (int i = 0; i < code.length(); i++) {
      char c = code.charAt(i);
      if (Character.isWhitespace(c)) {
        space = true;
        continue;
      }
      if (space && out.length() > 0 && isWord(out.charAt(out.length() - 1)) && isWord(c)) {
        out.append(' ');
      }
      space = false;
      int close = c == '"' ? closingQuote(code, i) : -1;
      if (close > 0) {
        out.append(code, i, close + 1);
        i = close;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  // ------------------------------------------------------------------ Javadoc

  /** A {@code <pre>} block of a Javadoc comment. */
  private record Block(Path file, int line, @Nullable String name, String text) {
    String where() {
      return file + ":" + line;
    }
  }

  private static List<Block> blocks(Path file, String source, List<String> problems) {
    List<Block> blocks = new ArrayList<>();
    for (Comment comment : javadocComments(source)) {
      blocks.addAll(blocks(file, comment, problems));
    }
    return blocks;
  }

  /** The text of one Javadoc comment, without {@code /**}, {@code *}{@code /} and line stars. */
  private record Comment(int firstLine, List<String> lines) {}

  private static List<Block> blocks(Path file, Comment comment, List<String> problems) {
    List<String> lines = comment.lines();
    String doc = String.join("\n", lines);
    int[] lineStarts = new int[lines.size()];
    for (int i = 1; i < lines.size(); i++) {
      lineStarts[i] = lineStarts[i - 1] + lines.get(i - 1).length() + 1;
    }

    // Markers: alone on their line, before a line that starts with <pre>, with only blank lines
    // between (the formatter puts one there). Keyed by the index of that <pre> line.
    Map<Integer, Matcher> markers = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      Matcher marker = MARKER.matcher(line);
      if (marker.matches()) {
        int next = i + 1;
        while (next < lines.size() && lines.get(next).isBlank()) {
          next++;
        }
        boolean beforePre = next < lines.size() && lines.get(next).strip().startsWith("<pre");
        if (beforePre) {
          markers.put(next, marker);
        } else {
          problems.add(
              file
                  + ":"
                  + (comment.firstLine() + i)
                  + ": marker "
                  + line
                  + " is not directly before a <pre> block (only blank lines may be between)");
        }
      } else if (line.contains("<!--") && line.contains("example")) {
        problems.add(
            file
                + ":"
                + (comment.firstLine() + i)
                + ": "
                + line
                + " is not a marker; write <!-- example: NAME --> alone on its line");
      }
    }

    List<Block> blocks = new ArrayList<>();
    Matcher pre = PRE.matcher(doc);
    int from = 0;
    while (from < doc.length() && pre.find(from)) {
      int lineIndex = lineOf(lineStarts, pre.start());
      int line = comment.firstLine() + lineIndex;
      String where = file + ":" + line;
      boolean startsLine = lines.get(lineIndex).strip().startsWith("<pre");
      Matcher marker = startsLine ? markers.get(lineIndex) : null;

      String text;
      boolean code = doc.startsWith("{@code", pre.end());
      if (code) {
        int start = pre.end() + "{@code".length();
        int end = closingBrace(doc, start);
        if (end < 0) {
          problems.add(where + ": {@code in <pre> is not closed by a matching }");
          break;
        }
        text = doc.substring(start, end);
        int after = skipWhitespace(doc, end + 1);
        if (!doc.startsWith("</pre>", after)) {
          problems.add(where + ": <pre>{@code ...} is not followed by </pre>");
          from = after;
        } else {
          from = after + "</pre>".length();
        }
      } else {
        int end = doc.indexOf("</pre>", pre.end());
        if (end < 0) {
          problems.add(where + ": <pre> is not closed by </pre>");
          break;
        }
        text = rendered(doc.substring(pre.end(), end));
        from = end + "</pre>".length();
      }
      text = dedent(text);

      if (marker == null) {
        problems.add(
            where
                + ": <pre> block without a marker; directly before it write"
                + " <!-- example: NAME --> if it is Java (and add the region NAME to the module's"
                + " examples), or <!-- not java -->\n  block:\n"
                + indent(text));
      } else if (marker.group(1) != null) {
        String name = marker.group(1);
        if (code && (text.contains("&#64;") || text.contains("{@literal"))) {
          problems.add(
              where
                  + ": example \""
                  + name
                  + "\" uses &#64; or {@literal @} inside {@code ...}, where Javadoc shows them as"
                  + " written; write @ itself");
        }
        blocks.add(new Block(file, line, name, text));
      } else {
        blocks.add(new Block(file, line, null, text));
      }
    }
    return blocks;
  }

  /** Finds the Javadoc comments of a Java source, skipping strings, characters and comments. */
  private static List<Comment> javadocComments(String source) {
    List<Comment> comments = new ArrayList<>();
    int line = 1;
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (c == '\n') {
        line++;
        i++;
      } else if (source.startsWith("//", i)) {
        int end = source.indexOf('\n', i);
        i = end < 0 ? n : end;
      } else if (source.startsWith("/*", i)) {
        int end = source.indexOf("*/", i + 2);
        end = end < 0 ? n : end;
        String body = source.substring(i + 2, end);
        if (body.startsWith("*") && !body.startsWith("*/") && !body.equals("*")) {
          comments.add(new Comment(line, javadocLines(body.substring(1))));
        }
        line += count(body, '\n');
        i = Math.min(n, end + 2);
      } else if (source.startsWith("\"\"\"", i)) {
        int end = source.indexOf("\"\"\"", i + 3);
        end = end < 0 ? n : end + 3;
        line += count(source.substring(i, end), '\n');
        i = end;
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < n && source.charAt(j) != c && source.charAt(j) != '\n') {
          j += source.charAt(j) == '\\' ? 2 : 1;
        }
        i = Math.min(n, j + 1);
      } else {
        i++;
      }
    }
    return comments;
  }

  /** The lines of a Javadoc body: leading whitespace, stars and one space removed from each. */
  private static List<String> javadocLines(String body) {
    List<String> lines = new ArrayList<>();
    boolean first = true;
    for (String raw : body.split("\n", -1)) {
      String line = first ? raw : raw.stripLeading();
      if (!first) {
        int stars = 0;
        while (stars < line.length() && line.charAt(stars) == '*') {
          stars++;
        }
        line = line.substring(stars);
        if (stars > 0 && line.startsWith(" ")) {
          line = line.substring(1);
        }
      }
      lines.add(line.stripTrailing());
      first = false;
    }
    return lines;
  }

  /** The text of a plain {@code <pre>} block as Javadoc renders it. */
  private static String rendered(String html) {
    String text = INLINE_TAG.matcher(html).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
    Matcher reference = NUMERIC_REFERENCE.matcher(text);
    text =
        reference.replaceAll(
            m ->
                Matcher.quoteReplacement(
                    Character.toString(
                        Integer.parseInt(m.group(2), m.group(1).isEmpty() ? 10 : 16))));
    return text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
  }

  // ------------------------------------------------------------------ regions

  /** A marked region of an examples file. */
  private record Region(Path file, int line, String name, String text) {
    String where() {
      return file + ":" + line;
    }
  }

  private static List<Region> regions(Path file, String source, List<String> problems) {
    List<Region> regions = new ArrayList<>();
    List<String> lines = source.lines().collect(Collectors.toList());
    @Nullable String name = null;
    int start = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      Matcher begin = REGION_START.matcher(line);
      if (begin.matches()) {
        if (name != null) {
          problems.add(
              file + ":" + (i + 1) + ": region \"" + name + "\" is not ended before this one");
        }
        name = begin.group(1);
        start = i;
      } else if (line.equals(REGION_END)) {
        if (name == null) {
          problems.add(file + ":" + (i + 1) + ": \"" + REGION_END + "\" without a region");
        } else {
          String text = dedent(String.join("\n", lines.subList(start + 1, i)));
          regions.add(new Region(file, start + 1, name, text));
          name = null;
        }
      }
    }
    if (name != null) {
      problems.add(
          file + ":" + (start + 1) + ": region \"" + name + "\" has no \"" + REGION_END + "\"");
    }
    return regions;
  }

  // ------------------------------------------------------------------ text

  private static String dedent(String text) {
    List<String> lines = new ArrayList<>(text.lines().map(String::stripTrailing).toList());
    while (!lines.isEmpty() && lines.get(0).isEmpty()) {
      lines.remove(0);
    }
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    int margin =
        lines.stream()
            .filter(l -> !l.isEmpty())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    return lines.stream()
        .map(l -> l.isEmpty() ? l : l.substring(margin))
        .collect(Collectors.joining("\n"));
  }

  private static String indent(String text) {
    return text.lines()
        .map(l -> l.isEmpty() ? "    |" : "    | " + l)
        .collect(Collectors.joining("\n"));
  }

  private static String firstDifference(String javadoc, String region) {
    int i = 0;
    while (i < javadoc.length() && i < region.length() && javadoc.charAt(i) == region.charAt(i)) {
      i++;
    }
    int from = Math.max(0, i - 30);
    return "    Javadoc: ..."
        + javadoc.substring(from, Math.min(javadoc.length(), i + 30))
        + "...\n    region:  ..."
        + region.substring(from, Math.min(region.length(), i + 30))
        + "...";
  }

  private static boolean isWord(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }

  /** The index of the quote closing the string literal opened at {@code open}, or -1. */
  private static int closingQuote(String code, int open) {
    for (int j = open + 1; j < code.length(); j++) {
      char c = code.charAt(j);
      if (c == '\\') {
        j++;
      } else if (c == '"') {
        return j;
      } else if (c == '\n') {
        return -1;
      }
    }
    return -1;
  }

  /** The index of the brace closing a brace already open before {@code from}, or -1. */
  private static int closingBrace(String text, int from) {
    int depth = 1;
    for (int j = from; j < text.length(); j++) {
      char c = text.charAt(j);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return j;
      }
    }
    return -1;
  }

  private static int skipWhitespace(String text, int from) {
    int j = from;
    while (j < text.length() && Character.isWhitespace(text.charAt(j))) {
      j++;
    }
    return j;
  }

  private static int lineOf(int[] lineStarts, int offset) {
    int index = 0;
    while (index + 1 < lineStarts.length && lineStarts[index + 1] <= offset) {
      index++;
    }
    return index;
  }

  private static int count(String text, char c) {
    int count = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == c) {
        count++;
      }
    }
    return count;
  }

  private static List<Path> javaFiles(Path sources) {
    try (Stream<Path> files = Files.walk(sources)) {
      return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
