/**
 * Why pending jobs wait, as the sentinel last saw it: per job in the ledger's `waiting` column
 * (for `jobs list` and `jobs show`), and summed in sentinel.json (for `status` on any host).
 * Times are not written here: readers compare a job's not_before and retry_at with their clock.
 */
import type { DispatchSummary } from '../spool/sentinel-info.js';
import type { SentinelContext } from './context.js';

/** Writes a job's reason when it changed: a row update, no event. */
export function noteWaiting(ctx: SentinelContext, id: string, reason: string | null): void {
  const job = ctx.jobs.get(id);
  if (!job || job.waiting === reason) return;
  job.waiting = reason;
  ctx.ledger.patchJob({ id, waiting: reason });
}

export function dispatchSummary(ctx: SentinelContext, now = Date.now()): DispatchSummary {
  let scheduled = 0;
  let after = 0;
  const blocked = new Map<string, number>();
  for (const e of ctx.pending.entries()) {
    if (ctx.pending.waitsFor(e.id)) after += 1;
    else if (e.readyAt > now) scheduled += 1;
    else {
      const reason = ctx.jobs.get(e.id)?.waiting;
      if (reason) blocked.set(reason, (blocked.get(reason) ?? 0) + 1);
    }
  }
  const next = ctx.pending.nextAt();
  return {
    paused: ctx.paused ?? null,
    scheduled: { jobs: scheduled, next_at: scheduled > 0 && next !== undefined ? new Date(next).toISOString() : null },
    after,
    blocked: [...blocked].map(([reason, jobs]) => ({ reason, jobs })),
  };
}
