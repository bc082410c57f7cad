package dev.planeguard.secrets;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A secret value resolved by {@link Secrets}: an HS signing secret, a database password, a pepper.
 *
 * <p>Nothing but {@link #reveal()} and {@link #bytes()} gives the value away: {@link #toString()}
 * names the variable and where the value came from, never the value or its length; equality is
 * identity (two secrets are never compared by value, so neither {@code equals} nor {@code hashCode}
 * can be used to probe one); the class is not {@link java.io.Serializable}. Call {@link #reveal()}
 * only where the value is handed to the code that uses it, never to build a message.
 */
public final class Secret {

  /** Where a secret's value came from, in the order {@link Secrets} looks. */
  public enum Source {
    /** A file named by {@code NAME_FILE}, such as a mounted Docker or Kubernetes secret. */
    FILE,
    /** The environment variable {@code NAME}. */
    ENVIRONMENT,
    /** The default the application configured for {@code NAME}. */
    DEFAULT
  }

  private final String name;
  private final Source source;
  private final @Nullable Path file;
  private final String value;

  Secret(String name, Source source, @Nullable Path file, String value) {
    this.name = requireNonNull(name, "name");
    this.source = requireNonNull(source, "source");
    this.file = file;
    this.value = requireNonNull(value, "value");
  }

  /** The variable the secret was resolved for ({@code NAME}, without {@code _FILE}). */
  public String name() {
    return name;
  }

  /** Where the value came from. */
  public Source source() {
    return source;
  }

  /** The file the value was read from, or {@code null} unless {@link #source()} is {@code FILE}. */
  public @Nullable Path file() {
    return file;
  }

  /** The value. Hand it to the code that needs it; never log it or put it in a message. */
  public String reveal() {
    return value;
  }

  /** The value as UTF-8, in a new array the caller may wipe. */
  public byte[] bytes() {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code Secret{name=NAME, source=file /run/secrets/name}}: never the value. */
  @Override
  public String toString() {
    return "Secret{name="
        + name
        + ", source="
        + source.name().toLowerCase(Locale.ROOT)
        + (file == null ? "" : " " + file)
        + "}";
  }
}
