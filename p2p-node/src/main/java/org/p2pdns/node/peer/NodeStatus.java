package org.p2pdns.node.peer;

/**
 * One known node as {@code p2pdns nodes} shows it.
 *
 * @param address where it is linked, or the address this node would dial next ("" when none)
 * @param lastContact Unix ms of the last established link or message, 0 for never
 */
public record NodeStatus(String nodeId, String address, State state, long lastContact,
    int score) {

  /** What this node is doing about the other one. */
  public enum State {
    /** A link is up. */
    CONNECTED("connected"),
    /** A dial is in progress. */
    CONNECTING("connecting"),
    /** Not linked and to be dialed: the last dial failed or the link was lost. */
    BACKOFF("backoff"),
    /** Several dials in a row failed; still retried, at the longest back-off. */
    UNREACHABLE("unreachable"),
    /** Refused for invalid traffic until its ban ends: not dialed, refused at the handshake. */
    BANNED("banned"),
    /** Known but not dialed: no address to dial, or enough links already. */
    IDLE("idle");

    private final String label;

    State(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }
}
