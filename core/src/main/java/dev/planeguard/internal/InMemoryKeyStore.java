package dev.planeguard.internal;

import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** {@link KeyStore#inMemory()}: an immutable {@link KeyIndex} swapped on every write. */
public final class InMemoryKeyStore implements KeyStore.Writable {

  private volatile KeyIndex index = KeyIndex.EMPTY;

  @Override
  public @Nullable KeyRecord findById(String id) {
    return index.byId(id);
  }

  @Override
  public @Nullable KeyRecord findByHash(String hash) {
    return index.legacyByHash(hash);
  }

  @Override
  public List<KeyRecord> records() {
    return index.records();
  }

  @Override
  public synchronized void add(KeyRecord record) {
    index = index.plus(record);
  }

  @Override
  public synchronized KeyRecord revoke(String id) {
    KeyRecord revoked = index.revoked(id);
    index = index.replace(revoked);
    return revoked;
  }

  @Override
  public synchronized KeyRecord rotate(String id, Instant retireAt, KeyRecord successor) {
    KeyRecord retired = index.retired(id, retireAt);
    index = index.replace(retired).plus(successor);
    return retired;
  }

  @Override
  public String toString() {
    return "KeyStore.inMemory{" + index.size() + " keys}";
  }
}
