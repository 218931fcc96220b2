package org.p2pdns.node.ratelimit;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.p2pdns.common.crypto.Ed25519Keys;

/**
 * Limits by origin (docs/security.md, "Flooding with fake names"): however a record reaches the
 * node (a local client, any peer), the node stores at most
 * <ul>
 *   <li>{@link #CLAIM_BURST} new claims of one name at once and one per
 *       {@link #CLAIM_EVERY_SECONDS} s after that (competing claims for a name, each with its
 *       proof of work), and
 *   <li>{@link #UPDATE_BURST} updates (any record that replaces a held one: update, renewal,
 *       transfer, revocation) signed by one owner key at once, and one per
 *       {@link #UPDATE_EVERY_SECONDS} s after that.
 * </ul>
 * A record over its origin's limit is refused RATE_LIMITED, which costs the peer that relayed it
 * nothing. Only records that passed every standalone check are counted, so nobody can spend
 * someone else's budget: a claim carries its proof of work, an update the owner's signature.
 *
 * <p>Claims of new names by one key are not limited here: each costs its own proof of work, and
 * keys are free, so a per-key claim limit would stop nobody. For the same reason the memory is
 * bounded by count ({@link #MAX_TRACKED} buckets of each kind, least recently used forgotten
 * first, full buckets dropped): creating a bucket needs a record that passed the checks, which
 * for a new name means proof of work.
 */
public final class OriginLimits {
  public static final int CLAIM_BURST = 4;
  public static final int CLAIM_EVERY_SECONDS = 300;
  public static final int UPDATE_BURST = 60;
  public static final int UPDATE_EVERY_SECONDS = 10;
  public static final int MAX_TRACKED = 100_000;

  private final Clock clock;
  private final int claimBurst;
  private final double claimsPerSecond;
  private final int updateBurst;
  private final double updatesPerSecond;
  private final Map<String, TokenBucket> claims = lru();
  private final Map<String, TokenBucket> updates = lru();
  private long created;

  public OriginLimits(Clock clock, int claimBurst, double claimsPerSecond, int updateBurst,
      double updatesPerSecond) {
    this.clock = clock;
    this.claimBurst = claimBurst;
    this.claimsPerSecond = claimsPerSecond;
    this.updateBurst = updateBurst;
    this.updatesPerSecond = updatesPerSecond;
  }

  /** The limits of the class comment. */
  public static OriginLimits standard(Clock clock) {
    return new OriginLimits(clock, CLAIM_BURST, 1.0 / CLAIM_EVERY_SECONDS, UPDATE_BURST,
        1.0 / UPDATE_EVERY_SECONDS);
  }

  private static Map<String, TokenBucket> lru() {
    return new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
        return size() > MAX_TRACKED;
      }
    };
  }

  /**
   * Takes one event from the record's origin: a new claim of {@code name}, or an update signed
   * by {@code ownerKey}. Empty when allowed; else why not, for the refusal message.
   */
  public synchronized Optional<String> admit(String name, byte[] ownerKey, boolean update) {
    long now = clock.millis();
    if (update) {
      String key = Ed25519Keys.toHex(ownerKey);
      if (!take(updates, key, updateBurst, updatesPerSecond, now)) {
        return Optional.of("owner key " + key.substring(0, 16) + ".. made more than "
            + updateBurst + " updates recently; the node takes one per "
            + Math.round(1 / updatesPerSecond) + " s from it");
      }
    } else if (!take(claims, name, claimBurst, claimsPerSecond, now)) {
      return Optional.of(name + " was claimed " + claimBurst + " times recently; the node "
          + "takes one claim of it per " + Math.round(1 / claimsPerSecond) + " s");
    }
    return Optional.empty();
  }

  private boolean take(Map<String, TokenBucket> buckets, String key, int burst,
      double perSecond, long now) {
    TokenBucket b = buckets.get(key);
    if (b == null) {
      if (++created % 4096 == 0) {
        // Full buckets hold nothing worth keeping: forget them now and then.
        buckets.values().removeIf(x -> x.isFull(now));
      }
      b = new TokenBucket(burst, perSecond, now);
      buckets.put(key, b);
    }
    return b.tryTake(now);
  }

  /** How many buckets are held now (claims + updates). */
  public synchronized int tracked() {
    return claims.size() + updates.size();
  }
}
