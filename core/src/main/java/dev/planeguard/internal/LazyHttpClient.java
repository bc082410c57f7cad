package dev.planeguard.internal;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** One HTTP client per verifier, created only if an issuer is fetched over HTTP. */
public final class LazyHttpClient implements Supplier<HttpClient> {
  private volatile @Nullable HttpClient client;

  @Override
  public HttpClient get() {
    HttpClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          c =
              HttpClient.newBuilder()
                  .connectTimeout(Duration.ofSeconds(3))
                  .followRedirects(HttpClient.Redirect.NEVER)
                  .build();
          client = c;
        }
      }
    }
    return c;
  }
}
