/**
 * Whether a chaos run kept its scheduling rules, read back from the ledger: the limited plugin
 * never had more jobs claimed at once than its max_concurrent, and no job was claimed before
 * the job it runs after was done.
 */
import type { Spool } from '../api/spool.js';
import { eventsAfter } from '../ledger/chain-range.js';
import { openDb } from '../ledger/open.js';
import { ledgerPathOf } from '../ledger/path.js';
import type { JobPlan } from './schedule.js';

/** The events that end a claim: the attempt finished, was retried, taken back or handed back. */
const CLAIM_ENDS = new Set(['done', 'failed', 'retried', 'reclaimed', 'handed_back', 'cancelled']);

export function scheduleKept(s: Spool, jobs: JobPlan[]): { limited_at_once: number; ran_before_dependency: number } {
  const limited = new Set(jobs.filter((j) => j.limited).map((j) => j.id));
  const after = new Map(jobs.flatMap((j) => (j.after ? [[j.id, j.after] as const] : [])));
  const db = openDb(ledgerPathOf(s.l, s.loaded), { readonly: true, busyTimeoutMs: 5000 });
  try {
    const claimed = new Set<string>();
    const done = new Set<string>();
    let most = 0;
    let early = 0;
    for (let rows = eventsAfter(db, 0, 5000); rows.length; rows = eventsAfter(db, rows.at(-1)!.seq, 5000)) {
      for (const e of rows) {
        if (!e.job) continue;
        if (e.type === 'done') done.add(e.job);
        if (e.type === 'claimed') {
          const dependency = after.get(e.job);
          if (dependency && !done.has(dependency)) early += 1;
          if (limited.has(e.job)) claimed.add(e.job);
        } else if (CLAIM_ENDS.has(e.type)) claimed.delete(e.job);
        most = Math.max(most, claimed.size);
      }
    }
    return { limited_at_once: most, ran_before_dependency: early };
  } finally {
    db.close();
  }
}
