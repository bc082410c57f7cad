package dev.planeguard.samples.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.context.ConfigurableApplicationContext;

/** Real HTTP on loopback against a running demo. */
public final class DemoHttp {

  private final HttpClient client = HttpClient.newHttpClient();
  private final String base;

  /** A demo started in this JVM. */
  public DemoHttp(ConfigurableApplicationContext app) {
    this("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
  }

  /** A demo at {@code base}, {@code http://127.0.0.1:PORT}. */
  public DemoHttp(String base) {
    this.base = base;
  }

  /** Sends the request; a {@code POST} carries {@code {}} as JSON. */
  public HttpResponse<String> send(String method, String path, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(
                method,
                method.equals("POST")
                    ? HttpRequest.BodyPublishers.ofString("{}")
                    : HttpRequest.BodyPublishers.noBody());
    if (method.equals("POST")) {
      b.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
