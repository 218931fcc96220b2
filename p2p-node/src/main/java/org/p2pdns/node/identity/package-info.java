/** The node's identity: its key pair in {@code node.key}, its node id, its data dir. */
package org.p2pdns.node.identity;
