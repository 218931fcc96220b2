package org.p2pdns.common.sync;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.p2pdns.common.wire.MalformedException;

/**
 * One side of one reconciliation with one peer: range-based set reconciliation (after negentropy)
 * whose fingerprints are power sums of tags, so that a range where one side holds d extra items
 * is settled by d field elements instead of by splitting it down to single items.
 *
 * <p>The initiator calls {@link #initiate()} and sends the bytes; each side then feeds every
 * message it receives to {@link #receive(byte[])} and sends back what it returns, until it returns
 * empty. The result is on the side that holds each missing item: {@link #remoteLacks()} and
 * {@link #remoteLacksRanges()} name the local items the peer does not have, so each side then
 * pushes those records to the other. (The side that lacks an item never needs its digest: the
 * record arrives and carries it.) Transport, threads and timeouts belong to the caller; a session
 * is plain state, not thread-safe.
 *
 * <p>The item set may change between messages; a range whose answer no longer fits is simply
 * split again. Each rule and the message layout: docs/protocol.md, part 4.
 */
public final class ReconcileSession {
  /** A range this side holds at most this many items of is answered with its whole tag list. */
  static final int IDS_MAX = 8;
  /** The most children one range is split into. */
  static final int MAX_SPLIT = 128;
  /** A range is split this many ways when nothing hints at its number of differences. */
  static final int DEFAULT_SPLIT = 8;
  /** Decoding d extras among m items costs about 2*m*d multiplications; above this, split instead. */
  static final long MAX_DECODE_WORK = 1L << 26;
  /**
   * Field multiplications one received message may cost in all (about 0.5 s of one core); what
   * is beyond is split with plain fingerprints, so a peer cannot make this side burn CPU at will.
   */
  static final long MAX_MESSAGE_WORK = 1L << 27;
  /**
   * Sums sent beyond the count difference d: SLACK_BASE + d / SLACK_DIVISOR. They let a range with
   * extras on both sides decode at once, and the ones left over check the decode. Measured on
   * 200,000 items: slack 2 needed 6 messages for 50 + 50 scattered differences, slack 4 needed 5.
   */
  static final int SLACK_BASE = 4;
  static final int SLACK_DIVISOR = 4;
  /** Children of a split carry at most this many sums each (their share of the differences plus slack). */
  static final int CHILD_SUMS_MAX = 16;
  /** Upper estimate of a child range's bytes besides its sums: bound, type, count, sum count. */
  private static final int CHILD_BYTES = 16;
  /**
   * Room kept for the fingerprint that folds unreached ranges when a reply is full. The first
   * range that asks something is always answered (128 sums take about 1 KB, and splits shrink to
   * the space left), so every message makes progress within
   * {@link ReconcileLimits#MIN_MESSAGE_BYTES}.
   */
  private static final int OVERFLOW_RESERVE = 64;

  private final SyncItemSet items;
  private final ReconcileLimits limits;
  private final Map<ByteBuffer, byte[]> remoteLacks = new LinkedHashMap<>();
  private final List<KeyRange> remoteLacksRanges = new ArrayList<>();
  /** Bytes the answer to the current range may take before the reply overflows. */
  private int budget = Integer.MAX_VALUE;
  /** Multiplications the current message may still cost. */
  private long workLeft = MAX_MESSAGE_WORK;
  private long remoteTotal = -1;
  private boolean started;
  private boolean done;
  private int messagesSent;
  private int messagesReceived;
  private long bytesSent;
  private long bytesReceived;

  public ReconcileSession(SyncItemSet items, ReconcileLimits limits) {
    this.items = items;
    this.limits = limits;
  }

  /** The initiator's first message: the whole set in {@code initialBranches} fingerprinted ranges. */
  public byte[] initiate() {
    if (started) {
      throw new IllegalStateException("session already started");
    }
    started = true;
    Reply reply = new Reply();
    int n = items.size();
    if (n == 0) {
      reply.add(new RangeElement.Sums(Bound.INFINITY, 0, new long[0]));
    } else {
      split(reply, 0, n, Bound.INFINITY, Math.min(limits.initialBranches(), n), 1);
    }
    return send(reply);
  }

