package dev.planeguard;

import static java.util.Objects.requireNonNull;

/**
 * What {@link AuditLedger#verify} found: the chain is intact, or the first entry where it breaks
 * and why.
 */
public sealed interface LedgerVerification
    permits LedgerVerification.Intact, LedgerVerification.Broken {

  /** Whether every entry links to the one before it, from the first (sequence number 0) on. */
  boolean intact();

  /**
   * Every entry is linked to the one before it and the chain starts at sequence number 0.
   *
   * @param entries how many entries were checked
   * @param lastSeq the sequence number of the newest entry (-1 for an empty ledger)
   * @param headHash the SHA-256 of the newest entry: note it somewhere the ledger's writers cannot
   *     reach, and a later rewrite of the newest entries is found too
   * @param cutShortBytes bytes after the last whole entry (a process stopped while writing): not an
   *     entry, not a break; the writer removes them when it starts again
   */
  record Intact(long entries, long lastSeq, String headHash, long cutShortBytes)
      implements LedgerVerification {
    public Intact {
      requireNonNull(headHash, "headHash");
    }

    @Override
    public boolean intact() {
      return true;
    }
  }

  /**
   * The chain breaks at {@code location}.
   *
   * @param kind what was done to the ledger, as far as the chain can tell
   * @param location the file and line (or table row) of the first entry that does not fit
   * @param seq the sequence number concerned (the missing one for {@link Kind#REMOVED})
   * @param explanation one sentence, for people
   * @param intactEntries how many entries before it verified
   */
  record Broken(Kind kind, String location, long seq, String explanation, long intactEntries)
      implements LedgerVerification {
    public Broken {
      requireNonNull(kind, "kind");
      requireNonNull(location, "location");
      requireNonNull(explanation, "explanation");
    }

    @Override
    public boolean intact() {
      return false;
    }
  }

  /** How a chain was broken. */
  enum Kind {
    /** An entry's bytes changed: the next entry no longer names its hash, or it is no entry. */
    EDITED,
    /** Entries are missing: the sequence numbers jump. */
    REMOVED,
    /** Entries are out of order. */
    REORDERED,
    /** An entry that the chain does not link: a sequence number appears twice or goes back. */
    INSERTED,
    /** The oldest entries are missing: the first entry is not sequence number 0. */
    TRUNCATED_START
  }
}
