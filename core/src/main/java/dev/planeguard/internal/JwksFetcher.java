package dev.planeguard.internal;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetParseException;
import com.nimbusds.jose.jwk.source.JWKSetRetrievalException;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSetUnavailableException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base of an issuer's JWKS chain: it fetches the key set (over HTTP or from a file), and, for
 * an OpenID issuer, first resolves {@code jwks_uri} from its discovery document. Every document is
 * capped at {@link JwksSanitizer#MAX_DOCUMENT_BYTES} and sanitised. Nimbus's caching, rate limiting
 * and outage tolerance wrap this source; it never caches by itself, except the resolved {@code
 * jwks_uri}.
 *
 * <p>HTTP: one request at a time per issuer (the cache above is single-flight), connect and total
 * timeouts, redirects never followed, status 200 only, body read into a capped buffer. Failures are
 * {@link JWKSetUnavailableException}s, which the outage-tolerant layer may bridge with the last
 * good set.
 */
public final class JwksFetcher implements JWKSetSource<SecurityContext> {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");

  private final String issuer;
  private final @Nullable URI jwksUri;
  private final boolean discovery;
  private final Supplier<HttpClient> http;
  private final Duration timeout;
  private final Predicate<URI> plainHttpAllowed;
  private volatile @Nullable URI discovered;

  /**
   * Creates a fetcher.
   *
   * @param issuer the configured issuer, exactly
   * @param jwksUri the key set location ({@code https:}, {@code http:} or {@code file:}), or {@code
   *     null} to discover it
   * @param http the client for {@code http(s):} locations, created on first use
   * @param timeout the total time allowed for one HTTP exchange, body included
   * @param plainHttpAllowed which {@code http:} URIs a discovered {@code jwks_uri} may be
   */
  public JwksFetcher(
      String issuer,
      @Nullable URI jwksUri,
      Supplier<HttpClient> http,
      Duration timeout,
      Predicate<URI> plainHttpAllowed) {
    this.issuer = issuer;
    this.jwksUri = jwksUri;
    this.discovery = jwksUri == null;
    this.http = http;
    this.timeout = timeout;
    this.plainHttpAllowed = plainHttpAllowed;
  }

  /**
   * {@code <issuer>/.well-known/openid-configuration}, one trailing slash of the issuer removed.
   */
  public static URI discoveryUri(String issuer) {
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    return URI.create(base + "/.well-known/openid-configuration");
  }

  @Override
  public JWKSet getJWKSet(
      JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, @Nullable SecurityContext ctx)
      throws JWKSetUnavailableException {
    URI location = location();
    String document = read(location);
    try {
      return JwksSanitizer.sanitize(document, location.toString());
    } catch (ParseException | RuntimeException e) {
      LOG.warn("planeguard could not use the JWKS of {}: not a JWK set", location);
      throw new JWKSetParseException("not a JWK set: " + location, null);
    }
  }

  private URI location() throws JWKSetUnavailableException {
    if (!discovery) {
      return Objects.requireNonNull(jwksUri);
    }
    URI known = discovered;
    if (known != null) {
      return known;
    }
    synchronized (this) {
      if (discovered == null) {
        discovered = discover();
      }
      return Objects.requireNonNull(discovered);
    }
  }

  /** Reads the discovery document; its issuer must equal ours exactly. */
  private URI discover() throws JWKSetUnavailableException {
    URI where = discoveryUri(issuer);
    String text = read(where);
    Map<String, Object> doc;
    try {
      doc = JSONObjectUtils.parse(text, JwksSanitizer.MAX_DOCUMENT_BYTES);
    } catch (ParseException e) {
      LOG.warn("planeguard could not use the discovery document {}: not a JSON object", where);
      throw new JWKSetParseException("discovery document is not a JSON object: " + where, e);
    }
    if (!issuer.equals(doc.get("issuer"))) {
      LOG.error(
          "planeguard refuses the discovery document {}: its issuer is {}, configured is {}",
          where,
          doc.get("issuer") instanceof String s ? Text.quote(s, 256) : "missing",
          Text.quote(issuer, 256));
      throw new JWKSetParseException("discovery document names another issuer: " + where, null);
    }
    URI jwks;
    try {
      jwks = doc.get("jwks_uri") instanceof String s ? new URI(s) : null;
    } catch (java.net.URISyntaxException e) {
      jwks = null;
    }
    String scheme =
        jwks == null || jwks.getScheme() == null ? "" : jwks.getScheme().toLowerCase(Locale.ROOT);
    boolean ok =
        scheme.equals("https")
            || (scheme.equals("http") && jwks != null && plainHttpAllowed.test(jwks));
    if (jwks == null || !ok || jwks.getHost() == null) {
      LOG.error("planeguard refuses the jwks_uri of {}: missing, not https, or not a URL", where);
      throw new JWKSetParseException("unusable jwks_uri in " + where, null);
    }
    return jwks;
  }

  private String read(URI location) throws JWKSetUnavailableException {
    byte[] bytes =
        location.getScheme().equalsIgnoreCase("file") ? readFile(location) : fetch(location);
    String text = Text.utf8(bytes);
    if (text == null) {
      LOG.warn("planeguard could not use {}: not UTF-8", location);
      throw new JWKSetParseException("not UTF-8: " + location, null);
    }
    return text;
  }

  private static byte[] readFile(URI location) throws JWKSetUnavailableException {
    try {
      Path path = Path.of(location);
      if (Files.size(path) > JwksSanitizer.MAX_DOCUMENT_BYTES) {
        LOG.warn("planeguard refuses {}: larger than 512 KiB", location);
        throw new JWKSetParseException("larger than 512 KiB: " + location, null);
      }
      return Files.readAllBytes(path);
    } catch (IOException | RuntimeException e) {
      LOG.warn("planeguard could not read {}: {}", location, e.getClass().getSimpleName());
      throw new JWKSetRetrievalException(
          "cannot read " + location, e instanceof IOException io ? io : null);
    }
  }

  private byte[] fetch(URI location) throws JWKSetUnavailableException {
    HttpRequest request =
        HttpRequest.newBuilder(location)
            .timeout(timeout)
            .header("Accept", "application/json")
            .GET()
            .build();
    CompletableFuture<HttpResponse<byte[]>> exchange =
        http.get().sendAsync(request, response -> new CappedBody(response.statusCode()));
    try {
      return exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS).body();
    } catch (TimeoutException e) {
      exchange.cancel(true);
      LOG.warn("planeguard could not fetch {}: no complete answer within {}", location, timeout);
      throw new JWKSetRetrievalException("timed out: " + location, null);
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new JWKSetRetrievalException("interrupted: " + location, null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Refused refused) {
        LOG.warn("planeguard could not use {}: {}", location, refused.getMessage());
        throw new JWKSetParseException(refused.getMessage() + ": " + location, null);
      }
      LOG.warn(
          "planeguard could not fetch {}: {}",
          location,
          cause == null ? "error" : cause.getClass().getSimpleName());
      throw new JWKSetRetrievalException("cannot fetch " + location, null);
    }
  }

  @Override
  public void close() {}

  /** An answer planeguard will not read: wrong status or too large. Message has no body data. */
  private static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null);
    }
  }

  /**
   * Collects a response body up to {@link JwksSanitizer#MAX_DOCUMENT_BYTES}; cancels the exchange
   * as soon as it is larger, or at once for a status other than 200.
   */
  private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final int status;
    private Flow.@Nullable Subscription subscription;

    CappedBody(int status) {
      this.status = status;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (status != 200) {
        s.cancel();
        result.completeExceptionally(new Refused("HTTP status " + status));
        return;
      }
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer item : items) {
        int n = item.remaining();
        if (buffer.size() + n > JwksSanitizer.MAX_DOCUMENT_BYTES) {
          if (subscription != null) {
            subscription.cancel();
          }
          result.completeExceptionally(new Refused("larger than 512 KiB"));
          return;
        }
        byte[] chunk = new byte[n];
        item.get(chunk);
        buffer.write(chunk, 0, n);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      result.complete(buffer.toByteArray());
    }
  }

  /** Where this source reads from, for messages. */
  @Override
  public String toString() {
    return "JwksFetcher{"
        + (discovery ? "discovery " + discoveryUri(issuer) : String.valueOf(jwksUri))
        + "}";
  }
}
