package dev.planeguard.test.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;

class RawHttpClientTest {

  @Test
  void aHeaderNeverPrintsItsValue() {
    RawHttpClient.Header h = new RawHttpClient.Header("X-AOS-Key", "aos_mk_test_secret");
    assertThat(h.toString()).isEqualTo("Header[X-AOS-Key]");
    assertThat(java.util.List.of(h).toString()).doesNotContain("secret");
  }

  @Test
  void headersThatWouldSplitTheRequestAreRefused() {
    assertThatThrownBy(() -> new RawHttpClient.Header("X", "a\r\nInjected: 1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("Injected");
    assertThatThrownBy(() -> new RawHttpClient.Header("X\n", "a"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RawHttpClient.Header("X:Y", "a"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RawHttpClient.Header("", "a"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void interimResponsesAreSkipped() throws Exception {
    assertThat(exchange("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"))
        .isEqualTo(204);
    assertThat(exchange("HTTP/1.0 404 Not Found\n\n")).isEqualTo(404);
  }

  @Test
  void somethingThatIsNotAStatusLineIsAnError() {
    assertThatThrownBy(() -> exchange("SSH-2.0-OpenSSH\r\n"))
        .isInstanceOf(IOException.class)
        .hasMessage("not an HTTP/1.x status line");
    assertThatThrownBy(() -> exchange("HTTP/1.1 2x0 OK\r\n")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> exchange(""))
        .isInstanceOf(IOException.class)
        .hasMessage("the connection closed before a status line");
  }

  /** Answers one request with {@code response}, and returns what the client made of it. */
  static int exchange(String response) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> served =
          CompletableFuture.runAsync(
              () -> {
                try (Socket s = server.accept()) {
                  InputStream in = s.getInputStream();
                  // read until the blank line that ends the request head
                  int matched = 0;
                  int b;
                  while (matched < 4 && (b = in.read()) >= 0) {
                    matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
                  }
                  s.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      RawHttpClient client =
          new RawHttpClient(
              "127.0.0.1",
              server.getLocalPort(),
              "127.0.0.1",
              Duration.ofSeconds(30),
              SocketFactory.getDefault());
      try {
        return client.send("GET", "/", List.of());
      } finally {
        served.join();
      }
    }
  }
}
