/**
 * Rate limits: token buckets, and the limits by origin (owner key, name) that keep one flooder
 * from costing the network more than a bounded rate, whichever peer relays its records.
 */
package org.p2pdns.node.ratelimit;
