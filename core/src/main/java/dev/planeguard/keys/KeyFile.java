package dev.planeguard.keys;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.ConfigurationException;
import dev.planeguard.Problem;
import dev.planeguard.internal.KeyFileContent;
import dev.planeguard.internal.Text;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key file: the embedded {@link KeyStore}, one {@link KeyRecord} a line (JSON Lines).
 * <!-- not java -->
 *
 * <pre>{@code
 * # machine keys of the billing service
 * {"id":"k7xq2m4p3ra3w5tz","kind":"mk","mode":"prod","hash":"sha256:…","tenant":"acme","scopes":["runs:write"],"status":"active"}
 * }</pre>
 *
 * <p>Blank lines and lines starting with {@code #} are ignored. {@link #open} refuses a file with
 * any bad line, listing every one by number (never its content), and a file that every user of the
 * machine may write (anyone could add a key).
 *
 * <h2>Reloading</h2>
 *
 * <p>{@link #reload()} reads the file again. If its bytes changed and every line is valid, the new
 * set of keys replaces the old one in one step: a lookup sees the old set or the new one, never a
 * mixture, and never a half-read file. If the file is invalid, unreadable or gone, the last good
 * set stays in use, the error is logged once (logger {@code planeguard.keys}, with line numbers)
 * and reported by {@link #problem()} until a good file is read. {@link #watch} calls {@link
 * #reload()} on a background thread every interval, so a revocation written to the file is enforced
 * within that interval.
 *
 * <h2>Writing</h2>
 *
 * <p>The {@link KeyStore.Writable} methods (used by {@link KeyLifecycle} and {@code planeguard
 * keys}) re-read the file under a lock — an in-process lock and an OS file lock on {@code
 * FILE.lock} beside it, so concurrent writers in several processes take turns — change only the
 * lines they mean to (comments and order are kept), write a temporary file in the same directory,
 * flush it to disk and move it over the file atomically. A server reading the file meanwhile sees
 * the old file or the new one. A new file is readable and writable by its owner only; a rewritten
 * file keeps its permissions. Writes refuse to touch a file that is invalid.
 *
 * <p>Anyone else editing the file should do the same (write a copy, rename it over the file): a
 * reload that catches an in-place edit half done keeps the last good set if the half-written file
 * is invalid, but a file cut at a line boundary is valid and holds fewer keys until the next
 * reload.
 *
 * <h2>Usage</h2>
 *
 * <p>As a {@link KeyStore.UsageRecording}, a key file keeps the first and last use of each key in a
 * file of its own beside it, {@code FILE.usage} (JSON Lines, one line a key), so that the key file
 * itself is never written on use and may be mounted read-only. The usage file is created readable
 * and writable by its owner only and replaced atomically on every write, under an OS lock on {@code
 * FILE.usage.lock}. If its directory is not writable, uses are not recorded and keys keep working.
 *
 * <p>Instances are thread-safe. {@link #close()} stops the background reload of {@link #watch}.
 */
public final class KeyFile implements KeyStore.Writable, KeyStore.UsageRecording, AutoCloseable {

  /** The reload interval adapters use unless configured otherwise: 2 seconds. */
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger("planeguard.keys");
  private static final ConcurrentHashMap<Path, ReentrantLock> WRITERS = new ConcurrentHashMap<>();
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final String USAGE_SUFFIX = ".usage";
  private static final String USAGE_HEADER =
      "# first and last use of each key of the key file beside this one, written by planeguard\n";

  private final Path path;
  private final Object reloadLock = new Object();
  private volatile KeyFileContent content;
  private volatile @Nullable Problem problem;
  private volatile @Nullable ScheduledExecutorService poller;

  private KeyFile(Path path, KeyFileContent content) {
    this.path = path;
    this.content = content;
  }

  /**
   * Reads a key file. Call {@link #reload()} to pick up changes, or use {@link #watch}.
   *
   * @throws ConfigurationException if the file cannot be read, is writable by others, or has any
   *     bad line (each listed with its line number)
   */
  public static KeyFile open(Path path) {
    requireNonNull(path, "path");
    return new KeyFile(path, KeyFileContent.parse(read(path), path.toString()));
  }

  /**
   * Reads a key file, creating it empty (owner-only permissions where the file system has POSIX
   * permissions) if it does not exist. For tools that add the first key.
   *
   * @throws ConfigurationException as {@link #open}
   * @throws UncheckedIOException if the file cannot be created
   */
  public static KeyFile openOrCreate(Path path) {
    requireNonNull(path, "path");
    if (!Files.exists(path)) {
      try {
        if (posix(path.toAbsolutePath().getParent())) {
          Files.createFile(path, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
          Files.createFile(path);
        }
      } catch (FileAlreadyExistsException e) {
        // created meanwhile by someone else: read theirs
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the key file " + path, e);
      }
    }
    return open(path);
  }

  /**
   * Reads a key file and reloads it every {@code interval} on a daemon thread until {@link
   * #close()}. A revocation written to the file is enforced within {@code interval} (plus the time
   * to read the file).
   *
   * @param interval from 10 milliseconds to 1 hour; {@link #DEFAULT_RELOAD_INTERVAL} is a good
   *     choice
   * @throws ConfigurationException as {@link #open}
   * @throws IllegalArgumentException if {@code interval} is out of range
   */
  @SuppressWarnings("FutureReturnValueIgnored") // reload() never throws; close() ends the task
  public static KeyFile watch(Path path, Duration interval) {
    requireNonNull(interval, "interval");
    if (interval.toMillis() < 10 || interval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("the reload interval must be between 10 ms and 1 hour");
    }
    KeyFile file = open(path);
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "planeguard-key-file");
              t.setDaemon(true);
              return t;
            });
    long millis = interval.toMillis();
    executor.scheduleWithFixedDelay(file::reload, millis, millis, TimeUnit.MILLISECONDS);
    file.poller = executor;
    return file;
  }

  /** The file. */
  public Path path() {
    return path;
  }

  /**
   * Reads the file again and, if it changed and is valid, replaces the set of keys in one step.
   * Never throws: an unreadable or invalid file keeps the last good set, is logged at ERROR (once
   * per distinct problem) and reported by {@link #problem()}.
   *
   * @return whether a new set of keys is now in use
   */
  public boolean reload() {
    synchronized (reloadLock) {
      try {
        byte[] bytes = read(path);
        if (content.sameAs(bytes)) {
          problem = null;
          return false;
        }
        KeyFileContent parsed = KeyFileContent.parse(bytes, path.toString());
        content = parsed;
        problem = null;
        LOG.info("planeguard key file {} reloaded: {} keys", path, parsed.index().size());
        return true;
      } catch (ConfigurationException e) {
        failed(e.problems().get(0), e.getMessage());
        return false;
      } catch (RuntimeException e) {
        failed(new Problem(path.toString(), "cannot be reloaded", "see the log"), Text.describe(e));
        return false;
      }
    }
  }

  private void failed(Problem p, @Nullable String message) {
    if (!p.equals(problem)) {
      LOG.error(
          "planeguard key file {} not reloaded; the last good set of {} keys stays in use: {}",
          path,
          content.index().size(),
          message);
    }
    problem = p;
  }

  /**
   * Why the last {@link #reload()} kept the previous keys (the first problem, with its line
   * number), or {@code null} if it succeeded or found the file unchanged. For health checks.
   */
  public @Nullable Problem problem() {
    return problem;
  }

  @Override
  public @Nullable KeyRecord findById(String id) {
    return content.index().byId(id);
  }

  @Override
  public @Nullable KeyRecord findByHash(String hash) {
    return content.index().legacyByHash(hash);
  }

  /** The keys in use, in file order. */
  @Override
  public List<KeyRecord> records() {
    return content.index().records();
  }

  /**
   * Appends a record to the file.
   *
   * @throws IllegalArgumentException if a record with the same id or hash exists
   * @throws ConfigurationException if the file on disk is invalid (it is left untouched)
   * @throws UncheckedIOException if the file cannot be written
   */
  @Override
  public void add(KeyRecord record) {
    requireNonNull(record, "record");
    modify(current -> new Change<>(current.append(record), record));
  }

  /**
   * Marks a key revoked in the file, at once.
   *
   * @throws java.util.NoSuchElementException if the file has no record with this id
   * @throws ConfigurationException if the file on disk is invalid (it is left untouched)
   * @throws UncheckedIOException if the file cannot be written
   */
  @Override
  public KeyRecord revoke(String id) {
    requireNonNull(id, "id");
    return modify(
        current -> {
          KeyRecord revoked = current.index().revoked(id);
          return new Change<>(
              revoked.equals(current.index().byId(id)) ? current : current.replace(revoked),
              revoked);
        });
  }

  /**
   * Rotates a key in one write: the old record's {@code notAfter} becomes the earlier of its own
   * and {@code retireAt}, and {@code successor} is appended.
   *
   * @throws java.util.NoSuchElementException if the file has no record with this id
   * @throws IllegalStateException if that key is revoked
   * @throws IllegalArgumentException if the successor's id or hash exists
   * @throws ConfigurationException if the file on disk is invalid (it is left untouched)
   * @throws UncheckedIOException if the file cannot be written
   */
  @Override
  public KeyRecord rotate(String id, Instant retireAt, KeyRecord successor) {
    requireNonNull(id, "id");
    requireNonNull(retireAt, "retireAt");
    requireNonNull(successor, "successor");
    return modify(
        current -> {
          KeyRecord retired = current.index().retired(id, retireAt);
          return new Change<>(current.replace(retired).append(successor), retired);
        });
  }

  /**
   * Records uses in {@code FILE.usage}: read, merged (a first use is set once, a last use only
   * moves forward) and written to a temporary file moved over it atomically. The key file is not
   * touched.
   *
   * @throws UncheckedIOException if the usage file cannot be written; the message names the file
   *     and the fix, never a key or a hash
   */
  @Override
  public void recordUsage(Map<String, KeyUsage> uses) {
    requireNonNull(uses, "uses");
    if (uses.isEmpty()) {
      return;
    }
    Path target = usagePath();
    ReentrantLock writer = WRITERS.computeIfAbsent(target, p -> new ReentrantLock());
    writer.lock();
    try (FileChannel lockChannel = openLockFile(target)) {
      lockChannel.lock(); // released when the channel closes
      Map<String, KeyUsage> merged = new TreeMap<>(readUsage(target));
      uses.forEach((id, use) -> merged.merge(id, use, KeyFile::laterUse));
      write(target, usageBytes(merged));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the key usage file "
              + target
              + " ("
              + e.getClass().getSimpleName()
              + "); make its directory writable by this process, or turn key usage recording off"
              + " (docs/keys.md)",
          e);
    } finally {
      writer.unlock();
    }
  }

  /**
   * The first and last use of each key as recorded in {@code FILE.usage}; empty if there is no such
   * file. A key file does not know when a key was created: {@link KeyUsage#created()} is always
   * {@code null}. Lines that are not valid are skipped.
   *
   * @throws UncheckedIOException if the usage file exists but cannot be read
   */
  @Override
  public Map<String, KeyUsage> usage() {
    Path target = usagePath();
    try {
      return Map.copyOf(readUsage(target));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the key usage file " + target + " (" + e.getClass().getSimpleName() + ")",
          e);
    }
  }

  /** {@code FILE.usage} beside the real file, as the writers' lock file. */
  private Path usagePath() {
    Path target = target();
    return target.resolveSibling(target.getFileName() + USAGE_SUFFIX);
  }

  /** A recorded use merged with a newer one: the first use stays, the last only moves forward. */
  private static KeyUsage laterUse(KeyUsage recorded, KeyUsage used) {
    Instant first = recorded.firstUsed() != null ? recorded.firstUsed() : used.firstUsed();
    Instant last = recorded.lastUsed();
    Instant newer = used.lastUsed();
    if (last == null || (newer != null && newer.isAfter(last))) {
      last = newer;
    }
    return new KeyUsage(null, first, last);
  }

  private static Map<String, KeyUsage> readUsage(Path usageFile) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(usageFile, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Map.of();
    } catch (CharacterCodingException e) {
      return Map.of(); // not ours, or damaged: written again whole by the next use
    }
    Map<String, KeyUsage> usage = new HashMap<>();
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      try {
        Map<String, Object> json = JSONObjectUtils.parse(trimmed);
        if (json.get("id") instanceof String id
            && json.get("firstUsed") instanceof String first
            && json.get("lastUsed") instanceof String last) {
          usage.put(id, new KeyUsage(null, Instant.parse(first), Instant.parse(last)));
        }
      } catch (ParseException | RuntimeException e) {
        // A damaged line says nothing reliable about any key; the others still do.
      }
    }
    return usage;
  }

  private static byte[] usageBytes(Map<String, KeyUsage> usage) {
    StringBuilder sb = new StringBuilder(USAGE_HEADER);
    usage.forEach(
        (id, use) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("id", id);
          m.put("firstUsed", String.valueOf(use.firstUsed()));
          m.put("lastUsed", String.valueOf(use.lastUsed()));
          sb.append(JSONObjectUtils.toJSONString(m)).append('\n');
        });
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Stops the background reload of {@link #watch}, if any. Lookups keep working. */
  @Override
  public void close() {
    ScheduledExecutorService p = poller;
    if (p != null) {
      p.shutdownNow();
    }
  }

  /** The path and the number of keys; never a hash. */
  @Override
  public String toString() {
    return "KeyFile{" + path + ", " + content.index().size() + " keys}";
  }

  private record Change<T>(KeyFileContent content, T result) {}

  /**
   * Read-modify-write under the writers' locks. The new content is installed under the reload lock
   * so that a reload that read the file before this write cannot install older keys after it.
   */
  private <T> T modify(Function<KeyFileContent, Change<T>> change) {
    Path target = target();
    ReentrantLock writer = WRITERS.computeIfAbsent(target, p -> new ReentrantLock());
    writer.lock();
    try (FileChannel lockChannel = openLockFile(target)) {
      lockChannel.lock(); // released when the channel closes
      KeyFileContent current =
          Files.exists(target)
              ? KeyFileContent.parse(read(target), path.toString())
              : KeyFileContent.EMPTY;
      Change<T> c = change.apply(current);
      synchronized (reloadLock) {
        if (c.content() != current || !Files.exists(target)) {
          write(target, c.content().bytes());
        }
        content = c.content();
        problem = null;
      }
      return c.result();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the key file " + path, e);
    } finally {
      writer.unlock();
    }
  }

  /** The file to write: the real file behind a symbolic link, so the link stays a link. */
  private Path target() {
    try {
      return Files.exists(path) ? path.toRealPath() : path.toAbsolutePath().normalize();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve the key file " + path, e);
    }
  }

  private static FileChannel openLockFile(Path target) throws IOException {
    Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
    Set<StandardOpenOption> options =
        EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    if (posix(target.getParent())) {
      return FileChannel.open(lockFile, options, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    }
    return FileChannel.open(lockFile, options);
  }

  /**
   * Writes {@code bytes} to a temporary file beside {@code target}, forces it to disk, gives it the
   * target's permissions (owner-only for a new file) and moves it over {@code target} atomically.
   */
  private static void write(Path target, byte[] bytes) throws IOException {
    Path dir = requireNonNull(target.getParent(), "the key file needs a directory");
    boolean posix = posix(dir);
    Set<PosixFilePermission> permissions =
        posix && Files.exists(target) ? Files.getPosixFilePermissions(target) : OWNER_ONLY;
    FileAttribute<?>[] attributes =
        posix
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
            : new FileAttribute<?>[0];
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", attributes);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          ch.write(buffer);
        }
        ch.force(true);
      }
      if (posix) {
        Files.setPosixFilePermissions(tmp, permissions);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(
            "the file system of " + dir + " cannot replace files atomically; key files need it", e);
      }
      forceDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Makes the rename durable where the platform allows opening a directory; else skips it. */
  private static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      // Not supported on this platform (Windows): the rename is still atomic.
    }
  }

  /**
   * The file's bytes, refused if every user may write it.
   *
   * @throws ConfigurationException if it cannot be read or is writable by others
   */
  private static byte[] read(Path path) {
    try {
      if (posix(path)
          && Files.getPosixFilePermissions(path).contains(PosixFilePermission.OTHERS_WRITE)) {
        throw new ConfigurationException(
            "Invalid key file " + path,
            List.of(
                new Problem(
                    path.toString(),
                    "is writable by every user of this machine, who could add a key",
                    "chmod o-w " + path)));
      }
      return Files.readAllBytes(path);
    } catch (IOException e) {
      String why = e instanceof NoSuchFileException ? "does not exist" : "cannot be read";
      throw new ConfigurationException(
          "Invalid key file " + path,
          List.of(
              new Problem(
                  path.toString(),
                  why + " (" + e.getClass().getSimpleName() + ")",
                  "check the path and that this process may read it; create it with planeguard"
                      + " keys new")));
    }
  }

  private static boolean posix(@Nullable Path path) {
    if (path == null) {
      return false;
    }
    try {
      return Files.getFileStore(Files.exists(path) ? path : path.toAbsolutePath().getRoot())
          .supportsFileAttributeView(PosixFileAttributeView.class);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
