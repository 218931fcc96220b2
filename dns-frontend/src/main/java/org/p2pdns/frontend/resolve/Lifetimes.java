package org.p2pdns.frontend.resolve;

import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** How long an answer from elsewhere may be cached. */
final class Lifetimes {
  private Lifetimes() {}

  /**
   * Seconds: a positive answer lives as long as its shortest TTL; a negative one (NXDOMAIN, or
   * NOERROR without answers) as long as its SOA's TTL and minimum both allow (RFC 2308), and not
   * at all without an SOA; other errors are not cached.
   */
  static long of(Message m) {
    int rcode = m.getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
      return 0;
    }
    boolean negative = rcode == Rcode.NXDOMAIN || m.getSection(Section.ANSWER).isEmpty();
    if (negative) {
      for (Record r : m.getSection(Section.AUTHORITY)) {
        if (r instanceof SOARecord soa) {
          return Math.min(soa.getTTL(), soa.getMinimum());
        }
      }
      return 0;
    }
    long min = Long.MAX_VALUE;
    for (int s : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      for (Record r : m.getSection(s)) {
        if (r.getType() != Type.OPT) {
          min = Math.min(min, r.getTTL());
        }
      }
    }
    return min == Long.MAX_VALUE ? 0 : min;
  }
}
