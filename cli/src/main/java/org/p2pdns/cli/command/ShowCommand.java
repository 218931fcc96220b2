package org.p2pdns.cli.command;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.cli.output.Json;
import org.p2pdns.cli.records.IdnNames;
import org.p2pdns.cli.records.Times;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.Handover;
import org.p2pdns.common.record.Ownership;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;
import org.xbill.DNS.Record;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "show", mixinStandardHelpOptions = true,
    description = {"Shows what the node holds for a name: status, owner, serial, times, "
        + "ownership chain, the records in zone-file form and the record's digest.",
        "Exit code 1 when the name is not registered."})
public final class ShowCommand implements Callable<Integer> {
  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The registered name.")
  String name;

  @Option(names = "--json", description = "JSON instead of text.")
  boolean json;

  @Override
  public Integer call() throws CliException {
    PrintWriter out = spec.commandLine().getOut();
    try (NodeSession node = main.openSession()) {
      NetworkParams params = node.networkParams();
      String registered = Publishing.registrableName(name, params);
      NodeResponse.Lookup found = node.lookup(registered);
      if (found.status() == NodeResponse.LookupStatus.NOT_FOUND) {
        throw CliException.refused(registered + " is not registered");
      }
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("name", registered);
      String unicode = IdnNames.toUnicode(registered);
      if (!unicode.equals(registered)) {
        report.put("unicode", unicode);
      }
      report.put("status", found.status().name().toLowerCase(Locale.ROOT));
      if (!found.detail().isEmpty()) {
        report.put("detail", found.detail());
      }
      if (found.record().length > 0) {
        SignedRecord r;
        try {
          r = RecordCodec.decode(found.record());
        } catch (MalformedException e) {
          throw CliException.refused("the node sent a damaged record for " + registered + ": "
              + e.getMessage());
        }
        describe(r, params, report);
      }
      out.println(json ? Json.write(report) : text(report));
    }
    return 0;
  }

  private void describe(SignedRecord r, NetworkParams params, Map<String, Object> report) {
    report.put("kind", r.kind().name().toLowerCase(Locale.ROOT));
    report.put("owner", Ed25519Keys.toHex(r.ownerKey()));
    report.put("serial", r.serial());
    report.put("issued", Times.iso(r.issuedAt()));
    report.put("expires", Times.iso(r.expiresAt()));
    report.put("claim_key", Ed25519Keys.toHex(r.content().claimKey()));
    report.put("claim", r.content().terms().reveal().map(v -> "revealed a commitment made at "
        + Times.iso(v.committedAt())).orElse("plain (no commitment)"));
    r.content().terms().recoveryKey().ifPresent(k -> report.put("recovery_key",
        Ed25519Keys.toHex(k) + " (can cancel a transfer for "
        + Durations.format(Ownership.transferDelay(params)) + " after the nodes first hold it)"));
    RecordValidator validator = new RecordValidator(params, main.environment().clock());
    List<Object> chain = new ArrayList<>();
    for (int i = 0; i < r.handovers().size(); i++) {
      Handover h = r.handovers().get(i);
      Map<String, Object> link = new LinkedHashMap<>();
      link.put("serial", h.serial());
      link.put("to", Ed25519Keys.toHex(h.toKey()));
      link.put("by", validator.isRecoveryLink(r, i) ? "recovery key" : "owner");
      chain.add(link);
    }
    report.put("handovers", chain);
    List<Object> rrs = new ArrayList<>();
    for (Record rr : r.rrs()) {
      rrs.add(rr.toString());
    }
    report.put("records", rrs);
    report.put("digest", r.digestHex());
    // The CLI checks the record itself too: a node should never hand out a record that fails.
    Optional<RefusalReason.Refusal> problem =
        new RecordValidator(params, main.environment().clock()).check(r);
    report.put("verified", problem.map(p -> "no: " + p).orElse("yes (signature, proof of work, "
        + "rules)"));
  }

  private static String text(Map<String, Object> report) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Object> e : report.entrySet()) {
      String key = e.getKey().replace('_', ' ');
      if (e.getValue() instanceof List<?> list) {
        if (key.equals("handovers")) {
          sb.append(String.format("%-10s %s%n", key + ":", list.isEmpty() ? "none" : ""));
          for (Object o : list) {
            Map<?, ?> link = (Map<?, ?>) o;
            sb.append("  at serial ").append(link.get("serial")).append(" to ")
                .append(link.get("to")).append("recovery key".equals(link.get("by"))
                    ? " (by the recovery key)" : "").append('\n');
          }
        } else {
          sb.append(key).append(":").append(list.isEmpty() ? " none" : "").append('\n');
          for (Object o : list) {
            sb.append("  ").append(o).append('\n');
          }
        }
      } else if (key.equals("detail")) {
        // The node's notes (evidence, a pending transfer, the last contest), one per line.
        sb.append("detail:\n");
        for (String note : e.getValue().toString().split("; ")) {
          sb.append("  ").append(note).append('\n');
        }
      } else {
        sb.append(String.format("%-10s %s%n", key + ":", e.getValue()));
      }
    }
    return sb.toString().stripTrailing();
  }
}
