package dev.planeguard.spring;

import dev.planeguard.RouteDeclarations;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One Spring MVC handler as route coverage and the annotation merge see it.
 *
 * @param springPatterns the handler's patterns as Spring declares them
 * @param patterns the same patterns in policy syntax, {@code null} where one cannot be expressed
 * @param methods the HTTP methods it serves, upper case; empty means every method
 * @param origin the handler, {@code com.example.OrdersController#create}
 * @param declared what its planeguard or Jakarta annotations declare, if anything
 * @param actuator whether Spring Boot Actuator serves it
 */
record HandlerRoute(
    List<String> springPatterns,
    List<@Nullable String> patterns,
    Set<String> methods,
    String origin,
    Optional<RouteDeclarations.Declared> declared,
    boolean actuator) {}
