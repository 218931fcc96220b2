package org.p2pdns.common.sync;

import java.util.List;

/**
 * One reconciliation message: the sender's total item count (for progress: "held, expected") and
 * contiguous ranges that cover every item, the last ending at infinity. A message whose ranges are
 * all {@link RangeElement.Skip} says the sender has nothing left to ask.
 */
public record ReconcileMessage(long senderTotal, List<RangeElement> elements) {
  public ReconcileMessage {
    if (senderTotal < 0) {
      throw new IllegalArgumentException("negative total");
    }
    elements = List.copyOf(elements);
    if (elements.isEmpty() || !elements.get(elements.size() - 1).upper().isInfinite()) {
      throw new IllegalArgumentException("ranges must end at infinity");
    }
    for (int i = 1; i < elements.size(); i++) {
      if (elements.get(i).upper().compareTo(elements.get(i - 1).upper()) <= 0) {
        throw new IllegalArgumentException("range bounds must increase");
      }
    }
  }

  /** True when no range asks for anything: the sender is finished. */
  public boolean isFinished() {
    for (RangeElement e : elements) {
      if (!(e instanceof RangeElement.Skip)) {
        return false;
      }
    }
    return true;
  }
}
