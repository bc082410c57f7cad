package dev.planeguard.webflux.internal;

import dev.planeguard.Decision;
import dev.planeguard.Enforcer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The rest of the filter chain, which records the allow's audit event when it ends: on completion
 * with the response's status, on an error with the status WebFlux's exception handlers will answer
 * (a {@code ResponseStatusException}'s, else 500), on cancel with 0. The event is recorded before
 * the signal goes on: once WebFlux has completed the response, a servlet container may already have
 * recycled it. {@link Enforcer#finish} records each decision once, so a cancel racing a completion
 * records one of them.
 *
 * <p>One operator instead of {@code doOnEach} and {@code doOnCancel}: those are two operators, two
 * subscribers and a {@code Signal} per request. (A commit action would see the status too, but with
 * any commit action registered, every response commits through a {@code concatMap} with a queue of
 * its own.)
 */
public final class AuditOnEnd extends MonoOperator<Void, Void> {

  private final Enforcer enforcer;
  private final Decision decision;
  private final ServerHttpResponse response;

  private AuditOnEnd(
      Mono<Void> chain, Enforcer enforcer, Decision decision, ServerHttpResponse response) {
    super(chain);
    this.enforcer = enforcer;
    this.decision = decision;
    this.response = response;
  }

  /** {@code chain}, recording the audit event of {@code decision} when it ends. */
  public static Mono<Void> of(
      Mono<Void> chain, Enforcer enforcer, Decision decision, ServerHttpResponse response) {
    return onAssembly(new AuditOnEnd(chain, enforcer, decision, response));
  }

  @Override
  public void subscribe(CoreSubscriber<? super Void> actual) {
    source.subscribe(new Ending(actual, this));
  }

  private void finish(int status) {
    enforcer.finish(decision, status);
  }

  private int status() {
    HttpStatusCode status = response.getStatusCode();
    return status == null ? 200 : status.value();
  }

  /** What WebFlux's exception handlers answer for an error that reaches them. */
  static int errorStatus(Throwable e) {
    return e instanceof ResponseStatusException r ? r.getStatusCode().value() : 500;
  }

  private static final class Ending implements CoreSubscriber<Void>, Subscription {

    private final CoreSubscriber<? super Void> actual;
    private final AuditOnEnd parent;
    private @Nullable Subscription upstream;

    Ending(CoreSubscriber<? super Void> actual, AuditOnEnd parent) {
      this.actual = actual;
      this.parent = parent;
    }

    @Override
    public Context currentContext() {
      return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (Operators.validate(upstream, s)) {
        upstream = s;
        actual.onSubscribe(this);
      }
    }

    @Override
    @SuppressWarnings("VoidUsed") // passed on untouched, as Reactor's own operators pass it
    public void onNext(Void value) {
      actual.onNext(value); // a Mono<Void> emits none
    }

    // A failure to record goes where Reactor's doOnEach and doOnCancel would send it: the
    // subscriber's error, a suppressed exception of the error, or the dropped-error hook.

    @Override
    public void onError(Throwable e) {
      try {
        parent.finish(errorStatus(e));
      } catch (RuntimeException failed) {
        e.addSuppressed(failed);
      }
      actual.onError(e);
    }

    @Override
    public void onComplete() {
      try {
        parent.finish(parent.status());
      } catch (RuntimeException failed) {
        actual.onError(Operators.onOperatorError(failed, actual.currentContext()));
        return;
      }
      actual.onComplete();
    }

    @Override
    public void request(long n) {
      Subscription s = upstream;
      if (s != null) {
        s.request(n);
      }
    }

    @Override
    public void cancel() {
      try {
        parent.finish(0);
      } catch (RuntimeException failed) {
        Operators.onErrorDropped(failed, actual.currentContext());
      }
      Subscription s = upstream;
      if (s != null) {
        s.cancel();
      }
    }
  }
}
