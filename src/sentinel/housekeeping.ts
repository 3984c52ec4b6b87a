/** What the sentinel sweeps once a minute: what others left behind and will not come back for. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { unlinkQuiet } from '../spool/atomic.js';
import { listNames } from '../spool/scan.js';
import type { SentinelContext } from './context.js';

/** Removes abandoned tmp/ files and acknowledgements nobody collected. */
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
  } catch (err) {
    ctx.log.warn('housekeeping failed', { error: (err as Error).message });
  }
}
