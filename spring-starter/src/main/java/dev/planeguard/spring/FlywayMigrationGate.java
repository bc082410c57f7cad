package dev.planeguard.spring;

import static java.util.Objects.requireNonNull;

import dev.planeguard.MigrationGate;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flyway callback that asks the {@link MigrationGate} before Flyway writes to the database, on
 * the connection Flyway is about to use, and throws (stopping Flyway, and with it the application's
 * startup) when the gate refuses.
 *
 * <p>Gated: everything that changes the database — creating schemas (fired before anything else a
 * {@code migrate} writes, including the schema history table, unless {@code createSchemas} is off),
 * {@code migrate}, {@code baseline}, {@code repair}, {@code clean} and {@code undo}. Read-only
 * operations ({@code info}, {@code validate}) are not gated.
 *
 * <p>The callback is a dynamic proxy rather than a class implementing {@link Callback}: Flyway 12
 * made {@code Callback} a {@code GenericCallback<Event>}, so a class compiled against one of Flyway
 * 11 (Spring Boot 3.5) and Flyway 12 (Spring Boot 4) does not link against the other. The proxy
 * implements whichever {@code Callback} is on the class path; the methods it answers exist in both.
 */
final class FlywayMigrationGate implements InvocationHandler {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard.migration");

  /** Names of the {@code Event} constants that write; the same in Flyway 11 and 12. */
  static final Set<String> GATED =
      Set.of(
          "BEFORE_CREATE_SCHEMA",
          "BEFORE_MIGRATE",
          "BEFORE_BASELINE",
          "BEFORE_REPAIR",
          "BEFORE_CLEAN",
          "BEFORE_UNDO");

  static final String NAME = "planeguard migration gate";

  private final MigrationGate gate;

  private FlywayMigrationGate(MigrationGate gate) {
    this.gate = requireNonNull(gate, "gate");
  }

  /** The callback: add it to a Flyway configuration's callbacks. */
  static Callback callback(MigrationGate gate) {
    return (Callback)
        Proxy.newProxyInstance(
            Callback.class.getClassLoader(),
            new Class<?>[] {Callback.class},
            new FlywayMigrationGate(gate));
  }

  /**
   * @throws dev.planeguard.ConfigurationException from {@code handle}, listing every reason
   *     migrations may not run (Flyway wraps it in its own exception; the cause is kept)
   */
  @Override
  @SuppressWarnings("ReferenceEquality") // a proxy equals only itself
  public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args)
      throws Throwable {
    return switch (method.getName()) {
      case "supports" -> GATED.contains(eventName(args));
      case "canHandleInTransaction" -> true;
      case "handle" -> {
        if (GATED.contains(eventName(args))) {
          gate.requireAllowed(((Context) requireNonNull(requireNonNull(args)[1])).getConnection());
          LOG.info("planeguard migration gate: Flyway may run {}", eventName(args));
        }
        yield null;
      }
      case "getCallbackName", "toString" -> NAME;
      case "hashCode" -> System.identityHashCode(proxy);
      case "equals" -> args != null && proxy == args[0];
      default -> {
        if (method.isDefault()) {
          yield InvocationHandler.invokeDefault(proxy, method, args);
        }
        throw new UnsupportedOperationException(NAME + " does not implement " + method.getName());
      }
    };
  }

  private static String eventName(@Nullable Object[] args) {
    Object event = args == null ? null : args[0];
    return event instanceof Enum<?> e ? e.name() : String.valueOf(event);
  }
}
