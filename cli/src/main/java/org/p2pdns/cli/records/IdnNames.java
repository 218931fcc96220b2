package org.p2pdns.cli.records;

import com.ibm.icu.text.IDNA;
import java.util.Locale;
import org.p2pdns.cli.CliException;

/**
 * Turns names people type (U-labels such as {@code bücher.p2p}) into the lower-case ASCII form
 * every rule and the wire use ({@code xn--bcher-kva.p2p}), by UTS #46 (nontransitional, as
 * browsers and IDNA2008 registries do). ICU4J is used because {@link java.net.IDN} implements only
 * IDNA2003 with Unicode 3.2: it maps {@code ß} to {@code ss} and rejects newer characters.
 *
 * <p>STD3 rules are not applied here: labels such as {@code _443} and {@code *} are valid inside a
 * registered subtree, and the name rules of {@link org.p2pdns.common.name.DomainNames} judge the
 * ASCII result.
 */
public final class IdnNames {
  private static final IDNA UTS46 = IDNA.getUTS46Instance(IDNA.NONTRANSITIONAL_TO_ASCII
      | IDNA.NONTRANSITIONAL_TO_UNICODE | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ
      | IDNA.CHECK_CONTEXTO);

  private IdnNames() {}

  /**
   * The ASCII form of {@code name}, lower case, without a trailing dot (a trailing dot in the
   * input is accepted and dropped).
   */
  public static String toAscii(String name) throws CliException {
    String trimmed = name.trim();
    if (trimmed.isEmpty()) {
      throw CliException.usage("empty name");
    }
    boolean absolute = trimmed.endsWith(".") || trimmed.endsWith("。");
    String body = absolute ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    if (body.isEmpty()) {
      throw CliException.usage("'" + name + "' is not a name");
    }
    if (body.chars().allMatch(c -> c < 0x80)) {
      // Plain ASCII needs no mapping; leave labels like _tcp and * alone.
      return body.toLowerCase(Locale.ROOT);
    }
    StringBuilder out = new StringBuilder();
    IDNA.Info info = new IDNA.Info();
    UTS46.nameToASCII(body, out, info);
    if (info.hasErrors()) {
      throw CliException.usage("'" + name + "' is not a valid internationalized name (UTS #46: "
          + info.getErrors() + ")");
    }
    return out.toString().toLowerCase(Locale.ROOT);
  }

  /** The Unicode form for display; the ASCII form itself when it has no A-labels or errors. */
  public static String toUnicode(String asciiName) {
    if (!asciiName.contains("xn--")) {
      return asciiName;
    }
    StringBuilder out = new StringBuilder();
    IDNA.Info info = new IDNA.Info();
    UTS46.nameToUnicode(asciiName, out, info);
    return info.hasErrors() ? asciiName : out.toString();
  }
}
