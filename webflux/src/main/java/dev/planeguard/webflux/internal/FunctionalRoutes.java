package dev.planeguard.webflux.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/**
 * WebFlux functional routes described for the route coverage, through Spring's own visitors ({@link
 * RouterFunctions.Visitor}, {@link RequestPredicates.Visitor}). A description is never narrower
 * than what the route serves: a path within a nested route is put behind the nest's path, a header,
 * query parameter, extension or version predicate makes the route conditional (requests it does not
 * accept go on to other routes), and a negation stands for any request. A predicate or router
 * function Spring cannot describe is reported as unmirrored, which stops startup in preprod and
 * prod.
 */
public final class FunctionalRoutes {

  /**
   * One handler function with every route that leads to it.
   *
   * @param paths path patterns in Spring syntax, {@code /**} for routes without a path
   * @param methods the methods, empty for every method
   */
  public record Route(
      HandlerFunction<?> function,
      String origin,
      Set<String> paths,
      Set<String> methods,
      boolean conditional) {}

  private final IdentityHashMap<HandlerFunction<?>, Route> routes = new IdentityHashMap<>();
  private final List<HandlerFunction<?>> order = new ArrayList<>();
  private final Set<String> unmirrored = new LinkedHashSet<>();

  private FunctionalRoutes() {}

  /** Every route of {@code function}, merged per handler function, and what cannot be described. */
  public static FunctionalRoutes of(RouterFunction<?> function) {
    FunctionalRoutes routes = new FunctionalRoutes();
    function.accept(routes.new Visitor());
    return routes;
  }

  /** The handler functions in the order first routed to. */
  public List<Route> routes() {
    List<Route> all = new ArrayList<>(order.size());
    for (HandlerFunction<?> f : order) {
      all.add(routes.get(f));
    }
    return all;
  }

  /** What planeguard cannot describe, one line each. */
  public List<String> unmirrored() {
    return List.copyOf(unmirrored);
  }

  /** One alternative of a predicate: a path (null: any), methods (null: any). */
  private record Term(@Nullable String path, @Nullable Set<String> methods, boolean conditional) {

    static final Term ANY_CONDITIONAL = new Term(null, null, true);

    /** Both at once: the first path is kept (the intersection is within it). */
    Term and(Term other) {
      return new Term(
          path != null ? path : other.path,
          intersect(methods, other.methods),
          conditional || other.conditional);
    }

    /** A nested route: {@code inner}'s path is matched on what the nest's path leaves. */
    Term nest(Term inner) {
      String p;
      if (path == null) {
        p = inner.path;
      } else if (inner.path == null) {
        p = trim(path) + "/**";
      } else {
        p = trim(path) + (inner.path.startsWith("/") ? "" : "/") + inner.path;
      }
      return new Term(p, intersect(methods, inner.methods), conditional || inner.conditional);
    }

    private static String trim(String path) {
      return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static @Nullable Set<String> intersect(
        @Nullable Set<String> a, @Nullable Set<String> b) {
      if (a == null) {
        return b;
      }
      if (b == null) {
        return a;
      }
      Set<String> both = new TreeSet<>(a);
      both.retainAll(b);
      return both;
    }
  }

  /** A predicate as alternatives (a disjunction of terms). */
  private static final class Description implements RequestPredicates.Visitor {

    private enum Kind {
      ROOT,
      AND,
      OR,
      NEGATE
    }

    private record Frame(Kind kind, List<List<Term>> operands) {}

    private final Deque<Frame> stack = new ArrayDeque<>();
    private final List<String> unknown = new ArrayList<>();

    Description() {
      stack.push(new Frame(Kind.ROOT, new ArrayList<>()));
    }

    static Description of(RequestPredicate predicate) {
      Description d = new Description();
      predicate.accept(d);
      return d;
    }

    List<Term> terms() {
      List<List<Term>> operands = stack.getLast().operands();
      return operands.isEmpty() ? List.of(Term.ANY_CONDITIONAL) : operands.get(0);
    }

    private void leaf(Term term) {
      stack.element().operands().add(List.of(term));
    }

    @Override
    public void method(Set<HttpMethod> methods) {
      Set<String> names = new TreeSet<>();
      methods.forEach(m -> names.add(m.name()));
      leaf(new Term(null, names, false));
    }

    @Override
    public void path(String pattern) {
      leaf(new Term(pattern, null, false));
    }

