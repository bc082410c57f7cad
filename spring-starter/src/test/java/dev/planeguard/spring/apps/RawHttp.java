package dev.planeguard.spring.apps;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One HTTP/1.1 request per connection over a plain socket, the whole response read: the request
 * target and headers reach the server byte for byte as given, which no HTTP client library
 * guarantees for {@code ..;}, {@code %2e}, a backslash or an absolute-form target.
 */
public final class RawHttp {

  /** Longest response read; the test applications answer a few hundred bytes. */
  private static final int MAX_RESPONSE = 1 << 20;

  /**
   * An answer: its status ({@code -1} if the server closed without one) and everything it sent.
   *
   * @param status the status code of the final response line
   * @param raw the response as received, headers and body
   */
  public record Response(int status, String raw) {}

  private final String host;
  private final int port;
  private final int timeoutMillis;

  /** A client for {@code host:port}. */
  public RawHttp(String host, int port, int timeoutMillis) {
    this.host = host;
    this.port = port;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Sends {@code method target HTTP/1.1} with {@code Host}, the headers given (name, value), a
   * {@code Content-Length} when there is a body or the method usually has one, and {@code
   * Connection: close}; reads until the server closes.
   *
   * @throws IOException if the connection fails or times out
   */
  public Response send(String method, String target, List<String[]> headers, String body)
      throws IOException {
    StringBuilder request = new StringBuilder(512);
    request.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    request.append("Host: ").append(host).append(':').append(port).append("\r\n");
    for (String[] h : headers) {
      request.append(h[0]).append(": ").append(h[1]).append("\r\n");
    }
    byte[] content = body.getBytes(StandardCharsets.ISO_8859_1);
    if (content.length > 0
        || method.equals("POST")
        || method.equals("PUT")
        || method.equals("PATCH")) {
      request.append("Content-Length: ").append(content.length).append("\r\n");
    }
    request.append("Connection: close\r\n\r\n");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(content);
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream(1024);
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) >= 0 && received.size() < MAX_RESPONSE) {
        received.write(buffer, 0, n);
      }
      String raw = received.toString(StandardCharsets.ISO_8859_1);
      return new Response(status(raw), raw);
    }
  }

  /** The status of the last status line before the headers end (1xx answers are skipped). */
  private static int status(String raw) {
    int at = 0;
    while (raw.startsWith("HTTP/1.", at) && raw.length() >= at + 12 && raw.charAt(at + 8) == ' ') {
      int code;
      try {
        code = Integer.parseInt(raw.substring(at + 9, at + 12));
      } catch (NumberFormatException e) {
        return -1;
      }
      if (code >= 200) {
        return code;
      }
      int end = raw.indexOf("\r\n\r\n", at);
      if (end < 0) {
        return -1;
      }
      at = end + 4;
    }
    return -1;
  }
}