  /**
   * Takes the peer's message and returns the answer to send, or empty when the session is over
   * (the peer said it has nothing left to ask).
   *
   * @throws MalformedException on bytes that do not decode, a message above the size limit, a
   *     message after the end, or a peer that keeps the session going past the message limit
   */
  public Optional<byte[]> receive(byte[] bytes) throws MalformedException {
    if (done) {
      throw new MalformedException("reconcile message after the session ended");
    }
    if (bytes.length > limits.maxMessageBytes()) {
      throw new MalformedException("reconcile message of " + bytes.length + " bytes exceeds "
          + limits.maxMessageBytes());
    }
    if (messagesReceived >= limits.maxMessages()) {
      throw new MalformedException("reconcile session exceeds " + limits.maxMessages() + " messages");
    }
    ReconcileMessage m = ReconcileCodec.decode(bytes);
    started = true;
    messagesReceived++;
    bytesReceived += bytes.length;
    remoteTotal = m.senderTotal();
    if (m.isFinished()) {
      done = true;
      return Optional.empty();
    }
    Reply reply = new Reply();
    workLeft = MAX_MESSAGE_WORK;
    int lowerPos = 0;
    Bound lower = Bound.ZERO;
    for (RangeElement e : m.elements()) {
      int upperPos = items.positionOf(e.upper());
      Reply.Mark mark = reply.mark();
      boolean progressed = reply.open > 0;
      budget = limits.maxMessageBytes() - reply.size - OVERFLOW_RESERVE;
      answer(reply, e, lower, lowerPos, upperPos);
      if (progressed && reply.size + OVERFLOW_RESERVE > limits.maxMessageBytes()) {
        // Full: one fingerprint over everything not yet answered; the peer splits it again later.
        reply.rollback(mark);
        reply.add(sums(Bound.INFINITY, lowerPos, items.size(), lowerPos == items.size() ? 0 : 1));
        break;
      }
      lowerPos = upperPos;
      lower = e.upper();
    }
    byte[] out = send(reply);
    if (reply.finished()) {
      done = true;
    }
    return Optional.of(out);
  }

  private void answer(Reply reply, RangeElement e, Bound lower, int from, int to) {
    Bound upper = e.upper();
    int local = to - from;
    if (e instanceof RangeElement.Skip) {
      reply.skip(upper);
    } else if (e instanceof RangeElement.Sums s) {
      answerSums(reply, s, lower, from, to);
    } else if (e instanceof RangeElement.Ids ids) {
      answerIds(reply, ids, from, to);
    } else if (e instanceof RangeElement.Poly poly) {
      answerPoly(reply, poly, from, to);
    } else if (e instanceof RangeElement.Need need) {
      Set<Long> wanted = new HashSet<>();
      for (int i = 0; i < need.size(); i++) {
        wanted.add(need.tag(i));
      }
      for (int p = from; p < to; p++) {
        if (wanted.contains(items.tagAt(p))) {
          markRemoteLacks(p);
        }
      }
      reply.skip(upper);
    }
  }

  private void answerSums(Reply reply, RangeElement.Sums s, Bound lower, int from, int to) {
    Bound upper = s.upper();
    long local = to - from;
    long remote = s.count();
    if (remote == 0) {
      if (local > 0) {
        // Reported as a range, not digest by digest: a new node lacks the whole store.
        remoteLacksRanges.add(new KeyRange(lower, upper));
      }
      reply.skip(upper);
      return;
    }
    if (local == 0) {
      // Tell the peer this side holds nothing here: it pushes the whole range.
      reply.add(new RangeElement.Sums(upper, 0, new long[0]));
      return;
    }
    long delta = local - remote;
    if (delta == 0 && items.tagSum(from, to) == s.sum(0)) {
      reply.skip(upper);
      return;
    }
    long d = Math.abs(delta);
    int n = s.sumCount();
    if (n >= d && spend(2 * local * n + decodeAlgebraWork(n, delta))) {
      int m = (int) local;
      long[] tags = new long[m];
      items.tags(from, to, tags);
      long[] ours = PowerSums.of(tags, m, n);
      long[] diff = new long[n];
      for (int j = 0; j < n; j++) {
        diff[j] = Mod61.sub(ours[j], s.sum(j));
      }
      PowerSums.Decoded found = PowerSums.decode(tags, m, diff, n, delta);
      if (found != null) {
        for (int i : found.ourExtras()) {
          markRemoteLacks(from + i);
        }
        long[] den = found.theirPolynomial();
        if (den.length > 1) {
          reply.add(new RangeElement.Poly(upper, Arrays.copyOfRange(den, 1, den.length)));
        } else {
          reply.skip(upper);
        }
        return;
      }
    }
    // Not decodable from what came: give the peer enough of our sums for d differences and some
    // slack, which also covers a few extras on both sides; it decodes, or it splits the range.
    long want = Math.min(d + slack(d), ReconcileCodec.MAX_SUMS);
    if (n < want && want > d && spend(local * want)) {
      reply.add(sums(upper, from, to, (int) want));
    } else {
      refine(reply, from, to, upper, Math.max(d, n + 1L));
    }
  }

