package dev.planeguard.internal;

import java.net.URI;
import java.util.Locale;

/** Small URL predicates for configuration checks. */
public final class Urls {

  private Urls() {}

  /**
   * Whether {@code uri} names a loopback host: {@code localhost}, an address in {@code
   * 127.0.0.0/8}, or {@code [::1]}. Decided from the text only; nothing is resolved.
   */
  public static boolean isLoopback(URI uri) {
    String host = uri.getHost();
    if (host == null) {
      return false;
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.equals("localhost") || host.equals("[::1]") || host.equals("::1")) {
      return true;
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty()
          || part.length() > 3
          || !part.chars().allMatch(Character::isDigit)
          || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }
}
