package org.p2pdns.node.records;

import org.p2pdns.common.query.ChangeNotice;

/**
 * Where the record service announces a changed name to the node's local clients (the front-ends
 * drop it from their caches). The query layer's {@code ChangePublisher} puts it on a PUB socket.
 */
@FunctionalInterface
public interface ChangeFeed {
  void publish(ChangeNotice notice);
}
