package org.p2pdns.frontend.resolve;

import org.p2pdns.frontend.cache.AnswerCache;

/**
 * What the cache needs of a query, read straight from its bytes without building a dnsjava
 * message: one question, no compression, at most an OPT record. Anything else (and any doubt)
 * leaves the query to the full path, which applies every reply rule.
 *
 * @param qnameEnd offset just past the question name, which starts at 12
 * @param edns 0 without OPT, 1 with OPT, 2 with OPT and the DO bit
 * @param payload the client's EDNS UDP payload size, 0 without OPT
 */
record QuickQuery(AnswerCache.Key key, int qnameEnd, int qtype, int edns, int payload) {
  private static final int TYPE_OPT = 41;

  /** Null when the query is not a plain question the cache can answer. */
  static QuickQuery parse(byte[] q) {
    int n = q.length;
    if (n < 17) {
      return null;
    }
    // QR clear, opcode QUERY; one question, no answers or authority, at most one additional.
    if ((q[2] & 0xF8) != 0 || q[4] != 0 || q[5] != 1 || q[6] != 0 || q[7] != 0 || q[8] != 0
        || q[9] != 0 || q[10] != 0 || (q[11] & 0xFF) > 1) {
      return null;
    }
    int p = 12;
    while (true) {
      if (p >= n) {
        return null;
      }
      int len = q[p] & 0xFF;
      if (len == 0) {
        p++;
        break;
      }
      if (len > 63) {
        return null;
      }
      p += 1 + len;
    }
    int qnameEnd = p;
    if (qnameEnd - 12 > 255 || p + 4 > n) {
      return null;
    }
    int qtype = ((q[p] & 0xFF) << 8) | (q[p + 1] & 0xFF);
    p += 4;
    int edns = 0;
    int payload = 0;
    if (q[11] == 1) {
      // OPT: root name, type 41, class = payload, ttl = ext-rcode, version, flags; rdata ignored
      // (options such as cookies do not change the answer).
      if (p + 11 > n || q[p] != 0 || q[p + 1] != 0 || q[p + 2] != TYPE_OPT) {
        return null;
      }
      payload = ((q[p + 3] & 0xFF) << 8) | (q[p + 4] & 0xFF);
      if (q[p + 5] != 0 || q[p + 6] != 0) {
        return null; // extended rcode or a version we do not speak: the full path answers it
      }
      boolean dnssecOk = (q[p + 7] & 0x80) != 0;
      int rdlen = ((q[p + 9] & 0xFF) << 8) | (q[p + 10] & 0xFF);
      p += 11 + rdlen;
      edns = dnssecOk ? 2 : 1;
    }
    if (p != n) {
      return null;
    }
    byte[] key = new byte[qnameEnd - 12 + 5];
    for (int i = 12; i < qnameEnd + 4; i++) {
      byte b = q[i];
      if (i < qnameEnd && b >= 'A' && b <= 'Z') {
        b = (byte) (b + 32);
      }
      key[i - 12] = b;
    }
    key[key.length - 1] = (byte) edns;
    return new QuickQuery(new AnswerCache.Key(key), qnameEnd, qtype, edns, payload);
  }
}
