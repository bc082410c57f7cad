package dev.planeguard.internal;

import dev.planeguard.keys.KeyRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * An immutable set of key records, indexed by id and by hash. Ids and hashes are unique. Stores
 * publish a new index through one volatile write, so a lookup sees one whole set, never a set being
 * changed.
 */
public final class KeyIndex {

  /** The index without records. */
  public static final KeyIndex EMPTY = new KeyIndex(List.of(), Map.of(), Map.of());

  private final List<KeyRecord> records;
  private final Map<String, KeyRecord> byId;
  private final Map<String, KeyRecord> byHash;

  private KeyIndex(
      List<KeyRecord> records, Map<String, KeyRecord> byId, Map<String, KeyRecord> byHash) {
    this.records = records;
    this.byId = byId;
    this.byHash = byHash;
  }

  /**
   * Indexes {@code records}.
   *
   * @throws IllegalArgumentException naming the id if two records share an id or a hash
   */
  public static KeyIndex of(List<KeyRecord> records) {
    Map<String, KeyRecord> byId = new HashMap<>();
    Map<String, KeyRecord> byHash = new HashMap<>();
    for (KeyRecord r : records) {
      String conflict = conflict(byId, byHash, r);
      if (conflict != null) {
        throw new IllegalArgumentException(conflict);
      }
      byId.put(r.id(), r);
      byHash.put(r.hash(), r);
    }
    return new KeyIndex(List.copyOf(records), Map.copyOf(byId), Map.copyOf(byHash));
  }

  /** Why {@code r} cannot join these records, or {@code null}. Never mentions the hash. */
  static @Nullable String conflict(
      Map<String, KeyRecord> byId, Map<String, KeyRecord> byHash, KeyRecord r) {
    if (byId.containsKey(r.id())) {
      return "duplicate id " + r.id();
    }
    KeyRecord sameHash = byHash.get(r.hash());
    if (sameHash != null) {
      return "key " + r.id() + " has the same hash as key " + sameHash.id();
    }
    return null;
  }

  /** The record with this id, structured or legacy, or {@code null}. */
  public @Nullable KeyRecord byId(String id) {
    return byId.get(id);
  }

  /** The legacy record with this hash, or {@code null} (structured records are not returned). */
  public @Nullable KeyRecord legacyByHash(String hash) {
    KeyRecord r = byHash.get(hash);
    return r != null && r.legacy() ? r : null;
  }

  /** Every record, in order. */
  public List<KeyRecord> records() {
    return records;
  }

  /**
   * This index with {@code record} added at the end.
   *
   * @throws IllegalArgumentException if its id or hash exists
   */
  public KeyIndex plus(KeyRecord record) {
    List<KeyRecord> list = new ArrayList<>(records);
    list.add(record);
    return of(list);
  }

  /** This index with the record of the same id replaced by {@code record}. */
  public KeyIndex replace(KeyRecord record) {
    List<KeyRecord> list = new ArrayList<>(records);
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).id().equals(record.id())) {
        list.set(i, record);
        return of(list);
      }
    }
    throw new NoSuchElementException("no key with id " + record.id());
  }

  /**
   * The record with this id, revoked.
   *
   * @throws NoSuchElementException if there is none
   */
  public KeyRecord revoked(String id) {
    return require(id).revoked();
  }

  /**
   * The record with this id with {@code notAfter} moved to {@code retireAt} if that is earlier.
   *
   * @throws NoSuchElementException if there is none
   * @throws IllegalStateException if it is revoked
   */
  public KeyRecord retired(String id, Instant retireAt) {
    return retire(require(id), retireAt);
  }

  /**
   * {@code r} with {@code notAfter} moved to {@code retireAt} if that is earlier: the rotation rule
   * every writable store applies.
   *
   * @throws IllegalStateException if {@code r} is revoked
   */
  public static KeyRecord retire(KeyRecord r, Instant retireAt) {
    if (r.status() == KeyRecord.Status.REVOKED) {
      throw new IllegalStateException(
          "key "
              + r.id()
              + " is revoked; rotation keeps a key working for a grace period, so"
              + " create a new key instead");
    }
    Instant current = r.notAfter();
    return current != null && !current.isAfter(retireAt) ? r : r.withNotAfter(retireAt);
  }

  private KeyRecord require(String id) {
    KeyRecord r = byId.get(id);
    if (r == null) {
      throw new NoSuchElementException("no key with id " + Text.quote(id, 64));
    }
    return r;
  }

  /** Number of records. */
  public int size() {
    return records.size();
  }
}
