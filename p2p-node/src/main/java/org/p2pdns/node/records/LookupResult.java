package org.p2pdns.node.records;

import java.util.Optional;
import org.p2pdns.common.query.NodeResponse.LookupStatus;
import org.p2pdns.common.record.SignedRecord;

/**
 * What the node holds for a name. The record is present for FOUND, EXPIRED and REVOKED (so that
 * {@code p2pdns show} can display it); only FOUND is served by front-ends.
 *
 * @param detail a note for people, e.g. that equivocation evidence is held; may be empty
 */
public record LookupResult(LookupStatus status, Optional<SignedRecord> record, String detail) {
  public static final LookupResult NOT_FOUND =
      new LookupResult(LookupStatus.NOT_FOUND, Optional.empty(), "");
}
