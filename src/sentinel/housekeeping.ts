/** What the sentinel sweeps once a minute: what others left behind and will not come back for. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { unlinkQuiet } from '../spool/atomic.js';
import { pruneJournal } from '../spool/journal.js';
import { listNames } from '../spool/scan.js';
import type { SentinelContext } from './context.js';

/**
 * Removes abandoned tmp/ files, acknowledgements nobody collected, workers' journals whose
 * claims are all settled, and journal days past journal.keep_days.
 */
export function housekeeping(ctx: SentinelContext): void {
  const sweep = (dir: string, maxAgeS: number) => {
    const cutoff = Date.now() - maxAgeS * 1000;
    for (const name of listNames(dir)) {
      const path = join(dir, name);
      try {
        if (statSync(path).mtimeMs < cutoff) unlinkQuiet(path);
      } catch {
        // removed meanwhile
      }
    }
  };
  try {
    sweep(ctx.l.tmp, ctx.cfg.sentinel.tmp_max_age_s);
    sweep(ctx.l.acks, ctx.cfg.sentinel.ack_max_age_s);
    ctx.workerJournals.prune(ctx);
    if (ctx.cfg.journal.keep_days > 0) {
      const removed = pruneJournal(ctx.l, ctx.cfg.journal.keep_days, Date.now());
      if (removed.length) ctx.log.info('removed journal days past journal.keep_days', { removed, keep_days: ctx.cfg.journal.keep_days });
    }
  } catch (err) {
    ctx.log.warn('housekeeping failed', { error: (err as Error).message });
  }
}