    @Override
    @SuppressWarnings("removal") // Spring 6.2 and 7 still call it for pathExtension predicates
    public void pathExtension(String extension) {
      leaf(Term.ANY_CONDITIONAL);
    }

    @Override
    public void header(String name, String value) {
      leaf(Term.ANY_CONDITIONAL);
    }

    @Override
    public void queryParam(String name, String value) {
      leaf(Term.ANY_CONDITIONAL);
    }

    /** Spring 7's API versions (Spring 6.2 never calls it). */
    @Override
    public void version(String version) {
      leaf(Term.ANY_CONDITIONAL);
    }

    @Override
    public void startAnd() {
      stack.push(new Frame(Kind.AND, new ArrayList<>()));
    }

    @Override
    public void and() {}

    @Override
    public void endAnd() {
      List<List<Term>> operands = stack.pop().operands();
      List<Term> result = List.of(new Term(null, null, false));
      for (List<Term> operand : operands) {
        List<Term> next = new ArrayList<>();
        for (Term a : result) {
          for (Term b : operand) {
            next.add(a.and(b));
          }
        }
        result = next;
      }
      stack.element().operands().add(result);
    }

    @Override
    public void startOr() {
      stack.push(new Frame(Kind.OR, new ArrayList<>()));
    }

    @Override
    public void or() {}

    @Override
    public void endOr() {
      List<Term> all = new ArrayList<>();
      stack.pop().operands().forEach(all::addAll);
      stack.element().operands().add(all);
    }

    @Override
    public void startNegate() {
      stack.push(new Frame(Kind.NEGATE, new ArrayList<>()));
    }

    @Override
    public void endNegate() {
      // What a negation matches cannot be written as patterns: any request, conditionally.
      stack.pop();
      leaf(Term.ANY_CONDITIONAL);
    }

    @Override
    public void unknown(RequestPredicate predicate) {
      unknown.add(String.valueOf(predicate));
      leaf(Term.ANY_CONDITIONAL);
    }
  }

  private final class Visitor implements RouterFunctions.Visitor {

    private final Deque<List<Term>> nests = new ArrayDeque<>();

    @Override
    public void startNested(RequestPredicate predicate) {
      nests.push(describe(predicate));
    }

    @Override
    public void endNested(RequestPredicate predicate) {
      nests.pop();
    }

    @Override
    public void route(RequestPredicate predicate, HandlerFunction<?> function) {
      List<Term> terms = describe(predicate);
      // Innermost nest first, outwards.
      for (List<Term> nest : nests) {
        List<Term> combined = new ArrayList<>();
        for (Term outer : nest) {
          for (Term inner : terms) {
            combined.add(outer.nest(inner));
          }
        }
        terms = combined;
      }
      add(function, String.valueOf(predicate), terms);
    }

    @Override
    public void resources(Function<ServerRequest, Mono<Resource>> lookupFunction) {
      // Static resources serve the request path as it is: the coverage's path handler.
    }

    @Override
    public void attributes(Map<String, Object> attributes) {}

    @Override
    public void unknown(RouterFunction<?> function) {
      unmirrored.add("the router function " + function + " cannot be described to planeguard");
    }

    private List<Term> describe(RequestPredicate predicate) {
      Description d = Description.of(predicate);
      for (String u : d.unknown) {
        unmirrored.add(
            "the functional route "
                + predicate
                + " has a request predicate planeguard cannot describe ("
                + u
                + ")");
      }
      return d.terms();
    }
  }

  private void add(HandlerFunction<?> function, String predicate, List<Term> terms) {
    Set<String> paths = new LinkedHashSet<>();
    Set<String> methods = new TreeSet<>();
    boolean anyMethod = false;
    boolean conditional = false;
    for (Term t : terms) {
      paths.add(t.path() == null ? "/**" : t.path());
      Set<String> m = t.methods();
      if (m == null) {
        anyMethod = true;
      } else {
        methods.addAll(m);
      }
      conditional |= t.conditional();
    }
    Route previous = routes.get(function);
    String origin = "RouterFunction " + predicate;
    if (previous != null) {
      paths.addAll(previous.paths());
      anyMethod |= previous.methods().isEmpty();
      methods.addAll(previous.methods());
      conditional |= previous.conditional();
      origin = previous.origin() + " | " + predicate;
    } else {
      order.add(function);
    }
    routes.put(
        function,
        new Route(
            function,
            origin,
            Set.copyOf(paths),
            anyMethod ? Set.of() : Set.copyOf(methods),
            conditional));
  }
}
