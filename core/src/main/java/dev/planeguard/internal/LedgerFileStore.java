package dev.planeguard.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger as JSON Lines files: an active file, appended to and forced to disk per batch, and the
 * files it was rotated into, named {@code <active>.<first sequence number, 12 digits>}. The chain
 * continues across files. Files are created {@code 0600} where the file system has POSIX
 * permissions.
 *
 * <p>A batch that fails (disk full) is cut off again, so the file ends with the last whole entry.
 * After each batch the active path is checked to still be the file written: a ledger removed or
 * replaced under the process is noticed, the batch is written again to a new file, and the chain
 * goes on there (its verification then reports the missing start, which is what happened).
 */
public final class LedgerFileStore implements LedgerStore {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard.audit.ledger");
  private static final Pattern DIGITS = Pattern.compile("\\d{12}");

  private final Path active;
  private final long rotateBytes;
  private final boolean rotateDaily;

  private @Nullable FileChannel channel;
  private @Nullable Object fileKey;
  private long size;
  // The first sequence number in the active file (-1 when empty) and the day it was opened, for
  // the name a rotation gives it and for rotation by day.
  private long firstSeq = -1;
  private @Nullable LocalDate day;

  /**
   * @param active the active ledger file
   * @param rotateBytes rotate when the active file reaches this size (0: never by size)
   * @param rotateDaily rotate when the UTC day changes
   */
  public LedgerFileStore(Path active, long rotateBytes, boolean rotateDaily) {
    this.active = active.toAbsolutePath().normalize();
    this.rotateBytes = rotateBytes;
    this.rotateDaily = rotateDaily;
  }

