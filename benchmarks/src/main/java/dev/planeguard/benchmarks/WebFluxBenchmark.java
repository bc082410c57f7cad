package dev.planeguard.benchmarks;

import com.nimbusds.jose.JWSAlgorithm;
import dev.planeguard.Enforcer;
import dev.planeguard.PlaneGuard;
import dev.planeguard.webflux.DispatchConfirmation;
import dev.planeguard.webflux.PlaneGuardWebFilter;
import dev.planeguard.webflux.WebFluxHandlers;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.reactivestreams.Publisher;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.config.EnableWebFlux;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One request through a whole Spring WebFlux application in memory — the filter chain, {@code
 * DispatcherHandler}, an annotated controller and the response written — three ways: without
 * planeguard ({@code *Without}), with one {@code WebFilter} that only passes the exchange on
 * ({@code *PassThrough}: the cost of being a filter at all), and with planeguard ({@code
 * *PlaneGuard}: {@link PlaneGuardWebFilter} and {@link DispatchConfirmation}, as the starter
 * registers them). The differences are what planeguard adds to WebFlux's own work per request, with
 * no network, server or second JVM in the measurement; the end-to-end script measures the rest.
 *
 * <p>Requests are Spring's mock requests, so headers are read through Spring, as on Tomcat and
 * Jetty (on Reactor Netty the filter reads Netty's header map, a little faster). The human route
 * sends a repeated token (the verified-token cache hit), the machine route a key from the key file.
 * Audit events go to SLF4J, bound to {@code slf4j-nop} here; the controller answers the same
 * constant JSON in every variant.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@SuppressWarnings("NullAway.Init") // JMH calls setUp() before any benchmark method
public class WebFluxBenchmark {

  static final String MACHINE_PATH = "/api/v1/runs";
  static final String HUMAN_PATH = "/api/v1/accounts/me";

  /** The verifiers' clock; tests replace it before {@link #setUp()}. */
  Clock clock = Clock.systemUTC();

  @Nullable Fixture fixture;
  String machineKey;
  String bearer;

  /** The same application in its three variants. */
  App without;

  App passThrough;
  App planeGuard;

  @Setup(Level.Trial)
  public void setUp() {
    Fixture f = new Fixture(clock);
    fixture = f;
    Enforcer enforcer =
        f.enforcer(
            f.jwtVerifier(64L * 1024 * 1024),
            f.keyVerifier(),
            UnaryOperator.identity(),
            UnaryOperator.identity());
    machineKey = f.machineKey.value();
    bearer = "Bearer " + f.token(JWSAlgorithm.RS256, 0);
    without = App.start(context -> {});
    passThrough =
        App.start(
            context ->
                context.registerBean(
                    "passThrough",
                    WebFilter.class,
                    () -> (exchange, chain) -> chain.filter(exchange)));
    planeGuard = App.start(context -> registerPlaneGuard(context, enforcer));
    // The token is verified once here; every measured request is a cache hit.
    planeGuard.serve(human());
  }

  /** The filter and the confirmation at dispatch, as the starter registers them. */
  private static void registerPlaneGuard(AnnotationConfigApplicationContext context, Enforcer e) {
    context.registerBean(PlaneGuardWebFilter.class, () -> new PlaneGuardWebFilter(e));
    context.registerBean(
        DispatchConfirmation.class,
        () -> {
          ObjectProvider<PlaneGuardWebFilter> filter =
              context.getBeanProvider(PlaneGuardWebFilter.class);
          // Read once for both suppliers, as the starter does.
          Supplier<WebFluxHandlers> handlers =
              SingletonSupplier.of(() -> WebFluxHandlers.of(context));
          return new DispatchConfirmation(
              filter::getObject,
              handlers,
              () -> PlaneGuard.cover(e, handlers.get().handlers(), handlers.get().unmirrored()));
        });
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    for (App app : new App[] {without, passThrough, planeGuard}) {
      if (app != null) {
        app.close();
      }
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  MockServerHttpRequest machine() {
    return MockServerHttpRequest.get(MACHINE_PATH)
        .header("Accept", "application/json")
        .header("X-AOS-Key", machineKey)
        .build();
  }

  MockServerHttpRequest human() {
    return MockServerHttpRequest.get(HUMAN_PATH)
        .header("Accept", "application/json")
        .header("Authorization", bearer)
        .build();
  }

  @Benchmark
  public int machineWithout() {
    return without.serve(machine());
  }

  @Benchmark
  public int machinePassThrough() {
    return passThrough.serve(machine());
  }

  @Benchmark
  public int machinePlaneGuard() {
    return planeGuard.serve(machine());
  }

  @Benchmark
  public int humanWithout() {
    return without.serve(human());
  }

  @Benchmark
  public int humanPassThrough() {
    return passThrough.serve(human());
  }

  @Benchmark
  public int humanPlaneGuard() {
    return planeGuard.serve(human());
  }

  /** A WebFlux application: its context and the handler WebFlux builds from it. */
  static final class App implements AutoCloseable {

    final AnnotationConfigApplicationContext context;
    final HttpHandler handler;
    final Api api;

    private App(AnnotationConfigApplicationContext context) {
      this.context = context;
      this.handler = WebHttpHandlerBuilder.applicationContext(context).build();
      this.api = context.getBean(Api.class);
    }

    static App start(Consumer<AnnotationConfigApplicationContext> variant) {
      AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
      context.register(Config.class);
      variant.accept(context);
      context.refresh();
      return new App(context);
    }

    /** The status of the response to {@code request}, once written. */
    int serve(MockServerHttpRequest request) {
      Response response = new Response();
      handler.handle(request, response).block();
      HttpStatusCode status = response.getStatusCode();
      return status == null ? 200 : status.value();
    }

    /** How many requests the controller answered. */
    long answered() {
      return api.answered;
    }

    @Override
    public void close() {
      context.close();
    }
  }

  /**
   * A response that takes what is written and releases it. Spring's {@code MockServerHttpResponse}
   * builds an exception with its stack trace for every response, which would be most of what is
   * measured.
   */
  static final class Response extends AbstractServerHttpResponse {

    Response() {
      super(DefaultDataBufferFactory.sharedInstance);
    }

    @Override
    @SuppressWarnings("TypeParameterUnusedInFormals") // Spring's signature
    public <T> T getNativeResponse() {
      throw new UnsupportedOperationException("no server");
    }

    @Override
    protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
      return Flux.from(body).doOnNext(DataBufferUtils::release).then();
    }

    @Override
    protected Mono<Void> writeAndFlushWithInternal(
        Publisher<? extends Publisher<? extends DataBuffer>> body) {
      return Flux.from(body).concatMap(this::writeWithInternal).then();
    }

    @Override
    protected void applyStatusCode() {}

    @Override
    protected void applyHeaders() {}

    @Override
    protected void applyCookies() {}
  }

  @Configuration(proxyBeanMethods = false)
  @EnableWebFlux
  static class Config {

    @Bean
    Api api() {
      return new Api();
    }
  }

  /** The two routes: the same constant answer in every variant. */
  @RestController
  static class Api {

    // Read by the tests (on the benchmark's thread): the handler ran, or did not.
    long answered;

    @GetMapping(path = MACHINE_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
    String runs() {
      answered++;
      return "{\"runs\":[]}";
    }

    @GetMapping(path = HUMAN_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
    String me() {
      answered++;
      return "{\"plane\":\"human\"}";
    }
  }
}
