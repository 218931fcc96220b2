/**
 * Durable storage of signed records: {@link org.p2pdns.node.store.RecordStore} over SQLite
 * (WAL, synchronous=FULL). It decides nothing; {@code records.RecordService} decides, then stores.
 */
package org.p2pdns.node.store;
