/**
 * The node's local JeroMQ endpoints: {@link org.p2pdns.node.query.QueryServer} (ROUTER, the node
 * query protocol of common's {@code NodeQueryCodec}) and
 * {@link org.p2pdns.node.query.ChangePublisher} (PUB, {@code ChangeNotice}s).
 */
package org.p2pdns.node.query;
