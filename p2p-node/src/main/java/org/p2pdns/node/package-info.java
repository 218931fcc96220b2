/**
 * The P2P-DNS node: {@link org.p2pdns.node.NodeMain} reads flags and configuration once,
 * {@link org.p2pdns.node.Node} starts and stops the parts. The packages are the node's layers,
 * each using only those below it:
 *
 * <ul>
 *   <li>{@code query}: the JeroMQ control endpoint (QueryServer) and change feed
 *       (ChangePublisher) for the front-end and the CLI;
 *   <li>{@code peer} (issue 3): the peer-to-peer network; it uses {@code records} as the query
 *       layer does;
 *   <li>{@code records}: RecordService, the one path every record takes: decode, validate,
 *       decide against the held version, store, index, announce, acknowledge;
 *   <li>{@code store}: RecordStore, the SQLite file that makes acknowledged records durable;
 *   <li>{@code identity}: the node's key pair and node id, and its data dir.
 * </ul>
 */
package org.p2pdns.node;
