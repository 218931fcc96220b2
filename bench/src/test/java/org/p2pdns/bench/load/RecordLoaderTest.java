package org.p2pdns.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.network.NetworkParams;
import picocli.CommandLine;

class RecordLoaderTest {
  private static final NetworkParams PARAMS = NetworkParams.defaults().withPowBits(4);

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new RecordLoader());
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int exit = cmd.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void loadsANodeAndWritesTheFiles(@TempDir Path dir) throws Exception {
    try (ValidatingNode node = new ValidatingNode(PARAMS, ValidatingNode.Mode.NORMAL)) {
      Run r = run("--node", node.endpoint(), "--out", dir.toString(), "--names", "200",
          "--warm-names", "50", "--forwarded-names", "20", "--random-queries", "1000",
          "--set", "network.pow-bits=4");
      assertThat(r.exit()).as(r.out() + r.err()).isZero();
      assertThat(r.out()).contains("stored 200,").contains("refused 0,");
      assertThat(node.store()).hasSize(200).containsKey("n0000200.p2p");
      assertThat(dir.resolve("p2p.zone")).exists();
      assertThat(Files.readAllLines(dir.resolve(BenchFiles.NETWORK_ONCE))).hasSize(150);
    }
  }

  @Test
  void refusesToLoadANodeOfAnotherNetwork() throws Exception {
    try (ValidatingNode node = new ValidatingNode(PARAMS, ValidatingNode.Mode.NORMAL)) {
      Run r = run("--node", node.endpoint(), "--names", "10", "--warm-names", "5",
          "--set", "network.pow-bits=5");
      assertThat(r.exit()).isEqualTo(3);
      assertThat(r.err()).contains("another network");
      assertThat(node.submissions()).isZero();
    }
  }

  @Test
  void anUnreachableNodeIsExitThree() {
    // Nothing listens there: a DEALER's send does not fail, so the loader must time out on Info.
    Run r = run("--node", "tcp://127.0.0.1:1", "--names", "10", "--warm-names", "5",
        "--set", "network.pow-bits=4");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("did not answer");
  }

  @Test
  void badUsageIsExitTwo() {
    assertThat(run("--names", "10").exit()).isEqualTo(2);
    assertThat(run("--out", "/tmp/x", "--names", "10", "--warm-names", "10").exit()).isEqualTo(2);
    assertThat(run("--out", "/tmp/x", "--set", "network.pow-bits=x").exit()).isEqualTo(2);
    assertThat(run("--out", "/tmp/x", "--set", "no.such.key=1").exit()).isEqualTo(2);
  }
}
