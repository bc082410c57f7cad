package dev.planeguard.internal;

import static java.util.Objects.requireNonNull;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Problem;
import dev.planeguard.keys.KeyRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The content of a key file: its lines as written (comments and blank lines kept, so that a rewrite
 * by {@code planeguard keys} changes only the lines it means to), the records they hold, and a
 * digest of the bytes, by which a reload recognises an unchanged file. Immutable.
 */
public final class KeyFileContent {

  /** A file without lines. */
  public static final KeyFileContent EMPTY =
      new KeyFileContent(List.of(), Map.of(), KeyIndex.EMPTY, sha256(new byte[0]));

  private static final String FIX = "correct or remove the line (the format is in docs/keys.md)";

  private final List<String> lines;
  private final Map<String, Integer> lineOfId;
  private final KeyIndex index;
  private final byte[] digest;

  private KeyFileContent(
      List<String> lines, Map<String, Integer> lineOfId, KeyIndex index, byte[] digest) {
    this.lines = lines;
    this.lineOfId = lineOfId;
    this.index = index;
    this.digest = digest;
  }

  /**
   * Parses a key file: UTF-8 (a byte-order mark is ignored), one JSON record a line; blank lines
   * and lines starting with {@code #} are skipped; {@code \r\n} line ends are accepted.
   *
   * @param source how problems name the file, e.g. its path
   * @throws ConfigurationException listing every bad line by number (never its content)
   */
  public static KeyFileContent parse(byte[] bytes, String source) {
    String text = Text.utf8(bytes);
    if (text == null) {
      throw new ConfigurationException(
          "Invalid key file " + source,
          List.of(new Problem(source, "is not UTF-8 text", "write the file as UTF-8 JSON Lines")));
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    List<Problem> problems = new ArrayList<>();
    List<KeyRecord> records = new ArrayList<>();
    Map<String, Integer> lineOfId = new HashMap<>();
    Map<String, Integer> lineOfHash = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
        lines.set(i, line);
      }
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String where = source + ":" + (i + 1);
      KeyRecord record;
      try {
        record = KeyRecord.parseJsonLine(trimmed);
      } catch (IllegalArgumentException e) {
        problems.add(new Problem(where, String.valueOf(e.getMessage()), FIX));
        continue;
      }
      Integer sameId = lineOfId.get(record.id());
      if (sameId != null) {
        problems.add(
            new Problem(
                where,
                "duplicate id " + record.id() + " (also on line " + (sameId + 1) + ")",
                "every key appears once; remove one of the lines"));
        continue;
      }
      Integer sameHash = lineOfHash.get(record.hash());
      if (sameHash != null) {
        problems.add(
            new Problem(
                where,
                "the same hash as the key on line " + (sameHash + 1),
                "every key appears once; remove one of the lines"));
        continue;
      }
      lineOfId.put(record.id(), i);
      lineOfHash.put(record.hash(), i);
      records.add(record);
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException("Invalid key file " + source, problems);
    }
    return new KeyFileContent(
        List.copyOf(lines), Map.copyOf(lineOfId), KeyIndex.of(records), sha256(bytes));
  }

  /** The records, indexed. */
  public KeyIndex index() {
    return index;
  }

  /** Whether {@code bytes} are exactly the bytes this content was read from or written as. */
  public boolean sameAs(byte[] bytes) {
    return MessageDigest.isEqual(digest, sha256(bytes));
  }

  /**
   * This content with {@code record} appended as a new last line.
   *
   * @throws IllegalArgumentException if its id or hash exists
   */
  public KeyFileContent append(KeyRecord record) {
    KeyIndex newIndex = index.plus(record);
    List<String> newLines = new ArrayList<>(lines);
    newLines.add(record.toJsonLine());
    Map<String, Integer> newLineOfId = new HashMap<>(lineOfId);
    newLineOfId.put(record.id(), newLines.size() - 1);
    return withDigest(newLines, newLineOfId, newIndex);
  }

  /**
   * This content with the line of the record with {@code record}'s id rewritten; every other line
   * stays as it was.
   *
   * @throws java.util.NoSuchElementException if no record has that id
   */
  public KeyFileContent replace(KeyRecord record) {
    KeyIndex newIndex = index.replace(record);
    List<String> newLines = new ArrayList<>(lines);
    newLines.set(requireNonNull(lineOfId.get(record.id())), record.toJsonLine());
    return withDigest(newLines, lineOfId, newIndex);
  }

  private static KeyFileContent withDigest(
      List<String> lines, Map<String, Integer> lineOfId, KeyIndex index) {
    KeyFileContent c =
        new KeyFileContent(List.copyOf(lines), Map.copyOf(lineOfId), index, new byte[0]);
    return new KeyFileContent(c.lines, c.lineOfId, index, sha256(c.bytes()));
  }

  /** The file's bytes: UTF-8, every line ended by {@code \n}. */
  public byte[] bytes() {
    StringBuilder sb = new StringBuilder();
    for (String line : lines) {
      sb.append(line).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
