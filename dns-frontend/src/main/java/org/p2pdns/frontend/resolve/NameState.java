package org.p2pdns.frontend.resolve;

import org.p2pdns.common.query.NodeResponse.LookupStatus;
import org.p2pdns.common.record.SignedRecord;

/**
 * What the node holds for one registered name.
 *
 * @param record the live record when {@code status} is FOUND, else null
 * @param detail the node's note (why contested), may be empty
 */
public record NameState(LookupStatus status, SignedRecord record, String detail) {}
