package dev.planeguard.internal;

import dev.planeguard.LedgerVerification;
import dev.planeguard.LedgerVerification.Broken;
import dev.planeguard.LedgerVerification.Kind;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Checks a ledger's chain, entry by entry, with one entry of look-ahead (enough to tell two swapped
 * entries from a removed one). Names the first entry that does not fit and what was done, as far as
 * a hash chain can tell: an edit of the newest entry is invisible until a later entry links it,
 * which is why {@link LedgerVerification.Intact#headHash()} is worth keeping elsewhere.
 *
 * <p>Rows of a table come ordered by their seq column, and each must hold the entry with that
 * sequence number. A row holding another entry is named by what its column and the entries before
 * it tell: an entry number seen already (a copy, or a row pushed in between by renumbering the
 * rest) is {@link Kind#INSERTED}; a later entry where this row's belongs is {@link Kind#REORDERED}
 * (rows' entries swapped or moved), or {@link Kind#EDITED} when it still links to the entry before
 * this row (only its number was changed); the right entry under another number is an edited seq
 * column; a gap in the column is {@link Kind#REMOVED} or, at the start, {@link
 * Kind#TRUNCATED_START}.
 */
public final class LedgerChain {

  /**
   * One line of a ledger and where it is (file and line number, or table row).
   *
   * @param row the row's seq column for a line read from a table, {@code null} for a file
   */
  public record Located(String location, String line, @Nullable Long row) {

    /** A line of a file. */
    public Located(String location, String line) {
      this(location, line, null);
    }
  }

  private LedgerChain() {}

  /** Verifies {@code lines}, oldest first. */
  public static LedgerVerification verify(Iterator<Located> lines, long cutShortBytes) {
    long expected = 0;
    String prevHash = LedgerFormat.GENESIS;
    String prevLocation = "";
    Located next = lines.hasNext() ? lines.next() : null;
    while (next != null) {
      Located current = next;
      next = lines.hasNext() ? lines.next() : null;
      Map<String, @Nullable Object> entry =
          current.line().length() > LedgerFormat.MAX_LINE
              ? null
              : StrictJson.parseObject(current.line());
      Long seq = entry != null && entry.get("seq") instanceof Long s ? s : null;
      String prev = entry != null && entry.get("prev") instanceof String p ? p : null;
      if (entry == null || seq == null || prev == null || entry.get("type") == null) {
        return broken(
            Kind.EDITED,
            current.location(),
            expected,
            "this line is not a ledger entry (changed, or written by something else)",
            expected);
      }
      Long row = current.row();
      if (row != null && row.longValue() != seq) {
        return misplaced(current.location(), row, seq, prev, expected, prevHash);
      }
      if (expected == 0) {
        if (seq != 0) {
          return broken(
              Kind.TRUNCATED_START,
              current.location(),
              seq,
              "the ledger starts at entry " + seq + ": entries 0 to " + (seq - 1) + " are missing",
              0);
        }
        if (!prev.equals(LedgerFormat.GENESIS)) {
          return broken(
              Kind.EDITED,
              current.location(),
              0,
              "entry 0 names a predecessor, so it was changed or is not the start of the chain",
              0);
        }
      } else if (seq == expected) {
        if (!prev.equals(prevHash)) {
          return broken(
              Kind.EDITED,
              prevLocation,
              expected - 1,
              "entry "
                  + (expected - 1)
                  + " was changed: entry "
                  + expected
                  + " names a different hash for it",
              expected - 1);
        }
      } else if (seq > expected) {
        Long following = next == null ? null : LedgerFormat.seqOf(next.line());
        if (following != null && following == expected) {
          return broken(
              Kind.REORDERED,
              current.location(),
              seq,
              "entry " + seq + " comes before entry " + expected,
              expected);
        }
        return broken(
            Kind.REMOVED,
            current.location(),
            expected,
            seq - expected == 1
                ? "entry " + expected + " is missing before this one (entry " + seq + ")"
                : "entries "
                    + expected
                    + " to "
                    + (seq - 1)
                    + " are missing before this one (entry "
                    + seq
                    + ")",
            expected);
      } else if (seq == expected - 1) {
        return broken(
            Kind.INSERTED,
            current.location(),
            seq,
            "entry " + seq + " appears twice (" + prevLocation + " and here): one was inserted",
            expected - 1);
      } else {
        return broken(
            Kind.REORDERED,
            current.location(),
            seq,
            "entry " + seq + " comes after entry " + (expected - 1),
            expected);
      }
      prevHash = LedgerFormat.hash(current.line());
      prevLocation = current.location();
      expected++;
    }
    return new LedgerVerification.Intact(expected, expected - 1, prevHash, cutShortBytes);
  }

  /**
   * A table row whose seq column {@code row} is not its entry's {@code seq}, reached after entries
   * 0 to {@code expected - 1} each verified in the row of their own number.
   */
  private static Broken misplaced(
      String location, long row, long seq, String prev, long expected, String prevHash) {
    if (seq < expected) {
      return broken(
          Kind.INSERTED,
          location,
          seq,
          "this row holds entry "
              + seq
              + ", which the row with seq "
              + seq
              + " holds already: one of them was inserted",
          seq == expected - 1 ? expected - 1 : expected);
    }
    if (seq == expected) {
      return broken(
          Kind.EDITED,
          location,
          seq,
          "this row holds entry " + seq + " but its seq column says " + row + ": it was changed",
          expected);
    }
    if (row == expected) {
      if (prev.equals(prevHash)) {
        return broken(
            Kind.EDITED,
            location,
            expected,
            "entry "
                + expected
                + " was changed: it links to "
                + (expected == 0 ? "no entry before it" : "entry " + (expected - 1))
                + " but says it is entry "
                + seq,
            expected);
      }
      return broken(
          Kind.REORDERED,
          location,
          seq,
          "the row with seq "
              + expected
              + " holds entry "
              + seq
              + ": entries were moved between rows",
          expected);
    }
    if (expected == 0) {
      return broken(
          Kind.TRUNCATED_START,
          location,
          row,
          "the ledger starts at row "
              + row
              + ": entries 0 to "
              + (row - 1)
              + " are missing, and this row holds entry "
              + seq,
          0);
    }
    return broken(
        Kind.REMOVED,
        location,
        expected,
        row - expected == 1
            ? "entry " + expected + " is missing before this row (seq " + row + ")"
            : "entries "
                + expected
                + " to "
                + (row - 1)
                + " are missing before this row (seq "
                + row
                + ")",
        expected);
  }

  private static Broken broken(
      Kind kind, String location, long seq, String explanation, long intact) {
    return new Broken(kind, location, seq, explanation, intact);
  }
}
