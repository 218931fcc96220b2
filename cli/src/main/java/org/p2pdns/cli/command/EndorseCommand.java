package org.p2pdns.cli.command;

import java.io.PrintWriter;
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
 * The node vouches for another node: it signs an endorsement with its node key and spreads it
 * with its node list, and nodes that trust this one lend the endorsed node part of that trust.
 * Needs the node's control key.
 */
@Command(name = "endorse", mixinStandardHelpOptions = true,
    description = {"Makes the node sign an endorsement of another node with its node key and "
        + "spread it to its peers: nodes that trust this one then give the endorsed node part of "
        + "that trust (docs/security.md, Web of trust).",
        "--withdraw NODEID withdraws it; --list (or no arguments) lists the nodes this node "
            + "endorses. Needs the node's control key."})
public final class EndorseCommand implements Callable<Integer> {
  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "NODEID", description = "The node.")
  String nodeId;

  @Option(names = "--withdraw", description = "Withdraw the endorsement of NODEID.")
  boolean withdraw;

  @Option(names = "--list", description = "List the nodes this node endorses (the default).")
  boolean list;

  @Option(names = "--control-key", paramLabel = "FILE",
      description = "The node's control key (default: control.key in node.data-dir).")
  Path controlKey;

  @Override
  public Integer call() throws CliException {
    int op;
    String id = "";
    if (nodeId != null) {
      if (list) {
        throw CliException.usage("use: p2pdns endorse [--withdraw] NODEID, or --list");
      }
      op = withdraw ? NodeRequest.Endorse.WITHDRAW : NodeRequest.Endorse.ENDORSE;
      id = NodeControlKey.nodeId(nodeId);
    } else if (withdraw) {
      throw CliException.usage("use: p2pdns endorse --withdraw NODEID");
    } else {
      op = NodeRequest.Endorse.LIST;
    }
    ControlKey key = NodeControlKey.read(main, controlKey);
    PrintWriter out = spec.commandLine().getOut();
    try (NodeSession node = main.openSession()) {
      NodeResponse.Endorse r = node.endorse(op, id, key);
      if (!r.message().isEmpty()) {
        out.println(r.message());
      }
      if (op == NodeRequest.Endorse.LIST) {
        if (r.endorsed().isEmpty()) {
          spec.commandLine().getErr().println("the node endorses no node");
        }
        r.endorsed().forEach(out::println);
      }
    }
    return 0;
  }
}
