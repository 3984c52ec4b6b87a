/**
 * The sentinel's metrics file (metrics.textfile_dir): rewritten every metrics.interval_s for
 * node_exporter's textfile collector, replaced whole by a rename so a scrape never reads half
 * of it, and rewritten with spoolctl_sentinel_up 0 when the sentinel stops.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricFamilies } from '../metrics/families.js';
import { renderOpenMetrics } from '../metrics/openmetrics.js';
import { LedgerTally } from '../metrics/tally.js';
import { shownSlots } from '../slot-state.js';
import { unlinkQuiet } from '../spool/atomic.js';
import { VERSION } from '../version.js';
import type { SentinelContext } from './context.js';

export interface MetricsFile {
  timers: NodeJS.Timeout[];
  /** The last write, saying the sentinel is down. */
  stopped(): void;
}

export function metricsFile(ctx: SentinelContext, ledgerPath: string): MetricsFile {
  const { textfile_dir: dir, textfile_name: name, interval_s: intervalS } = ctx.cfg.metrics;
  if (!dir) return { timers: [], stopped: () => undefined };
  const tally = new LedgerTally();
  const target = join(dir, name);
  const write = (up: boolean) => {
    // node_exporter reads only *.prom: the file being written is not one.
    const tmp = `${target}.${process.pid}.tmp`;
    try {
      const text = renderOpenMetrics(
        metricFamilies({
          db: ctx.db,
          ledgerPath,
          tally,
          slots: shownSlots(ctx.slots, ctx.cfg.worker.max_workers),
          sentinelUp: up,
          version: VERSION,
          nowMs: Date.now(),
        }),
      );
      writeFileSync(tmp, text);
      renameSync(tmp, target);
    } catch (err) {
      unlinkQuiet(tmp);
      ctx.throttled('warn', 'metrics-file', 'cannot write the metrics file; retrying', { file: target, error: (err as Error).message });
    }
  };
  write(true);
  return { timers: [setInterval(() => write(true), intervalS * 1000)], stopped: () => write(false) };
}