  /** The files of the ledger whose active file is {@code active}, oldest first, active last. */
  public static List<Path> files(Path active) throws IOException {
    Path file = active.toAbsolutePath().normalize();
    Path dir = Objects.requireNonNull(file.getParent());
    String prefix = Objects.requireNonNull(file.getFileName()).toString() + ".";
    List<Path> rotated = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
        for (Path p : s) {
          String name = Objects.requireNonNull(p.getFileName()).toString();
          if (name.startsWith(prefix)
              && DIGITS.matcher(name.substring(prefix.length())).matches()) {
            rotated.add(p);
          }
        }
      }
    }
    rotated.sort(Comparator.comparing(p -> Objects.requireNonNull(p.getFileName()).toString()));
    if (Files.exists(file)) {
      rotated.add(file);
    }
    return rotated;
  }

  @Override
  public @Nullable Tail tail() throws IOException {
    List<Path> files = files(active);
    for (int i = files.size() - 1; i >= 0; i--) {
      Path f = files.get(i);
      boolean isActive = f.equals(active);
      String last = lastLine(f, isActive);
      if (last != null) {
        Map<String, @Nullable Object> entry = StrictJson.parseObject(last);
        if (entry == null || !(entry.get("seq") instanceof Long seq)) {
          throw new IOException(
              "the last line of "
                  + f
                  + " is not a ledger entry; move the file aside (it is evidence) and start again");
        }
        return new Tail(seq, LedgerFormat.hash(last));
      }
    }
    return null;
  }

  /**
   * The last whole line of {@code file}, or {@code null} if it has none. In the active file, bytes
   * after the last line end (a write cut short by a crash) are removed first.
   */
  private static @Nullable String lastLine(Path file, boolean repair) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file,
            repair
                ? new StandardOpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE}
                : new StandardOpenOption[] {StandardOpenOption.READ})) {
      long length = ch.size();
      long end = length;
      // Find the last '\n', then the one before it.
      long lastNewline = findBack(ch, end, '\n');
      if (lastNewline < 0) {
        if (length > 0 && repair) {
          LOG.warn(
              "audit ledger {}: removed {} bytes of an entry cut short (the process stopped while"
                  + " writing it)",
              file,
              length);
          ch.truncate(0);
          ch.force(true);
        }
        return null;
      }
      if (lastNewline != length - 1 && repair) {
        LOG.warn(
            "audit ledger {}: removed {} bytes of an entry cut short (the process stopped while"
                + " writing it)",
            file,
            length - lastNewline - 1);
        ch.truncate(lastNewline + 1);
        ch.force(true);
      }
      long start = findBack(ch, lastNewline, '\n') + 1;
      int n = (int) Math.min(lastNewline - start, LedgerFormat.MAX_LINE + 1L);
      ByteBuffer buf = ByteBuffer.allocate(n);
      while (buf.hasRemaining()) {
        if (ch.read(buf, start + buf.position()) < 0) {
          break;
        }
      }
      return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }
  }

  /** The position of the last {@code b} before {@code end}, or -1. */
  private static long findBack(FileChannel ch, long end, char b) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(8192);
    long pos = end;
    while (pos > 0) {
      int n = (int) Math.min(buf.capacity(), pos);
      buf.clear().limit(n);
      long from = pos - n;
      while (buf.hasRemaining()) {
        if (ch.read(buf, from + buf.position()) < 0) {
          break;
        }
      }
      for (int i = n - 1; i >= 0; i--) {
        if (buf.get(i) == b) {
          return from + i;
        }
      }
      pos = from;
    }
    return -1;
  }

  @Override
  public void append(List<String> lines, Instant now) throws IOException {
    if (lines.isEmpty()) {
      return;
    }
    FileChannel ch = open(now);
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    if (size > 0
        && ((rotateBytes > 0 && size >= rotateBytes) || (rotateDaily && !today.equals(day)))) {
      rotate();
      ch = open(now);
    }
    long before = size;
    // One copy of each line into the batch's bytes (no joined string in between).
    List<byte[]> encoded = new ArrayList<>(lines.size());
    int total = 0;
    for (String line : lines) {
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      encoded.add(b);
      total += b.length + 1;
    }
    byte[] bytes = new byte[total];
    int at = 0;
    for (byte[] b : encoded) {
      System.arraycopy(b, 0, bytes, at, b.length);
      at += b.length;
      bytes[at++] = '\n';
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes, 0, at);
    try {
      while (buf.hasRemaining()) {
        ch.write(buf, before + buf.position());
      }
      ch.force(false);
      if (!Objects.equals(currentKey(), fileKey)) {
        throw new NoSuchFileException(active.toString(), null, "removed or replaced");
      }
    } catch (IOException | RuntimeException e) {
      undo(before);
      throw e;
    }
    size = before + buf.limit();
    if (firstSeq < 0) {
      Long first = LedgerFormat.seqOf(lines.get(0));
      firstSeq = first == null ? -1 : first;
      day = today;
    }
  }

  private FileChannel open(Instant now) throws IOException {
    FileChannel ch = channel;
    if (ch != null) {
      return ch;
    }
    Path dir = Objects.requireNonNull(active.getParent());
    Files.createDirectories(dir);
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    List<FileAttribute<?>> attrs = new ArrayList<>();
    if (posix) {
      attrs.add(PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    ch =
        FileChannel.open(
            active,
            java.util.Set.of(
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
            attrs.toArray(new FileAttribute<?>[0]));
    channel = ch;
    fileKey = currentKey();
    size = ch.size();
    firstSeq = -1;
    day = LocalDate.ofInstant(now, ZoneOffset.UTC);
    if (size > 0) {
      // A file continued after a restart belongs to the day of its first entry.
      String first = firstLine(ch);
      Map<String, @Nullable Object> entry = first == null ? null : StrictJson.parseObject(first);
      if (entry != null) {
        firstSeq = entry.get("seq") instanceof Long seq ? seq : -1;
        if (entry.get("time") instanceof String time) {
          try {
            day = LocalDate.ofInstant(Instant.parse(time), ZoneOffset.UTC);
          } catch (DateTimeParseException e) {
            // keep today's
          }
        }
      }
    }
    return ch;
  }

  private static @Nullable String firstLine(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ch.size(), LedgerFormat.MAX_LINE));
    ch.read(buf, 0);
    String head = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    int nl = head.indexOf('\n');
    return nl < 0 ? null : head.substring(0, nl);
  }

  private @Nullable Object currentKey() throws IOException {
    try {
      return Files.readAttributes(active, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Cuts the active file back to {@code length} after a failed batch; if that fails too, or the
   * file is no longer the one at the path, the next append opens the path afresh.
   */
  private void undo(long length) {
    FileChannel ch = channel;
    try {
      if (ch != null && Objects.equals(currentKey(), fileKey)) {
        ch.truncate(length);
        return;
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("audit ledger {}: could not cut a failed batch off: {}", active, Text.describe(e));
    }
    closeChannel();
  }

  private void rotate() throws IOException {
    long first = firstSeq;
    closeChannel();
    Path target =
        active.resolveSibling(
            Objects.requireNonNull(active.getFileName()) + "." + String.format("%012d", first));
    Files.move(active, target, StandardCopyOption.ATOMIC_MOVE);
    LOG.info("audit ledger rotated: {} -> {}", active, target.getFileName());
  }

  private void closeChannel() {
    FileChannel ch = channel;
    channel = null;
    fileKey = null;
    size = 0;
    firstSeq = -1;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        LOG.debug("audit ledger {}: close failed: {}", active, Text.describe(e));
      }
    }
  }

  @Override
  public String describe() {
    return active.toString();
  }

  @Override
  public void close() {
    closeChannel();
  }
}