  /** Takes work from this message's allowance; false (and nothing taken) if it does not fit. */
  private boolean spend(long work) {
    if (work > MAX_DECODE_WORK || work > workLeft) {
      return false;
    }
    workLeft -= work;
    return true;
  }

  /** The multiplications of the decoder's algebra: one linear system for each guess of |Y|. */
  static long decodeAlgebraWork(int n, long delta) {
    long w = (long) n * n;
    for (long b = Math.max(0, -delta); 2 * b + delta <= n; b++) {
      w += b * b * b + b * n;
    }
    return w;
  }

  /** Extra sums beyond the count difference: room for differences on both sides, and a check. */
  static long slack(long d) {
    return SLACK_BASE + d / SLACK_DIVISOR;
  }

  private void answerPoly(Reply reply, RangeElement.Poly poly, int from, int to) {
    int m = to - from;
    int b = poly.degree();
    if (m >= b && spend((long) m * b)) {
      long[] tags = new long[m];
      items.tags(from, to, tags);
      long[] c = poly.monic();
      int[] roots = new int[b];
      int found = 0;
      for (int i = 0; i < m && found <= b; i++) {
        if (PowerSums.evaluate(c, tags[i]) == 0) {
          if (found < b) {
            roots[found] = from + i;
          }
          found++;
        }
      }
      if (found == b) {
        for (int p : roots) {
          markRemoteLacks(p);
        }
        reply.skip(poly.upper());
        return;
      }
    }
    // The items changed since the peer decoded, or it was wrong: settle the range afresh.
    refine(reply, from, to, poly.upper(), 0);
  }

