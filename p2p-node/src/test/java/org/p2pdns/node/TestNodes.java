package org.p2pdns.node;

import java.nio.file.Path;
import java.util.List;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigException;
import org.p2pdns.common.testing.TestNetwork;

/** The configuration every test node starts from: its own data dir and ports on 127.0.0.1. */
public final class TestNodes {
  private TestNodes() {}

  /**
   * A node with its data in {@code dir}, its peer port, control and change feed on free ports of
   * 127.0.0.1, the test network's proof of work ({@link TestNetwork#TEST_POW_BITS}), and
   * {@code bootstrap} as its bootstrap entries (ID@HOST:PORT or HOST:PORT). Add or override
   * keys with {@link Config.Builder#set}.
   */
  public static Config.Builder config(Path dir, List<String> bootstrap)
      throws ConfigException {
    return Config.builder()
        .set("node.data-dir", dir.toString())
        .set("node.listen", "127.0.0.1:0")
        .set("node.control", "tcp://127.0.0.1:*")
        .set("node.feed", "tcp://127.0.0.1:*")
        .set("node.bootstrap", String.join(",", bootstrap))
        .set("network.pow-bits", Integer.toString(TestNetwork.TEST_POW_BITS));
  }
}
