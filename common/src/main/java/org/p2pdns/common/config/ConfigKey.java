package org.p2pdns.common.config;

/**
 * One configuration key with its built-in default and its documentation. The default
 * configuration file in {@code config/p2pdns.conf} documents exactly these keys (a test checks).
 */
public record ConfigKey(String name, String defaultValue, String description) {
  public ConfigKey {
    if (!name.matches("[a-z]+(\\.[a-z0-9-]+)+")) {
      throw new IllegalArgumentException("bad key name " + name);
    }
  }

  /** The environment variable that overrides this key: P2PDNS_ then the key, upper case, '_'. */
  public String environmentVariable() {
    return "P2PDNS_" + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
