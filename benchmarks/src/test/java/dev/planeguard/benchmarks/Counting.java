package dev.planeguard.benchmarks;

import dev.planeguard.TokenVerifier;
import dev.planeguard.keys.KeyVerifier;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts calls into the real verifiers, which still decide. */
final class Counting {
  final AtomicInteger tokenCalls = new AtomicInteger();
  final AtomicInteger keyCalls = new AtomicInteger();

  TokenVerifier tokens(TokenVerifier real) {
    return token -> {
      tokenCalls.incrementAndGet();
      return real.verify(token);
    };
  }

  KeyVerifier keys(KeyVerifier real) {
    return (key, kind, mode) -> {
      keyCalls.incrementAndGet();
      return real.verify(key, kind, mode);
    };
  }
}