  private void answerIds(Reply reply, RangeElement.Ids ids, int from, int to) {
    Map<Long, Integer> theirs = new HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      theirs.merge(ids.tag(i), 1, Integer::sum);
    }
    Set<Long> ours = new HashSet<>();
    for (int p = from; p < to; p++) {
      long t = items.tagAt(p);
      ours.add(t);
      if (!theirs.containsKey(t)) {
        markRemoteLacks(p);
      }
    }
    List<Long> missing = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      if (!ours.contains(ids.tag(i))) {
        missing.add(ids.tag(i));
      }
    }
    if (missing.isEmpty()) {
      reply.skip(ids.upper());
    } else {
      long[] tags = new long[missing.size()];
      for (int i = 0; i < tags.length; i++) {
        tags[i] = missing.get(i);
      }
      reply.add(new RangeElement.Need(ids.upper(), tags));
    }
  }

  /**
   * Splits a differing range into fingerprinted children, or lists it when this side holds few
   * items. {@code differences} is a lower estimate of how many differences the range holds; the
   * children carry enough sums for their share of them plus slack, so most decode at once.
   */
  private void refine(Reply reply, int from, int to, Bound upper, long differences) {
    int m = to - from;
    if (m == 0) {
      reply.add(new RangeElement.Sums(upper, 0, new long[0]));
    } else if (m <= IDS_MAX) {
      long[] tags = new long[m];
      items.tags(from, to, tags);
      reply.add(new RangeElement.Ids(upper, tags));
    } else {
      long wanted = differences == 0 ? DEFAULT_SPLIT : Math.max(DEFAULT_SPLIT / 2, (differences + 7) / 8);
      int parts = (int) Math.min(Math.min(wanted, MAX_SPLIT), m);
      long perChild = (Math.max(differences, 1) + parts - 1) / parts;
      int childSums = (int) Math.min(perChild + SLACK_BASE, CHILD_SUMS_MAX);
      // Fit the split into what is left of the message, so that a range is always split rather
      // than folded again (folding the same range forever would never end).
      while (childSums > 1 && (long) parts * (CHILD_BYTES + 8L * childSums) > budget) {
        childSums--;
      }
      while (parts > 2 && (long) parts * (CHILD_BYTES + 8L) > budget) {
        parts /= 2;
      }
      split(reply, from, to, upper, parts, childSums);
    }
  }

  private void split(Reply reply, int from, int to, Bound upper, int parts, int sumsEach) {
    int m = to - from;
    int start = from;
    for (int i = 1; i <= parts; i++) {
      int end = from + (int) ((long) m * i / parts);
      Bound b = i == parts ? upper : items.boundBefore(end);
      reply.add(sums(b, start, end, sumsEach > 1 && spend((long) (end - start) * sumsEach) ? sumsEach : 1));
      start = end;
    }
  }

  private RangeElement.Sums sums(Bound upper, int from, int to, int k) {
    int m = to - from;
    if (m == 0) {
      return new RangeElement.Sums(upper, 0, new long[0]);
    }
    if (k == 1) {
      return new RangeElement.Sums(upper, m, new long[] {items.tagSum(from, to)});
    }
    long[] tags = new long[m];
    items.tags(from, to, tags);
    return new RangeElement.Sums(upper, m, PowerSums.of(tags, m, k));
  }

  private void markRemoteLacks(int pos) {
    byte[] d = items.digestAt(pos);
    remoteLacks.putIfAbsent(ByteBuffer.wrap(d), d);
  }

  private byte[] send(Reply reply) {
    byte[] out = ReconcileCodec.encode(new ReconcileMessage(items.size(), reply.elements));
    messagesSent++;
    bytesSent += out.length;
    return out;
  }

  /** True once this side has nothing more to send or receive. */
  public boolean isDone() {
    return done;
  }

  /**
   * Ranges in which the peer holds nothing: push every local record in them (page through them
   * with {@link SyncItemSet#positionOf} and {@link SyncItemSet#digests}). Records added to a range
   * since are in it too, which does no harm: the peer lacks them as well.
   */
  public List<KeyRange> remoteLacksRanges() {
    return List.copyOf(remoteLacksRanges);
  }

  /**
   * Digests of local items the peer does not hold, found one by one (besides the whole ranges of
   * {@link #remoteLacksRanges()}), in the order found; push these records to it.
   */
  public List<byte[]> remoteLacks() {
    List<byte[]> out = new ArrayList<>(remoteLacks.size());
    for (byte[] d : remoteLacks.values()) {
      out.add(d.clone());
    }
    return out;
  }

  /** The peer's item count from its last message, or -1 before the first. */
  public long remoteTotal() {
    return remoteTotal;
  }

  public int messagesSent() {
    return messagesSent;
  }

  public int messagesReceived() {
    return messagesReceived;
  }

  public long bytesSent() {
    return bytesSent;
  }

  public long bytesReceived() {
    return bytesReceived;
  }

  /** The reply under construction: adjacent skips merge, and its encoded size is tracked. */
  private static final class Reply {
    final List<RangeElement> elements = new ArrayList<>();
    Bound last = Bound.ZERO;
    int size = 4;
    /** Elements that ask the peer for something (everything but skips). */
    int open;

    void skip(Bound upper) {
      add(new RangeElement.Skip(upper));
    }

    /** Adds a range; a skip after a skip, or an empty range after an empty range, widens the last one. */
    void add(RangeElement e) {
      if (!elements.isEmpty()) {
        RangeElement prev = elements.get(elements.size() - 1);
        if ((isSkip(prev) && isSkip(e)) || (isEmpty(prev) && isEmpty(e))) {
          open -= isSkip(prev) ? 0 : 1;
          elements.remove(elements.size() - 1);
          last = elements.isEmpty() ? Bound.ZERO : elements.get(elements.size() - 1).upper();
          size -= ReconcileCodec.encodedSize(last, prev);
        }
      }
      size += ReconcileCodec.encodedSize(last, e);
      open += isSkip(e) ? 0 : 1;
      elements.add(e);
      last = e.upper();
    }

    private static boolean isSkip(RangeElement e) {
      return e instanceof RangeElement.Skip;
    }

    private static boolean isEmpty(RangeElement e) {
      return e instanceof RangeElement.Sums s && s.count() == 0;
    }

    Mark mark() {
      return new Mark(elements.size(), size, open, last, elements.isEmpty() ? null : elements.get(elements.size() - 1));
    }

    void rollback(Mark m) {
      while (elements.size() > m.count) {
        elements.remove(elements.size() - 1);
      }
      if (m.count > 0) {
        elements.set(m.count - 1, m.lastElement);
      }
      size = m.size;
      open = m.open;
      last = m.last;
    }

    record Mark(int count, int size, int open, Bound last, RangeElement lastElement) {}

    boolean finished() {
      return elements.size() == 1 && elements.get(0) instanceof RangeElement.Skip;
    }
  }
}
