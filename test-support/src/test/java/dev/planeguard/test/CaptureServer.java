package dev.planeguard.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToIntFunction;

/**
 * A raw-socket server that records every request head byte for byte (ISO-8859-1) and answers with a
 * status chosen by the test (0: hang up without an answer). Shows what the parity kit really puts
 * on the wire.
 */
final class CaptureServer implements AutoCloseable {

  private final ServerSocket socket;
  private final List<String> heads = new CopyOnWriteArrayList<>();
  private final ToIntFunction<String> status;
  private final Thread acceptor;

  CaptureServer(ToIntFunction<String> status) {
    this.status = status;
    try {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    acceptor = new Thread(this::acceptLoop, "capture-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI baseUri() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort());
  }

  /** Every request head received, in order, from the request line to the blank line. */
  List<String> heads() {
    return List.copyOf(heads);
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        String head = readHead(s.getInputStream());
        heads.add(head);
        int answer = status.applyAsInt(head);
        if (answer <= 0) {
          continue; // hang up without an answer
        }
        OutputStream out = s.getOutputStream();
        out.write(
            ("HTTP/1.1 " + answer + " X\r\nContent-Length: 0\r\n" + "Connection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (IOException e) {
        // closed, or a client that went away
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    int state = 0; // counts the bytes of "\r\n\r\n" seen in a row
    while ((b = in.read()) >= 0) {
      head.write(b);
      state =
          (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
              ? state + 1
              : 0;
      if (state == 4) {
        break;
      }
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
