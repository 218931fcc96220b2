package org.p2pdns.common.name;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Name rules. On the wire and in every rule, names are lower-case ASCII without a trailing dot
 * (IDNs as A-labels). A registrable name is one LDH label directly under a network suffix.
 */
public final class DomainNames {
  public static final int MAX_NAME_LENGTH = 253;
  public static final int MAX_LABEL_LENGTH = 63;

  private DomainNames() {}

  /** Lower-cases and strips one trailing dot; does not validate. */
  public static String normalize(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /** A host-name label: letters, digits and inner hyphens (RFC 952/1123), 1-63 characters. */
  public static boolean isLdhLabel(String label) {
    int n = label.length();
    if (n == 0 || n > MAX_LABEL_LENGTH || label.charAt(0) == '-' || label.charAt(n - 1) == '-') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = label.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /**
   * A label allowed below a registered name: LDH, or a service label such as {@code _443} or
   * {@code _tcp}, or the wildcard {@code *}.
   */
  public static boolean isSubtreeLabel(String label) {
    if (label.equals("*")) {
      return true;
    }
    if (label.startsWith("_") && label.length() > 1) {
      String rest = label.substring(1);
      return rest.length() < MAX_LABEL_LENGTH && rest.chars().allMatch(
          c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
    }
    return isLdhLabel(label);
  }

  /** Whether {@code name} is {@code ancestor} or lies below it. Both normalized. */
  public static boolean isAtOrBelow(String name, String ancestor) {
    return name.equals(ancestor)
        || (name.length() > ancestor.length() && name.endsWith(ancestor)
            && name.charAt(name.length() - ancestor.length() - 1) == '.');
  }

  /** The suffix of {@code suffixes} that {@code name} is at or below, the longest first. */
  public static Optional<String> suffixOf(String name, List<String> suffixes) {
    String best = null;
    for (String s : suffixes) {
      if (isAtOrBelow(name, s) && (best == null || s.length() > best.length())) {
        best = s;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * The registrable name that owns {@code name}: the label directly under its suffix plus the
   * suffix. Empty when {@code name} is not under a suffix or is the suffix itself.
   */
  public static Optional<String> registrableOf(String name, List<String> suffixes) {
    Optional<String> suffix = suffixOf(name, suffixes);
    if (suffix.isEmpty() || name.equals(suffix.get())) {
      return Optional.empty();
    }
    String head = name.substring(0, name.length() - suffix.get().length() - 1);
    int dot = head.lastIndexOf('.');
    return Optional.of(head.substring(dot + 1) + "." + suffix.get());
  }

  /** Why {@code name} is not a registrable name under {@code suffixes}, or empty if it is. */
  public static Optional<String> registrableProblem(String name, List<String> suffixes) {
    if (!name.equals(normalize(name)) || name.isEmpty()) {
      return Optional.of("name '" + name + "' is not lower-case without a trailing dot");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      return Optional.of("name is longer than " + MAX_NAME_LENGTH + " characters");
    }
    Optional<String> suffix = suffixOf(name, suffixes);
    if (suffix.isEmpty()) {
      return Optional.of("name '" + name + "' is not under a network suffix " + suffixes);
    }
    if (name.equals(suffix.get())) {
      return Optional.of("the suffix '" + name + "' itself cannot be registered");
    }
    String label = name.substring(0, name.length() - suffix.get().length() - 1);
    if (label.contains(".")) {
      return Optional.of("only one label directly under the suffix can be registered; '" + name
          + "' is a name inside " + registrableOf(name, suffixes).orElse("?"));
    }
    if (!isLdhLabel(label)) {
      return Optional.of("label '" + label + "' is not letters, digits and inner hyphens, "
          + "1-63 characters (IDNs as A-labels: xn--...)");
    }
    return Optional.empty();
  }

  /** Why {@code name} is not a valid owner name inside {@code registered}, or empty if it is. */
  public static Optional<String> subtreeProblem(String name, String registered) {
    if (!isAtOrBelow(name, registered)) {
      return Optional.of("'" + name + "' lies outside " + registered);
    }
    if (name.length() > MAX_NAME_LENGTH) {
      return Optional.of("'" + name + "' is longer than " + MAX_NAME_LENGTH + " characters");
    }
    if (name.equals(registered)) {
      return Optional.empty();
    }
    String head = name.substring(0, name.length() - registered.length() - 1);
    String[] labels = head.split("\\.", -1);
    for (int i = 0; i < labels.length; i++) {
      if (!isSubtreeLabel(labels[i])) {
        return Optional.of("'" + name + "' has a bad label '" + labels[i] + "'");
      }
      if (labels[i].equals("*") && i != 0) {
        return Optional.of("'" + name + "': a wildcard must be the leftmost label");
      }
    }
    return Optional.empty();
  }
}
