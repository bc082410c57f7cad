package dev.planeguard.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/1.1 client that sends exactly the bytes it is given, over a plain socket on loopback.
 * Clients such as {@code java.net.http} normalise targets, refuse control characters and merge or
 * reject odd headers; the attacks under test need the raw bytes to reach the server.
 */
public final class RawHttp {

  private final int port;

  /** A client of the server on this loopback port. */
  public RawHttp(int port) {
    this.port = port;
  }

  /** A parsed response. {@code status} is -1 if the server closed without answering. */
  @SuppressWarnings("ArrayRecordComponent") // test value, never compared
  public record Response(int status, List<String[]> headers, byte[] bodyBytes) {

    /** The body as UTF-8. */
    public String body() {
      return new String(bodyBytes, StandardCharsets.UTF_8);
    }

    /** Every value of the header, case-insensitive name. */
    public List<String> headers(String name) {
      List<String> values = new ArrayList<>();
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          values.add(h[1]);
        }
      }
      return values;
    }

    /** The only value of the header, or null; fails if there are several. */
    public @Nullable String header(String name) {
      List<String> values = headers(name);
      if (values.size() > 1) {
        throw new AssertionError("several " + name + " headers: " + values);
      }
      return values.isEmpty() ? null : values.get(0);
    }

    /** The header names, lower case, in order. */
    public List<String> headerNames() {
      List<String> names = new ArrayList<>();
      for (String[] h : headers) {
        names.add(h[0].toLowerCase(Locale.ROOT));
      }
      return names;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder().append(status);
      for (String[] h : headers) {
        sb.append("\n").append(h[0]).append(": ").append(h[1]);
      }
      return sb.append("\n\n").append(body()).toString();
    }
  }

  /**
   * {@code METHOD target HTTP/1.1} with {@code Host} and {@code Connection: close} and more header
   * lines.
   */
  public Response request(String method, String target, String... headerLines) {
    StringBuilder sb = new StringBuilder();
    sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    sb.append("Host: 127.0.0.1:").append(port).append("\r\n");
    for (String line : headerLines) {
      sb.append(line).append("\r\n");
    }
    sb.append("Connection: close\r\n\r\n");
    return send(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /** GET with header lines. */
  public Response get(String target, String... headerLines) {
    return request("GET", target, headerLines);
  }

  /**
   * Sends raw bytes (a whole request, ending with the blank line) and reads until the server
   * closes.
   */
  public Response send(byte[] raw) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000); // a guard against a hung server, not an assertion
      OutputStream out = socket.getOutputStream();
      out.write(raw);
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          all.write(buf, 0, n);
        }
      } catch (SocketException reset) {
        // The server may reset the connection after answering a request it refused.
      }
      return parse(all.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Response parse(byte[] bytes) {
    int headEnd = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    if (bytes.length == 0 || headEnd < 0) {
      return new Response(-1, List.of(), bytes);
    }
    String head = new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1);
    String[] lines = head.split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    int status = Integer.parseInt(statusLine[1]);
    List<String[]> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.add(
          new String[] {lines[i].substring(0, colon), lines[i].substring(colon + 1).trim()});
    }
    byte[] rest = java.util.Arrays.copyOfRange(bytes, headEnd + 4, bytes.length);
    boolean chunked = false;
    for (String[] h : headers) {
      if (h[0].equalsIgnoreCase("Transfer-Encoding") && h[1].equalsIgnoreCase("chunked")) {
        chunked = true;
      }
    }
    return new Response(status, headers, chunked ? dechunk(rest) : rest);
  }

  private static byte[] dechunk(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < in.length) {
      int lineEnd = indexOf(in, i, "\r\n".getBytes(StandardCharsets.ISO_8859_1));
      String sizeLine = new String(in, i, lineEnd - i, StandardCharsets.ISO_8859_1);
      int semicolon = sizeLine.indexOf(';');
      int size =
          Integer.parseInt(
              (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        break;
      }
      out.write(in, lineEnd + 2, size);
      i = lineEnd + 2 + size + 2;
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    return indexOf(data, 0, pattern);
  }

  private static int indexOf(byte[] data, int from, byte[] pattern) {
    outer:
    for (int i = from; i <= data.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
