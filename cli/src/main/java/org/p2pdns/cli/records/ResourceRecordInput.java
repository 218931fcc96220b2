package org.p2pdns.cli.records;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.p2pdns.cli.CliException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The resource records of a registration, from the command-line flags ({@code --a},
 * {@code --mx "10 mail"}, ...) and from a zone file. All of them belong to the registered name
 * itself; a zone file can hold records anywhere in its subtree.
 */
public final class ResourceRecordInput {
  /** The longest character-string in a TXT record (RFC 1035 3.3.14). */
  private static final int TXT_CHUNK = 255;

  private ResourceRecordInput() {}

  /** The DNS name of a registered name (an ASCII name without trailing dot). */
  public static Name origin(String asciiName) throws CliException {
    try {
      return Name.fromString(asciiName + ".");
    } catch (TextParseException e) {
      throw CliException.usage("'" + asciiName + "' is not a DNS name: " + e.getMessage());
    }
  }

  /**
   * A host name given in a flag value. {@code @} is the registered name; a name without a dot
   * ({@code mail}) is relative to it; a name with a dot is taken as written (a trailing dot is
   * allowed), so {@code mail.example.p2p} and {@code mx.example.com} mean what they say.
   * Internationalized names become A-labels.
   */
  public static Name host(String text, Name origin) throws CliException {
    String t = text.trim();
    if (t.equals("@")) {
      return origin;
    }
    String ascii = IdnNames.toAscii(t);
    boolean relative = !t.endsWith(".") && !ascii.contains(".");
    try {
      return relative ? Name.fromString(ascii, origin) : Name.fromString(ascii + ".");
    } catch (TextParseException e) {
      throw CliException.usage("'" + text + "' is not a host name: " + e.getMessage());
    }
  }

  /** The records the RR flags describe, all owned by {@code origin}, with TTL {@code ttl}. */
  public static List<Record> fromFlags(Name origin, long ttl, List<String> a, List<String> aaaa,
      List<String> txt, List<String> mx, String cname, List<String> ns) throws CliException {
    List<Record> out = new ArrayList<>();
    for (String ip : a) {
      byte[] addr = Address.toByteArray(ip.trim(), Address.IPv4);
      if (addr == null) {
        throw CliException.usage("--a " + ip + ": not an IPv4 address");
      }
      out.add(new ARecord(origin, DClass.IN, ttl, addr));
    }
    for (String ip : aaaa) {
      byte[] addr = Address.toByteArray(ip.trim(), Address.IPv6);
      if (addr == null) {
        throw CliException.usage("--aaaa " + ip + ": not an IPv6 address");
      }
      out.add(new AAAARecord(origin, DClass.IN, ttl, addr));
    }
    for (String text : txt) {
      out.add(txtRecord(origin, ttl, text));
    }
    for (String value : mx) {
      String[] parts = value.trim().split("\\s+");
      if (parts.length != 2) {
        throw CliException.usage("--mx '" + value + "': give \"PREFERENCE HOST\", like "
            + "\"10 mail\"");
      }
      int pref;
      try {
        pref = Integer.parseInt(parts[0]);
      } catch (NumberFormatException e) {
        pref = -1;
      }
      if (pref < 0 || pref > 0xFFFF) {
        throw CliException.usage("--mx '" + value + "': the preference is a number 0-65535");
      }
      out.add(new MXRecord(origin, DClass.IN, ttl, pref, host(parts[1], origin)));
    }
    if (cname != null) {
      out.add(new CNAMERecord(origin, DClass.IN, ttl, host(cname, origin)));
    }
    for (String server : ns) {
      out.add(new NSRecord(origin, DClass.IN, ttl, host(server, origin)));
    }
    return out;
  }

  /**
   * One TXT record holding {@code text} as UTF-8, split into 255-byte character-strings when
   * longer (resolvers join them). The text is taken literally: no zone-file escapes.
   */
  static Record txtRecord(Name origin, long ttl, String text) throws CliException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream rdata = new ByteArrayOutputStream(bytes.length + bytes.length / 255 + 1);
    int pos = 0;
    do {
      int n = Math.min(TXT_CHUNK, bytes.length - pos);
      rdata.write(n);
      rdata.write(bytes, pos, n);
      pos += n;
    } while (pos < bytes.length);
    if (rdata.size() > 0xFFFF) {
      throw CliException.usage("--txt: text of " + bytes.length + " bytes is too long");
    }
    return Record.newRecord(origin, Type.TXT, DClass.IN, ttl, rdata.toByteArray());
  }

  /**
   * Every record of a zone file in standard master-file syntax (RFC 1035 5, dnsjava's parser:
   * every type dnsjava knows), with {@code $ORIGIN} the registered name and {@code defaultTtl}
   * for records without a TTL and no {@code $TTL}.
   */
  public static List<Record> fromZoneFile(Path file, Name origin, long defaultTtl)
      throws CliException {
    if (!Files.isRegularFile(file)) {
      throw CliException.usage("zone file " + file + " does not exist or is not a file");
    }
    List<Record> out = new ArrayList<>();
    try (Master master = new Master(file.toString(), origin, defaultTtl)) {
      Record r;
      // Bounded: a zone file larger than any network allows is refused before it is all read.
      while ((r = master.nextRecord()) != null) {
        if (r.getDClass() != DClass.IN) {
          throw CliException.usage(file + ": " + r + ": only class IN records can be published");
        }
        out.add(r);
        if (out.size() > 4096) {
          throw CliException.usage(file + ": more than 4096 records; no network allows that many");
        }
      }
    } catch (IOException e) {
      // dnsjava's parse errors name the file and line.
      throw CliException.usage(e.getMessage() == null ? file + ": " + e : e.getMessage(), e);
    }
    return out;
  }
}
