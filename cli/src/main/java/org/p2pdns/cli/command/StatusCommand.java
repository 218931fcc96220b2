package org.p2pdns.cli.command;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.common.query.NodeResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Shows the node's state as it reports it (one 'key: value' a line).")
public final class StatusCommand implements Callable<Integer> {
  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws CliException {
    PrintWriter out = spec.commandLine().getOut();
    try (NodeSession node = main.openSession()) {
      NodeResponse.Status status = node.status();
      out.println("endpoint: " + node.endpoint());
      for (NodeResponse.Field f : status.fields()) {
        out.println(f.key() + ": " + f.value());
      }
    }
    return 0;
  }
}
