package org.p2pdns.cli.command;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.cli.records.Times;
import org.p2pdns.common.query.NodeResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "nodes", mixinStandardHelpOptions = true,
    description = "Lists the nodes the node knows: id, address, state, last contact, score, "
        + "trust weight, and until when a node is banned for invalid traffic.")
public final class NodesCommand implements Callable<Integer> {
  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws CliException {
    PrintWriter out = spec.commandLine().getOut();
    try (NodeSession node = main.openSession()) {
      NodeResponse.Nodes nodes = node.nodes();
      if (nodes.nodes().isEmpty()) {
        spec.commandLine().getErr().println("the node knows no other nodes yet");
        return 0;
      }
      out.printf("%-64s  %-21s  %-10s  %-20s  %-6s  %-8s  %s%n", "NODE ID", "ADDRESS",
          "STATE", "LAST CONTACT", "SCORE", "TRUST", "BANNED UNTIL");
      for (NodeResponse.NodeEntry n : nodes.nodes()) {
        out.printf("%-64s  %-21s  %-10s  %-20s  %-6d  %-8s  %s%n", n.nodeId(), n.address(),
            n.state(), Times.isoMillis(n.lastContact()), n.score(),
            TrustCommand.weight(n.trustMilli()),
            n.bannedUntil() == 0 ? "-" : Times.isoMillis(n.bannedUntil()));
      }
    }
    return 0;
  }
}
