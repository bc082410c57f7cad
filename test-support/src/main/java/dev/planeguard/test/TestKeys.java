package dev.planeguard.test;

import static java.util.Objects.requireNonNull;

import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.test.internal.ProductionGuard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Machine and sandbox keys minted into a key file, for tests. Each key is generated exactly as
 * {@code planeguard keys new} generates it; only its hashed record is written to the file (JSON
 * Lines, one record a line), and the plaintext is handed to the test once, as an {@link ApiKey}
 * whose {@code toString()} never shows the secret.
 * <!-- example: TestKeys.inTemporaryFile -->
 *
 * <pre>{@code
 * try (TestKeys keys = TestKeys.inTemporaryFile()) {
 *   ApiKey runner = keys.machineKey().tenant("acme").scopes("runs:write").mint();
 *   ApiKey reader = keys.machineKey().tenant("acme").mint();
 *   ApiKey sandbox = keys.sandboxKey().mode(Mode.LOCAL).tenant("acme").mint();
 *
 *   // Point the service under test at keys.file() (PLANEGUARD_MACHINE_KEYS_FILE), then:
 *   // POST /api/v1/runs  with "X-AOS-Key: " + runner.value()   -> allowed
 *   // POST /api/v1/runs  with "X-AOS-Key: " + reader.value()   -> 403 INSUFFICIENT_SCOPE
 *
 *   keys.revoke(runner);                                        // rewrites the file atomically
 *   // POST /api/v1/runs  with runner                            -> 401 REVOKED_KEY
 * }
 * }</pre>
 *
 * <p>Keys are minted for mode {@code test} unless {@link KeyBuilder#mode} says otherwise; a key
 * works only in the mode it was minted for, so mint for the mode the service under test runs in (or
 * another one, to test {@code KEY_MODE_MISMATCH}).
 *
 * <p>Every change rewrites the whole file to a temporary file in the same directory and moves it
 * into place atomically, so a store that reloads the file never sees half a line. The file and its
 * temporary directory are readable by the owner only where the file system supports POSIX
 * permissions.
 *
 * <p>Refuses to run when {@code AOS_MODE} is {@code preprod}, {@code prod} or unknown. Instances
 * are thread-safe.
 */
public final class TestKeys implements AutoCloseable {

  /** The name of the key file inside the temporary directory of {@link #inTemporaryFile()}. */
  public static final String FILE_NAME = "planeguard-keys.jsonl";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path file;
  private final @Nullable Path ownedDirectory;

  // Guarded by this. Each entry is a KeyRecord or a raw line kept as written.
  private final List<Object> lines = new ArrayList<>();

  private TestKeys(Path file, @Nullable Path ownedDirectory) {
    this.file = file;
    this.ownedDirectory = ownedDirectory;
  }

  /**
   * Creates an empty key file in a new temporary directory; {@link #close()} deletes both.
   *
   * @throws dev.planeguard.ConfigurationException if {@code AOS_MODE} is preprod, prod or unknown
   */
  public static TestKeys inTemporaryFile() {
    ProductionGuard.check("TestKeys", System.getenv());
    try {
      Path dir =
          posix()
              ? Files.createTempDirectory("planeguard-keys", ownerOnly("rwx------"))
              : Files.createTempDirectory("planeguard-keys");
      TestKeys keys = new TestKeys(dir.resolve(FILE_NAME), dir);
      keys.write();
      return keys;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary key file", e);
    }
  }

  /**
   * Uses {@code file} (for example under JUnit's {@code @TempDir}): creates it empty, or replaces
   * what it holds. {@link #close()} leaves it in place.
   *
   * @throws dev.planeguard.ConfigurationException if {@code AOS_MODE} is preprod, prod or unknown
   */
  public static TestKeys at(Path file) {
    ProductionGuard.check("TestKeys", System.getenv());
    TestKeys keys = new TestKeys(file.toAbsolutePath(), null);
    keys.write();
    return keys;
  }

  /** The key file: give it to the service under test. */
  public Path file() {
    return file;
  }

  /** A builder for a machine key ({@code X-AOS-Key}, kind {@code mk}). */
  public KeyBuilder machineKey() {
    return new KeyBuilder(this, ApiKey.Kind.MACHINE);
  }

  /** A builder for a sandbox key ({@code X-AOS-Customer-Key}, kind {@code sk}). */
  public KeyBuilder sandboxKey() {
    return new KeyBuilder(this, ApiKey.Kind.SANDBOX);
  }

  /** Marks the key revoked in the file. */
  public void revoke(ApiKey key) {
    replace(key.id(), KeyRecord::revoked);
  }

  /**
   * Sets the key's {@code notAfter} in the file ({@code null} removes it). An instant in the past
   * makes the key expired.
   */
  public void notAfter(ApiKey key, @Nullable Instant notAfter) {
    replace(key.id(), r -> r.withNotAfter(notAfter));
  }

  /**
   * Appends {@code line} to the file exactly as given: a comment, a blank line, or a malformed
   * record for a store's error handling.
   *
   * @throws IllegalArgumentException if it contains a line break
   */
  public synchronized void appendLine(String line) {
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("one line at a time, without line breaks");
    }
    lines.add(line);
    write();
  }

  /** The records in the file, in file order. */
  public synchronized List<KeyRecord> records() {
    List<KeyRecord> out = new ArrayList<>();
    for (Object line : lines) {
      if (line instanceof KeyRecord r) {
        out.add(r);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Deletes the file and directory of {@link #inTemporaryFile()}; leaves a file given to {@link
   * #at(Path)} in place.
   */
  @Override
  public synchronized void close() {
    Path dir = ownedDirectory;
    if (dir == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the temporary key file", e);
    }
  }

  /** The file and how many records it holds; never a key. */
  @Override
  public synchronized String toString() {
    return "TestKeys{" + file + ", records=" + records().size() + "}";
  }

  private synchronized ApiKey mint(KeyBuilder b) {
    ApiKey key = ApiKey.generate(b.prefix, b.kind, b.mode, RANDOM);
    KeyRecord record = KeyRecord.of(key, b.tenant, b.scopes, b.notAfter);
    lines.add(b.revoked ? record.revoked() : record);
    write();
    return key;
  }

  private synchronized void replace(String id, java.util.function.UnaryOperator<KeyRecord> change) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i) instanceof KeyRecord r && r.id().equals(id)) {
        lines.set(i, change.apply(r));
        write();
        return;
      }
    }
    throw new IllegalArgumentException("no key with id " + id + " in " + file);
  }

  private synchronized void write() {
    StringBuilder sb = new StringBuilder();
    for (Object line : lines) {
      sb.append(line instanceof KeyRecord r ? r.toJsonLine() : (String) line).append('\n');
    }
    try {
      Path dir = requireNonNull(file.getParent(), "the key file needs a parent directory");
      Files.createDirectories(dir);
      Path tmp =
          posix()
              ? Files.createTempFile(dir, ".planeguard-keys", ".tmp", ownerOnly("rw-------"))
              : Files.createTempFile(dir, ".planeguard-keys", ".tmp");
      try {
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        try {
          Files.move(
              tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the key file " + file, e);
    }
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  private static FileAttribute<?> ownerOnly(String permissions) {
    return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions));
  }

  /**
   * One key to mint. Defaults: mode {@code test}, prefix {@code aos}, no tenant, no scopes, no
   * {@code notAfter}, active.
   */
  public static final class KeyBuilder {
    private final TestKeys keys;
    private final ApiKey.Kind kind;
    private Mode mode = Mode.TEST;
    private String prefix = ApiKey.DEFAULT_PREFIX;
    private @Nullable String tenant;
    private final Set<String> scopes = new LinkedHashSet<>();
    private @Nullable Instant notAfter;
    private boolean revoked;

    private KeyBuilder(TestKeys keys, ApiKey.Kind kind) {
      this.keys = keys;
      this.kind = kind;
    }

    /** The mode the key is issued for (it works only there). Default {@code test}. */
    public KeyBuilder mode(Mode mode) {
      this.mode = requireNonNull(mode, "mode");
      return this;
    }

    /** The key prefix, 2 to 8 lower-case letters. Default {@code aos}. */
    public KeyBuilder prefix(String prefix) {
      this.prefix = requireNonNull(prefix, "prefix");
      return this;
    }

    /** The tenant the key belongs to. Default none. */
    public KeyBuilder tenant(String tenant) {
      this.tenant = requireNonNull(tenant, "tenant");
      return this;
    }

    /** Scopes granted to the key (added to any given before). Default none. */
    public KeyBuilder scopes(String... scopes) {
      this.scopes.addAll(List.of(scopes));
      return this;
    }

    /** The instant after which the key stops working. Default never. */
    public KeyBuilder notAfter(Instant notAfter) {
      this.notAfter = requireNonNull(notAfter, "notAfter");
      return this;
    }

    /** Writes the record as revoked from the start. */
    public KeyBuilder revoked() {
      this.revoked = true;
      return this;
    }

    /**
     * Generates the key, appends its hashed record to the file and returns the key. Its {@link
     * ApiKey#value()} is the plaintext: send it, never log it.
     *
     * @throws IllegalArgumentException if the prefix, tenant or a scope is malformed
     */
    public ApiKey mint() {
      return keys.mint(this);
    }
  }
}
