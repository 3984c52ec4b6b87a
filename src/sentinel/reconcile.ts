/**
 * Start-up reconciliation: the spool is the truth. Every job file is compared with the
 * ledger's row for it, and a difference (a move made just before a crash, before its ledger
 * write) is recorded as the move it must have been, marked `reconciled`. pending/ is left to
 * intake, which applies the same rule to each file it admits; rejected/ to syncRejected.
 */
import { allJobsBrief } from '../ledger/queries.js';
import type { EventType } from '../ledger/writer.js';
import { claimPath, type JobState } from '../spool/layout.js';
import { listDone, listStateDir, type StateEntry } from '../spool/scan.js';
import { spoolRelative, transition, type SentinelContext } from './context.js';
import { scanClaims } from './reclaim.js';
import { syncRejected } from './rejected.js';

export function loadMirror(ctx: SentinelContext): void {
  ctx.jobs.clear();
  for (const [id, b] of allJobsBrief(ctx.db)) {
    ctx.jobs.set(id, {
      state: b.state,
      attempts: b.attempts,
      file: b.file,
      plugin: b.plugin,
      retry_at: b.retry_at,
      waiting: b.waiting,
      maxAttempts: b.max_attempts ?? ctx.cfg.jobs.max_attempts,
    });
  }
}

const ARRIVAL: Record<JobState, (from: string | undefined) => EventType> = {
  pending: (from) =>
    from === 'claimed' ? 'reclaimed' : from === 'held' ? 'released' : from === undefined || from === 'rejected' ? 'submitted' : 'requeued',
  claimed: () => 'claimed',
  done: () => 'done',
  failed: () => 'failed',
  held: () => 'held',
  rejected: () => 'rejected',
  cancelled: () => 'cancelled',
};

/** Records that job `id` was found at `file` in `state`, if the ledger says otherwise. */
export function recordObserved(ctx: SentinelContext, id: string, state: JobState, attempts: number, file: string, slot?: number): void {
  const known = ctx.jobs.get(id);
  if (known && known.state === state && known.file === file) return;
  const type = ARRIVAL[state](known?.state);
  const terminal = state === 'done' || state === 'failed' || state === 'cancelled';
  transition(
    ctx,
    {
      type,
      job: id,
      slot,
      attempt: attempts || undefined,
      actor: 'sentinel',
      detail: { reconciled: true, from: known?.state ?? null, file },
    },
    { id, state, attempts, file, slot: slot ?? null, ...(terminal ? { finished_at: new Date().toISOString() } : {}) },
  );
  ctx.log.info('reconciled the ledger with the spool', { job: id, from: known?.state ?? null, to: state, file });
}

export function reconcile(ctx: SentinelContext): void {
  loadMirror(ctx);
  const seen = new Map<string, string>();
  const note = (id: string, file: string) => {
    const other = seen.get(id);
    if (other) ctx.log.error('a job id is in two places in the spool; run `spoolctl verify`', { job: id, files: [other, file] });
    seen.set(id, file);
  };
  const observeAll = (state: JobState, entries: StateEntry[]) => {
    for (const e of entries) {
      const rel = spoolRelative(ctx, e.path);
      note(e.id, rel);
      recordObserved(ctx, e.id, state, e.attempts, rel);
    }
  };
  observeAll('held', listStateDir(ctx.l.held).jobs);
  observeAll('failed', listStateDir(ctx.l.failed).jobs);
  observeAll('cancelled', listStateDir(ctx.l.cancelled).jobs);
  observeAll('done', listDone(ctx.l));
  scanClaims(ctx);
  for (const [slot, claims] of ctx.claims) {
    for (const c of claims) {
      const rel = spoolRelative(ctx, claimPath(ctx.l, c));
      note(c.id, rel);
      recordObserved(ctx, c.id, 'claimed', c.attempt, rel, slot);
    }
  }
  syncRejected(ctx);
}
