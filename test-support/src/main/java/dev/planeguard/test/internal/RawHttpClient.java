package dev.planeguard.test.internal;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.SocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * Sends one HTTP/1.1 request per connection over a plain socket and reads the status code. The
 * request target and headers go on the wire byte for byte as given: no client library normalises
 * the path, merges duplicate headers or re-encodes anything, which is the point.
 */
public final class RawHttpClient {

  /**
   * One header line.
   *
   * @param name the name as written
   * @param value the value as written
   */
  public record Header(String name, String value) {
    /** Refuses line breaks, which would split the request. */
    public Header {
      requireNonNull(name, "name");
      requireNonNull(value, "value");
      if (name.isEmpty() || hasLineBreak(name) || name.indexOf(':') >= 0 || hasLineBreak(value)) {
        throw new IllegalArgumentException(
            "a header name must be non-empty without ':' and no header may contain CR or LF");
      }
    }

    /** The name only: values are often credentials. */
    @Override
    public String toString() {
      return "Header[" + name + "]";
    }
  }

  private static final int MAX_STATUS_LINE = 8192;

  private final String host;
  private final int port;
  private final String hostHeader;
  private final Duration timeout;
  private final SocketFactory sockets;

  /**
   * A client for one origin.
   *
   * @param host host to connect to
   * @param port port to connect to
   * @param hostHeader value of the {@code Host} header
   * @param timeout connect and read timeout
   * @param sockets plain or TLS sockets
   */
  public RawHttpClient(
      String host, int port, String hostHeader, Duration timeout, SocketFactory sockets) {
    this.host = requireNonNull(host);
    this.port = port;
    this.hostHeader = requireNonNull(hostHeader);
    this.timeout = requireNonNull(timeout);
    this.sockets = requireNonNull(sockets);
  }

  /**
   * Sends {@code method target HTTP/1.1} with a {@code Host} header, the given headers in order,
   * {@code Content-Length: 0} for methods that carry a body, and {@code Connection: close}.
   *
   * @return the final (non-1xx) status code
   * @throws IOException if the connection fails, times out or closes before a status line
   */
  public int send(String method, String target, List<Header> headers) throws IOException {
    StringBuilder request = new StringBuilder(256);
    request.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    request.append("Host: ").append(hostHeader).append("\r\n");
    for (Header h : headers) {
      request.append(h.name()).append(": ").append(h.value()).append("\r\n");
    }
    if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
      request.append("Content-Length: 0\r\n");
    }
    request.append("Connection: close\r\n\r\n");
    int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    try (Socket socket = sockets.createSocket()) {
      socket.connect(new InetSocketAddress(host, port), millis);
      socket.setSoTimeout(millis);
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      while (true) {
        String statusLine = readLine(in);
        if (statusLine == null) {
          throw new IOException("the connection closed before a status line");
        }
        int status = parseStatus(statusLine);
        if (status >= 200 || status == 101) {
          return status;
        }
        // 1xx interim response: skip its headers and read the next status line.
        String line;
        do {
          line = readLine(in);
        } while (line != null && !line.isEmpty());
      }
    }
  }

  private static int parseStatus(String line) throws IOException {
    // HTTP/1.1 200 OK
    if (!line.startsWith("HTTP/") || line.length() < 12 || line.charAt(8) != ' ') {
      throw new IOException("not an HTTP/1.x status line");
    }
    String code = line.substring(9, 12);
    for (int i = 0; i < 3; i++) {
      if (!Character.isDigit(code.charAt(i))) {
        throw new IOException("not an HTTP/1.x status line");
      }
    }
    return Integer.parseInt(code);
  }

  private static @Nullable String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int n =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
      }
      if (line.size() >= MAX_STATUS_LINE) {
        throw new IOException("response line too long");
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  private static boolean hasLineBreak(String s) {
    return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
  }
}
