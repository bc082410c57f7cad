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
 */
public final class LedgerChain {

  /** One line of a ledger and where it is (file and line number, or table row). */
  public record Located(String location, String line) {}

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
        Long following = next == null ? null : seqOf(next.line());
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

  private static @Nullable Long seqOf(String line) {
    if (line.length() > LedgerFormat.MAX_LINE) {
      return null;
    }
    Map<String, @Nullable Object> entry = StrictJson.parseObject(line);
    return entry != null && entry.get("seq") instanceof Long s ? s : null;
  }

  private static Broken broken(
      Kind kind, String location, long seq, String explanation, long intact) {
    return new Broken(kind, location, seq, explanation, intact);
  }
}
