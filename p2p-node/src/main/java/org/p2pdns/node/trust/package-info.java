/**
 * Whom this node trusts: operator-given weights, endorsements, and the weights that flow along
 * them (the web of trust). Read by the parts that must decide between peers that disagree.
 */
package org.p2pdns.node.trust;
