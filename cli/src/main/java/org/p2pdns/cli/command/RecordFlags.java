package org.p2pdns.cli.command;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.records.ResourceRecordInput;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import picocli.CommandLine.Option;

/** The resource-record flags shared by {@code register} and {@code update}. */
public final class RecordFlags {
  @Option(names = "--a", paramLabel = "IP", description = "An IPv4 address (A); repeatable.")
  List<String> a = new ArrayList<>();

  @Option(names = "--aaaa", paramLabel = "IP", description = "An IPv6 address (AAAA); "
      + "repeatable.")
  List<String> aaaa = new ArrayList<>();

  @Option(names = "--txt", paramLabel = "TEXT", description = "A TXT record, taken literally; "
      + "repeatable.")
  List<String> txt = new ArrayList<>();

  @Option(names = "--mx", paramLabel = "\"PREF HOST\"", description = "A mail exchanger, like "
      + "\"10 mail\"; repeatable.")
  List<String> mx = new ArrayList<>();

  @Option(names = "--cname", paramLabel = "HOST", description = "An alias target (CNAME); "
      + "no other record may sit at the name then.")
  String cname;

  @Option(names = "--ns", paramLabel = "HOST", description = "A delegation to a name server "
      + "(NS); repeatable.")
  List<String> ns = new ArrayList<>();

  @Option(names = "--ttl", paramLabel = "SECONDS", defaultValue = "300",
      description = "TTL of the records given by flags, and the default of --zone "
          + "(default ${DEFAULT-VALUE}).")
  long ttl;

  @Option(names = "--zone", paramLabel = "FILE", description = "Records of the whole subtree "
      + "in zone-file syntax, $ORIGIN the registered name (every type dnsjava knows).")
  Path zone;

  /**
   * Every record the flags describe. In HOST values, @ is the name itself, a name without a dot
   * is relative to it, and a name with a dot is taken as written.
   */
  public List<Record> records(Name origin) throws CliException {
    if (ttl < 0 || ttl > Integer.MAX_VALUE) {
      throw CliException.usage("--ttl " + ttl + ": between 0 and 2147483647 seconds");
    }
    List<Record> out = new ArrayList<>(ResourceRecordInput.fromFlags(origin, ttl, a, aaaa, txt,
        mx, cname, ns));
    if (zone != null) {
      out.addAll(ResourceRecordInput.fromZoneFile(zone, origin, ttl));
    }
    return out;
  }

  public boolean isEmpty() {
    return a.isEmpty() && aaaa.isEmpty() && txt.isEmpty() && mx.isEmpty() && cname == null
        && ns.isEmpty() && zone == null;
  }
}
