package org.p2pdns.node;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The node's version, as Maven wrote it into the jar at build time. */
final class NodeVersion {
  private NodeVersion() {}

  static String get() {
    Properties p = new Properties();
    try (InputStream in = NodeVersion.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // Falls through to "unknown": the version is informational.
    }
    return p.getProperty("version", "unknown");
  }
}
