package dev.planeguard.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Mode;
import dev.planeguard.Verification;
import dev.planeguard.internal.KeyUsageRecorder;
import dev.planeguard.internal.StoreKeyVerifier;
import dev.planeguard.testing.ManualClock;
import dev.planeguard.testing.OutputCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Key usage as the verifier notes it and the recorder writes it, against a store that records what
 * it is asked to write and on which thread. The verifier is the real one; only its store is a
 * stand-in. Time is a {@link ManualClock}: nothing sleeps, nothing is timed.
 */
class KeyUsageRecordingTest {

  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  final ManualClock time = new ManualClock(T0);
  final RecordingStore store = new RecordingStore();
  KeyUsageRecorder recorder;
  KeyVerifier verifier;
  ApiKey key;

  @BeforeEach
  void keys() {
    recorder = new KeyUsageRecorder(store, time, time::nanoTime);
    verifier = new StoreKeyVerifier(store, time, recorder);
    key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    store.keys.add(KeyRecord.of(key, "acme", Set.of("runs:write"), null));
  }

  Verification verify(String value) {
    return verifier.verify(value, ApiKey.Kind.MACHINE, Mode.PROD);
  }

  static Map<String, KeyUsage> use(String id, Instant first, Instant last) {
    return Map.of(id, new KeyUsage(null, first, last));
  }

  @Test
  void theRequestThreadNeverWritesToTheStore() throws Exception {
    List<Verification> answers = new CopyOnWriteArrayList<>();
    Thread request =
        new Thread(
            () -> {
              for (int i = 0; i < 1000; i++) {
                answers.add(verify(key.value()));
                time.advance(Duration.ofSeconds(1));
              }
            },
            "request");
    request.start();
    request.join();

    assertThat(answers).hasSize(1000).allMatch(a -> a instanceof Verification.Verified);
    assertThat(store.writes).as("no write while requests are served").isEmpty();
    assertThat(recorder.flush()).isTrue();
    assertThat(store.writes).hasSize(1);
    assertThat(store.threads).doesNotContain("request");
  }

  @Test
  void onlyAcceptedKeysAreNotedAndNotingChangesNoDecision() {
    ApiKey revoked = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    store.keys.add(KeyRecord.of(revoked, "acme", Set.of(), null).revoked());
    ApiKey unknown = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    ApiKey sandbox = ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.PROD);
    KeyVerifier plain = KeyVerifier.of(store, time);
    for (String value :
        List.of(key.value(), revoked.value(), unknown.value(), sandbox.value(), "garbage")) {
      assertThat(verify(value)).isEqualTo(plain.verify(value, ApiKey.Kind.MACHINE, Mode.PROD));
    }
    recorder.flush();
    assertThat(store.writes).containsExactly(use(key.id(), T0, T0));
  }

  @Test
  void aKeyIsNotedAtMostOnceAMinute() {
    verify(key.value());
    time.advance(Duration.ofSeconds(30));
    verify(key.value());
    time.advance(Duration.ofSeconds(29));
    verify(key.value());
    recorder.flush();
    assertThat(store.writes).containsExactly(use(key.id(), T0, T0));

    time.advance(Duration.ofSeconds(2)); // 61 s after the first use
    verify(key.value());
    time.advance(Duration.ofSeconds(60)); // a minute after the last write
    recorder.flush();
    assertThat(store.writes.get(1))
        .isEqualTo(use(key.id(), T0.plusSeconds(61), T0.plusSeconds(61)));
  }

  @Test
  void aKeyIsWrittenAtMostOnceAMinute() {
    verify(key.value());
    time.advance(Duration.ofSeconds(59));
    recorder.flush(); // written at 59 s
    time.advance(Duration.ofSeconds(1));
    verify(key.value()); // noted at 60 s: a minute after the last note
    assertThat(recorder.flush()).as("written 1 s ago: not yet").isTrue();
    time.advance(Duration.ofSeconds(58));
    recorder.flush();
    assertThat(store.writes).hasSize(1);

    time.advance(Duration.ofSeconds(1)); // a minute after the first write
    recorder.flush();
    assertThat(store.writes)
        .containsExactly(
            use(key.id(), T0, T0), use(key.id(), T0.plusSeconds(60), T0.plusSeconds(60)));
  }

  @Test
  void aFailedWriteIsLoggedOnceKeptAndRetriedAndNeverChangesADecision() throws Exception {
    store.failing = true;
    List<Verification> answers = new ArrayList<>();
    OutputCapture failing =
        OutputCapture.during(
            () -> {
              for (int minute = 0; minute < 3; minute++) {
                answers.add(verify(key.value()));
                assertThat(recorder.flush()).isFalse();
                time.advance(Duration.ofSeconds(61));
              }
            });
    assertThat(answers).allMatch(a -> a instanceof Verification.Verified);
    assertThat(failing.err().lines().filter(l -> l.contains("WARN")))
        .singleElement()
        .asString()
        .contains("planeguard cannot record the use of 1 keys in")
        .contains("decisions are unaffected");

    store.failing = false;
    OutputCapture recovered = OutputCapture.during(recorder::flush);
    assertThat(store.writes)
        .as("the first and the last of the uses kept")
        .containsExactly(use(key.id(), T0, T0.plusSeconds(122)));
    assertThat(recovered.err()).contains("records key usage in").contains("again");
  }

  @Test
  void closeWritesWhatIsPending() {
    verify(key.value());
    recorder.close();
    assertThat(store.writes).containsExactly(use(key.id(), T0, T0));
  }

  /** A store that keeps the uses it is asked to write, and the threads that asked. */
  static final class RecordingStore implements KeyStore.UsageRecording {
    final KeyStore.Writable keys = KeyStore.inMemory();
    final List<Map<String, KeyUsage>> writes = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    volatile boolean failing;

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
      threads.add(Thread.currentThread().getName());
      if (failing) {
        throw new IllegalStateException("the store is down");
      }
      writes.add(Map.copyOf(uses));
    }

    @Override
    public Map<String, KeyUsage> usage() {
      return Map.of();
    }
  }
}
