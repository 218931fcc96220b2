/**
 * Where a record is validated and stored: {@link org.p2pdns.node.records.RecordService#submit}.
 * The rules themselves are common's {@code RecordValidator}; this package applies them in order
 * against what the node holds, keeps the in-memory index that every lookup reads, and tells
 * {@link org.p2pdns.node.records.RecordListener}s (gossip) and the
 * {@link org.p2pdns.node.records.ChangeFeed} (front-end caches) of each stored change.
 */
package org.p2pdns.node.records;
