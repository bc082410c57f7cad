package dev.planeguard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The public API of a module as text, one line per public or protected type and member with its
 * full generic signature, sorted, and a check against the snapshot checked in beside the module's
 * sources. A change of the public API fails the build until the snapshot is updated in the same
 * commit, so every API change is seen in review:
 *
 * <pre>
 * ./mvnw -pl core test -Dtest=ApiSnapshotTest -Dplaneguard.api.update=true
 * </pre>
 */
public final class ApiSnapshot {

  /** The system property that rewrites the snapshot instead of comparing. */
  public static final String UPDATE = "planeguard.api.update";

  private ApiSnapshot() {}

  /**
   * Checks the public API of the packages against {@code snapshot} (relative to the module's
   * directory, where Maven runs its tests).
   *
   * @param anchor a class of the module, to find its compiled classes
   * @param packages the exported packages, e.g. {@code dev.planeguard}
   */
  public static void check(Class<?> anchor, Path snapshot, String... packages) {
    String current = render(anchor, packages);
    if (Boolean.getBoolean(UPDATE)) {
      try {
        Files.createDirectories(snapshot.toAbsolutePath().getParent());
        Files.writeString(snapshot, current, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return;
    }
    String recorded;
    try {
      recorded = Files.readString(snapshot, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(
          "no API snapshot at " + snapshot + "; create it with -D" + UPDATE + "=true", e);
    }
    assertThat(current)
        .as(
            "the public API differs from %s: if the change is intended, update the snapshot with"
                + " -D%s=true and commit it with the change",
            snapshot, UPDATE)
        .isEqualTo(recorded);
  }

  /** The API of the packages as text. */
  public static String render(Class<?> anchor, String... packages) {
    Path root;
    try {
      root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    TreeSet<String> lines = new TreeSet<>();
    for (String pkg : packages) {
      for (String name : classNames(root, pkg)) {
        if (name.equals("package-info") || name.equals("module-info")) {
          continue;
        }
        Class<?> type = load(pkg + "." + name, anchor);
        if (visible(type)) {
          describe(type, lines);
        }
      }
    }
    return String.join("\n", lines) + "\n";
  }

  /** The simple binary names of the classes directly in {@code pkg}, in a directory or a jar. */
  private static List<String> classNames(Path root, String pkg) {
    String dir = pkg.replace('.', '/');
    List<String> names = new ArrayList<>();
    try {
      if (Files.isDirectory(root)) {
        Path packageDir = root.resolve(dir);
        if (!Files.isDirectory(packageDir)) {
          throw new IllegalStateException("no compiled classes of " + pkg + " in " + root);
        }
        try (Stream<Path> files = Files.list(packageDir)) {
          files.map(f -> f.getFileName().toString()).forEach(n -> addClass(n, names));
        }
      } else {
        try (JarFile jar = new JarFile(root.toFile())) {
          jar.stream()
              .map(JarEntry::getName)
              .filter(n -> n.startsWith(dir + "/") && n.indexOf('/', dir.length() + 1) < 0)
              .forEach(n -> addClass(n.substring(dir.length() + 1), names));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (names.isEmpty()) {
      throw new IllegalStateException("no compiled classes of " + pkg + " in " + root);
    }
    return names;
  }

  private static void addClass(String fileName, List<String> names) {
    if (fileName.endsWith(".class")) {
      names.add(fileName.substring(0, fileName.length() - ".class".length()));
    }
  }

  private static Class<?> load(String name, Class<?> anchor) {
    try {
      return Class.forName(name, false, anchor.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Public, and nested only in public types. */
  private static boolean visible(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
      if (!Modifier.isPublic(c.getModifiers()) || c.isSynthetic() || c.isAnonymousClass()) {
        return false;
      }
    }
    return true;
  }

  private static void describe(Class<?> type, TreeSet<String> lines) {
    String name = type.getName();
    lines.add(name + " " + kind(type) + supertypes(type));
    boolean extensible =
        !Modifier.isFinal(type.getModifiers()) && !type.isEnum() && !type.isRecord();
    if (type.isRecord()) {
      List<String> components = new ArrayList<>();
      for (RecordComponent c : type.getRecordComponents()) {
        components.add(c.getGenericType().getTypeName() + " " + c.getName());
      }
      lines.add(name + " record(" + String.join(", ", components) + ")");
    }
    for (Field f : type.getDeclaredFields()) {
      if (shown(f.getModifiers(), extensible) && !f.isSynthetic()) {
        lines.add(
            name
                + " "
                + modifiers(f.getModifiers())
                + "field "
                + f.getGenericType().getTypeName()
                + " "
                + f.getName());
      }
    }
    for (Constructor<?> c : type.getDeclaredConstructors()) {
      if (shown(c.getModifiers(), extensible) && !c.isSynthetic()) {
        lines.add(name + " " + modifiers(c.getModifiers()) + "new" + parameters(c));
      }
    }
    for (Method m : type.getDeclaredMethods()) {
      if (shown(m.getModifiers(), extensible) && !m.isSynthetic() && !m.isBridge()) {
        lines.add(
            name
                + " "
                + modifiers(m.getModifiers())
                + m.getGenericReturnType().getTypeName()
                + " "
                + m.getName()
                + parameters(m));
      }
    }
    for (Class<?> nested : type.getDeclaredClasses()) {
      if (visible(nested)) {
        describe(nested, lines);
      }
    }
  }

  private static boolean shown(int modifiers, boolean extensible) {
    return Modifier.isPublic(modifiers) || (extensible && Modifier.isProtected(modifiers));
  }

  private static String kind(Class<?> type) {
    if (type.isAnnotation()) {
      return "@interface";
    }
    if (type.isInterface()) {
      return (type.isSealed() ? "sealed " : "") + "interface";
    }
    if (type.isEnum()) {
      return "enum " + Arrays.stream(type.getEnumConstants()).map(String::valueOf).toList();
    }
    if (type.isRecord()) {
      return "record";
    }
    String mods = Modifier.isAbstract(type.getModifiers()) ? "abstract " : "";
    mods += Modifier.isFinal(type.getModifiers()) ? "final " : "";
    mods += type.isSealed() ? "sealed " : "";
    return mods + "class";
  }

  private static String supertypes(Class<?> type) {
    List<String> supers = new ArrayList<>();
    Type superclass = type.getGenericSuperclass();
    if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
      supers.add(superclass.getTypeName());
    }
    for (Type i : type.getGenericInterfaces()) {
      supers.add(i.getTypeName());
    }
    return supers.isEmpty() ? "" : " : " + String.join(", ", supers);
  }

  private static String modifiers(int modifiers) {
    StringBuilder sb = new StringBuilder();
    if (Modifier.isProtected(modifiers)) {
      sb.append("protected ");
    }
    if (Modifier.isStatic(modifiers)) {
      sb.append("static ");
    }
    if (Modifier.isFinal(modifiers)) {
      sb.append("final ");
    }
    if (Modifier.isAbstract(modifiers)) {
      sb.append("abstract ");
    }
    return sb.toString();
  }

  private static String parameters(Executable e) {
    List<String> params = new ArrayList<>();
    for (Type t : e.getGenericParameterTypes()) {
      params.add(t.getTypeName());
    }
    String throwsClause =
        e.getGenericExceptionTypes().length == 0
            ? ""
            : " throws "
                + String.join(
                    ", ",
                    Arrays.stream(e.getGenericExceptionTypes()).map(Type::getTypeName).toList());
    return "(" + String.join(", ", params) + ")" + throwsClause;
  }
}
