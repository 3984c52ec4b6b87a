/**
 * Outcome counters and attempt durations over the whole ledger, kept up to date by reading
 * only the events added since the last look: counters never go down, and a sentinel that
 * restarts counts them again from its ledger to the same values.
 */
import { COUNTED, durationsAfter, lastSeq, outcomesAfter, type Counted } from '../ledger/metrics.js';
import type { Db } from '../ledger/open.js';

/** Upper bounds of the attempt-duration buckets, in seconds; the last bucket is +Inf. */
export const DURATION_BOUNDS_S = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600] as const;

export interface PluginDurations {
  /** Per bucket, not cumulative: the attempts that fell in it. */
  buckets: number[];
  count: number;
  sum_s: number;
}

export class LedgerTally {
  /** The ledger's last event counted. */
  seq = 0;
  readonly outcomes = new Map<string, Record<Counted, number>>();
  readonly durations = new Map<string, PluginDurations>();

  update(db: Db): void {
    const upto = lastSeq(db);
    // A ledger replaced by a shorter one (a rebuild from a journal kept only for some days): count again.
    if (upto < this.seq) this.reset();
    if (upto === this.seq) return;
    for (const o of outcomesAfter(db, this.seq, upto)) {
      const counts = this.outcomes.get(o.plugin) ?? (Object.fromEntries(COUNTED.map((t) => [t, 0])) as Record<Counted, number>);
      counts[o.type] += o.n;
      this.outcomes.set(o.plugin, counts);
    }
    for (const d of durationsAfter(db, this.seq, upto, DURATION_BOUNDS_S)) {
      const p = this.durations.get(d.plugin) ?? {
        buckets: Array.from({ length: DURATION_BOUNDS_S.length + 1 }, () => 0),
        count: 0,
        sum_s: 0,
      };
      p.buckets[d.bucket]! += d.n;
      p.count += d.n;
      p.sum_s += d.sum_s;
      this.durations.set(d.plugin, p);
    }
    this.seq = upto;
  }

  private reset(): void {
    this.seq = 0;
    this.outcomes.clear();
    this.durations.clear();
  }
}
