/** What the sentinel publishes in sentinel.json every second, for `status` and the TUI on hosts without the ledger. */
import type { SentinelInfo } from '../spool/sentinel-info.js';
import type { SentinelContext } from './context.js';
import { dispatchSummary } from './wait-reasons.js';

export type Published = Pick<SentinelInfo, 'counts' | 'journal' | 'dispatch'>;

export function published(ctx: SentinelContext): Published {
  const counts: Record<string, number> = {};
  for (const job of ctx.jobs.values()) counts[job.state] = (counts[job.state] ?? 0) + 1;
  const dispatch = dispatchSummary(ctx);
  counts.scheduled = dispatch.scheduled.jobs;
  return { counts, journal: ctx.journal && ctx.ledger.journalState(), dispatch };
}
