package dev.planeguard.test.internal;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP side of the test issuer: serves a discovery document and a JWKS on the loopback
 * interface with the JDK's {@link HttpServer}, counts requests per path, and applies the fault
 * modes (a replaced JWKS response, a delay, a hold). It can stop and start again on the same port.
 *
 * <p>All waiting (delay, hold) happens on handler threads, never on the server's dispatcher, so a
 * held JWKS does not stop the discovery document from answering. Stopping or closing wakes every
 * waiting handler, which then drops its connection without an answer, as a server going down does.
 */
public final class IssuerServer implements AutoCloseable {

  /** Where the JWKS is served. */
  public static final String JWKS_PATH = "/.well-known/jwks.json";

  /** Where the OpenID discovery document is served. */
  public static final String DISCOVERY_PATH = "/.well-known/openid-configuration";

  /**
   * A response to serve instead of the real JWKS.
   *
   * @param status HTTP status
   * @param contentType value of {@code Content-Type}
   * @param body the exact body, sent as UTF-8
   */
  public record Canned(int status, String contentType, String body) {
    /** Checks the parts. */
    public Canned {
      requireNonNull(contentType, "contentType");
      requireNonNull(body, "body");
    }
  }

  /** A hold on JWKS responses: requests wait until it is released or the server stops. */
  public final class Hold {
    private boolean released;
    private int parked;

    private Hold() {}

    /** Releases every waiting and future request of this hold. */
    public void release() {
      synchronized (lock) {
        released = true;
        if (hold == this) {
          hold = null;
        }
        lock.notifyAll();
      }
    }

    /** How many requests are waiting on this hold now. */
    public int parked() {
      synchronized (lock) {
        return parked;
      }
    }

    /**
     * Waits until at least {@code count} requests are waiting on this hold.
     *
     * @param guard how long to wait at most before giving up
     * @return whether they arrived within {@code guard}
     */
    public boolean awaitParked(int count, Duration guard) throws InterruptedException {
      long deadline = System.nanoTime() + guard.toNanos();
      synchronized (lock) {
        while (parked < count) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
        return true;
      }
    }
  }

  private final Object lock = new Object();
  private final Supplier<String> jwks;
  private final Supplier<String> discovery;
  private final ExecutorService executor;
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  // Guarded by lock.
  private @Nullable HttpServer server;
  private int port;
  private int generation;
  private boolean closed;
  private @Nullable Canned canned;
  private @Nullable Duration delay;
  private int delayVersion; // changes whenever the delay is set or lifted
  private @Nullable Hold hold;

  /**
   * Binds to 127.0.0.1 and starts serving.
   *
   * @param port the port, or 0 for an ephemeral one
   * @param jwks the current JWKS document, asked for on every request
   * @param discovery the current discovery document, asked for on every request
   */
  public IssuerServer(int port, Supplier<String> jwks, Supplier<String> discovery) {
    this.jwks = requireNonNull(jwks);
    this.discovery = requireNonNull(discovery);
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, "planeguard-test-issuer-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    this.executor = Executors.newCachedThreadPool(factory);
    this.port = port;
    try {
      start();
    } catch (RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
  }

  /** The bound port; stays the same across {@link #stop()} and {@link #start()}. */
  public int port() {
    synchronized (lock) {
      return port;
    }
  }

  /** Whether the server is accepting connections. */
  public boolean running() {
    synchronized (lock) {
      return server != null;
    }
  }

  /**
   * Starts serving again on the same port. Does nothing if running.
   *
   * @throws UncheckedIOException if the port was taken by someone else meanwhile
   */
  public void start() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the test issuer was closed");
      }
      if (server != null) {
        return;
      }
      HttpServer s;
      try {
        s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      } catch (BindException e) {
        throw new UncheckedIOException(
            "the test issuer cannot listen on 127.0.0.1:" + port + " again: the port is taken", e);
      } catch (IOException e) {
        throw new UncheckedIOException("the test issuer cannot listen on 127.0.0.1", e);
      }
      s.createContext("/", this::handle);
      s.setExecutor(executor);
      s.start();
      port = s.getAddress().getPort();
      server = s;
    }
  }

  /**
   * Stops accepting connections; requests waiting on a hold or a delay are dropped without an
   * answer. Does nothing if stopped.
   */
  public void stop() {
    HttpServer s;
    synchronized (lock) {
      s = server;
      if (s == null) {
        return;
      }
      server = null;
      generation++;
      lock.notifyAll();
    }
    s.stop(0);
  }

  /** Serves {@code response} for the JWKS until {@link #restore()}. */
  public void serve(Canned response) {
    synchronized (lock) {
      canned = requireNonNull(response);
    }
  }

  /** Delays every JWKS response by {@code delay} until {@link #restore()}. */
  public void delay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("the delay must not be negative");
    }
    synchronized (lock) {
      this.delay = delay.isZero() ? null : delay;
      delayVersion++;
      lock.notifyAll();
    }
  }

  /** Holds every JWKS request from now on until the returned hold is released. */
  public Hold hold() {
    synchronized (lock) {
      Hold previous = hold;
      if (previous != null) {
        throw new IllegalStateException("the JWKS is already held; release that hold first");
      }
      Hold h = new Hold();
      hold = h;
      return h;
    }
  }

  /**
   * Serves the real JWKS again, without delay, and releases any hold; requests that were waiting
   * are answered.
   */
  public void restore() {
    Hold h;
    synchronized (lock) {
      canned = null;
      delay = null;
      delayVersion++;
      h = hold;
      lock.notifyAll();
    }
    if (h != null) {
      h.release();
    }
  }

  /** Requests received for {@code rawPath} since the last {@link #resetCounts()}. */
  public int count(String rawPath) {
    AtomicInteger c = counts.get(rawPath);
    return c == null ? 0 : c.get();
  }

  /** Forgets all request counts. */
  public void resetCounts() {
    counts.clear();
  }

  /** Stops for good and ends the handler threads. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
    stop();
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      counts.computeIfAbsent(path == null ? "" : path, k -> new AtomicInteger()).incrementAndGet();
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "GET");
        send(exchange, 405, "text/plain", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (DISCOVERY_PATH.equals(path)) {
        send(exchange, 200, "application/json", utf8(discovery.get()));
      } else if (JWKS_PATH.equals(path)) {
        serveJwks(exchange);
      } else {
        send(exchange, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // The client went away, or the server stopped under a waiting request: nothing to answer.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void serveJwks(HttpExchange exchange) throws IOException, InterruptedException {
    Canned response;
    synchronized (lock) {
      int myGeneration = generation;
      Hold h = hold;
      if (h != null) {
        h.parked++;
        lock.notifyAll();
        try {
          while (!h.released && generation == myGeneration) {
            lock.wait();
          }
        } finally {
          h.parked--;
        }
      }
      Duration d = delay;
      int myDelayVersion = delayVersion;
      if (d != null && generation == myGeneration) {
        long deadline = System.nanoTime() + d.toNanos();
        long left;
        // Ends early when the server stops or the delay is lifted (restore) or changed.
        while (generation == myGeneration
            && delayVersion == myDelayVersion
            && (left = deadline - System.nanoTime()) > 0) {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
      }
      if (generation != myGeneration) {
        return; // the server went down while this request waited: drop it unanswered
      }
      response = canned;
    }
    if (response == null) {
      send(exchange, 200, "application/json", utf8(jwks.get()));
    } else {
      send(exchange, response.status(), response.contentType(), utf8(response.body()));
    }
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
