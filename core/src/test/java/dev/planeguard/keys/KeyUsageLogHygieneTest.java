package dev.planeguard.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Mode;
import dev.planeguard.internal.KeyUsageRecorder;
import dev.planeguard.internal.StoreKeyVerifier;
import dev.planeguard.testing.LeakCheck;
import dev.planeguard.testing.ManualClock;
import dev.planeguard.testing.OutputCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way recording key usage can fail — a usage file that cannot be written, a database without
 * the usage columns, a store whose exceptions quote the key and its hash — with all output, every
 * exception and the {@code toString()} of what the usage path hands out searched for keys and
 * hashes. None appears: only ids, which are public.
 */
class KeyUsageLogHygieneTest {

  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  @TempDir Path dir;

  @Test
  void noKeyOrHashReachesAnyOutputOfTheUsagePath() throws Exception {
    LeakCheck check = LeakCheck.create();
    List<Object> handedOut = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    OutputCapture output =
        OutputCapture.during(
            () -> {
              // A key file whose usage file cannot be written.
              KeyFile file = KeyFile.openOrCreate(dir.resolve("keys.jsonl"));
              ApiKey fileKey = create(file);
              Files.createDirectory(dir.resolve("keys.jsonl.usage.lock"));
              exercise(file, fileKey, check, handedOut);

              // A key file that records.
              KeyFile writable = KeyFile.openOrCreate(dir.resolve("other.jsonl"));
              ApiKey writableKey = create(writable);
              exercise(writable, writableKey, check, handedOut);
              texts.add(Files.readString(dir.resolve("other.jsonl.usage")));

              // A table without the usage columns.
              DataSource v1 = PostgresKeyTables.newDatabaseBeforeUsage();
              try (JdbcKeyStore table = JdbcKeyStore.builder(v1).build()) {
                exercise(table, create(table), check, handedOut);
              }

              // A store whose failures quote what it was given.
              QuotingStore quoting = new QuotingStore();
              ApiKey quoted = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
              quoting.keys.add(KeyRecord.of(quoted, "acme", Set.of(), null));
              quoting.quote = quoted.value() + " " + quoted.hash();
              exercise(quoting, quoted, check, handedOut);
            });

    assertThat(output.err())
        .contains("cannot write the key usage file")
        .contains("V2__planeguard_keys_usage.sql")
        .contains("java.lang.IllegalStateException at ");
    check.output(output).objects(handedOut.toArray());
    for (int i = 0; i < texts.size(); i++) {
      check.text("usage file " + i, texts.get(i));
    }
    check.assertClean();
    assertThat(output.err()).doesNotContain("sha256:");
  }

  private static ApiKey create(KeyStore.Writable store) {
    return KeyLifecycle.of(store, Clock.fixed(T0, ZoneOffset.UTC))
        .create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of("runs:write"), null)
        .key();
  }

  /** Verifies the key, flushes twice (failing or not), reads the usage back, closes. */
  private static void exercise(
      KeyStore.UsageRecording store, ApiKey key, LeakCheck check, List<Object> handedOut) {
    check.apiKey("key", key.value()).wholeValue("hash", key.hash());
    ManualClock time = new ManualClock(T0);
    KeyUsageRecorder recorder = new KeyUsageRecorder(store, time, time::nanoTime);
    KeyVerifier verifier = new StoreKeyVerifier(store, time, recorder);
    handedOut.add(verifier.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD));
    recorder.flush();
    time.advance(Duration.ofSeconds(61));
    handedOut.add(verifier.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD));
    recorder.close();
    handedOut.add(recorder);
    handedOut.add(verifier);
    if (store instanceof QuotingStore) {
      return; // its own exceptions quote the key on purpose; only what planeguard makes of them
      // counts
    }
    try {
      handedOut.add(store.usage());
    } catch (RuntimeException e) {
      check.throwable("usage of " + store, e);
    }
    try {
      store.recordUsage(Map.of(key.id(), new KeyUsage(null, T0, T0)));
    } catch (RuntimeException e) {
      check.throwable("recordUsage of " + store, e);
    }
  }

  /** A store that fails, quoting the key and its hash in its exception, as a careless one might. */
  static final class QuotingStore implements KeyStore.UsageRecording {
    final KeyStore.Writable keys = KeyStore.inMemory();
    volatile String quote = "";

    @Override
    public @Nullable KeyRecord findById(String id) {
      return keys.findById(id);
    }

    @Override
    public @Nullable KeyRecord findByHash(String hash) {
      return keys.findByHash(hash);
    }

    @Override
    public void recordUsage(Map<String, KeyUsage> uses) {
      throw new IllegalStateException("cannot record " + quote);
    }

    @Override
    public Map<String, KeyUsage> usage() {
      return Map.of();
    }
  }
}
