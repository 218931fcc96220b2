package org.p2pdns.cli.command;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.p2pdns.cli.CliException;
import org.p2pdns.cli.P2pdnsMain;
import org.p2pdns.cli.node.NodeSession;
import org.p2pdns.common.query.NodeQueryCodec;
import org.p2pdns.common.query.NodeResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "domains", mixinStandardHelpOptions = true,
    description = "Lists every name the node holds, one a line, in order.")
public final class DomainsCommand implements Callable<Integer> {
  /** Far more names than any network of this design holds; stops a node that never ends. */
  private static final int MAX_PAGES = 1_000_000;

  @ParentCommand
  P2pdnsMain main;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws CliException {
    PrintWriter out = spec.commandLine().getOut();
    try (NodeSession node = main.openSession()) {
      String after = "";
      for (int page = 0; page < MAX_PAGES; page++) {
        NodeResponse.Names names = node.listNames(after, NodeQueryCodec.MAX_LIST);
        for (String n : names.names()) {
          out.println(n);
        }
        if (!names.more()) {
          return 0;
        }
        String last = names.names().isEmpty() ? after
            : names.names().get(names.names().size() - 1);
        if (last.compareTo(after) <= 0) {
          throw CliException.refused("the node's name list does not advance after '" + after
              + "'");
        }
        after = last;
      }
      throw CliException.refused("the node listed more than " + MAX_PAGES + " pages of names");
    }
  }
}
