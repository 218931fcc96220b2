package org.p2pdns.cli.command;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.common.query.ControlKey;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The operator's trust in other nodes: the weights a node gives its peers' answers when they
 * disagree (a new node filling its store), and the roots from which trust flows along
 * endorsements. Needs the node's control key.
 */
@Command(name = "trust", mixinStandardHelpOptions = true,
    description = {"Sets how much the node trusts another node: p2pdns trust NODEID WEIGHT "
        + "(0 to 1000000, up to 3 decimals; 0 distrusts the node even when others endorse it).",
        "p2pdns trust --remove NODEID drops the weight set here (node.trust applies again); "
            + "p2pdns trust --list (or no arguments) lists every node with a weight and where "
            + "it comes from. Needs the node's control key."})
public final class TrustCommand implements Callable<Integer> {
  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "NODEID", description = "The node.")
  String nodeId;

  @Parameters(index = "1", arity = "0..1", paramLabel = "WEIGHT",
      description = "Its weight, e.g. 1 or 2.5.")
  String weight;

  @Option(names = "--list", description = "List the trust table (the default).")
  boolean list;

  @Option(names = "--remove", description = "Remove the weight set for NODEID.")
  boolean remove;

  @Option(names = "--control-key", paramLabel = "FILE",
      description = "The node's control key (default: control.key in node.data-dir).")
  Path controlKey;

  @Override
  public Integer call() throws CliException {
    int op;
    String id = "";
    long milli = 0;
    if (remove) {
      if (list || nodeId == null || weight != null) {
        throw CliException.usage("use: p2pdns trust --remove NODEID");
      }
      op = NodeRequest.Trust.REMOVE;
      id = NodeControlKey.nodeId(nodeId);
    } else if (nodeId != null) {
      if (list || weight == null) {
        throw CliException.usage("use: p2pdns trust NODEID WEIGHT (or --list, --remove NODEID)");
      }
      op = NodeRequest.Trust.SET;
      id = NodeControlKey.nodeId(nodeId);
      milli = parseWeight(weight);
    } else {
      op = NodeRequest.Trust.LIST;
    }
    ControlKey key = NodeControlKey.read(main, controlKey);
    PrintWriter out = spec.commandLine().getOut();
    try (NodeSession node = main.openSession()) {
      NodeResponse.Trust r = node.trust(op, id, milli, key);
      if (!r.message().isEmpty()) {
        out.println(r.message());
      }
      if (op == NodeRequest.Trust.LIST) {
        print(out, r);
      }
    }
    return 0;
  }

  private static long parseWeight(String text) throws CliException {
    try {
      BigDecimal d = new BigDecimal(text);
      BigDecimal milli = d.movePointRight(3);
      if (d.signum() < 0 || milli.stripTrailingZeros().scale() > 0
          || milli.compareTo(BigDecimal.valueOf(NodeRequest.Trust.MAX_WEIGHT_MILLI)) > 0) {
        throw CliException.usage("weight '" + text + "': a number from 0 to 1000000 with at "
            + "most 3 decimals");
      }
      return milli.longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw CliException.usage("weight '" + text + "' is not a number");
    }
  }

  static String weight(long milli) {
    return milli < 0 ? "-" : BigDecimal.valueOf(milli).movePointLeft(3).stripTrailingZeros()
        .toPlainString();
  }

  private void print(PrintWriter out, NodeResponse.Trust r) {
    if (r.entries().isEmpty()) {
      spec.commandLine().getErr().println("the node trusts no node yet (p2pdns trust NODEID "
          + "WEIGHT, or node.trust in its configuration)");
      return;
    }
    out.printf("%-64s  %-8s  %-8s  %-8s  %s%n", "NODE ID", "WEIGHT", "SET HERE", "CONFIG",
        "VIA");
    for (NodeResponse.TrustEntry e : r.entries()) {
      out.printf("%-64s  %-8s  %-8s  %-8s  %s%n", e.nodeId(), weight(e.weightMilli()),
          weight(e.operatorMilli()), weight(e.configMilli()), e.via());
    }
  }
}
