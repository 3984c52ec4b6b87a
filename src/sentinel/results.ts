/**
 * Applies workers' results. A result counts only while the exact claim it names still exists
 * (spool-layout.md rule 3, fencing); otherwise it is recorded as fenced and changes nothing. A result whose
 * attempt the ledger already settled (a restart between the move and the ledger write)
 * is dropped silently: it was applied once already.
 * Every event that settles a claim names it in detail.claim; that is what the check reads.
 */
import { LostRaceError } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import { claimSettled } from '../ledger/queries.js';
import { exists } from '../spool/atomic.js';
import { claimFileName, claimPath, type ClaimName } from '../spool/layout.js';
import { completeClaim, failClaim, handBackClaim, returnClaim } from '../spool/moves.js';
import { listResults, readResult, recycleResult, removeResult, type JobResult } from '../spool/results.js';
import { retryTime } from './backoff.js';
import { forgetClaim, spoolRelative, transition, type SentinelContext } from './context.js';

export function applyResults(ctx: SentinelContext): number {
  let applied = 0;
  for (const file of listResults(ctx.l)) {
    if (!file.claim) {
      ctx.log.warn('removing a file in results/ whose name is not a result name', { file: file.name });
      removeResult(ctx.l, file.name);
      continue;
    }
    let result: JobResult;
    try {
      result = readResult(ctx.l, file.name);
    } catch (err) {
      ctx.log.warn('removing an unreadable result file', { file: file.name, error: (err as Error).message });
      removeResult(ctx.l, file.name);
      continue;
    }
    const c = file.claim;
    try {
      if (knownClaim(ctx, c) || exists(claimPath(ctx.l, c))) {
        applyOne(ctx, c, result);
        applied += 1;
      } else if (!claimSettled(ctx.db, c.id, claimFileName(c))) {
        transition(ctx, {
          type: 'fenced',
          job: c.id,
          slot: c.slot,
          attempt: c.attempt,
          actor: `${result.host}:${result.pid}`,
          detail: {
            claim: claimFileName(c),
            outcome: result.outcome,
            exit_code: result.exit_code ?? null,
            reason: 'the claim this result names no longer exists',
          },
        });
      }
    } catch (err) {
      if (!(err instanceof LostRaceError)) throw err;
      ctx.log.warn('lost a race applying a result', { file: file.name, error: err.message });
    }
    recycleResult(ctx.l, file.name, c.slot);
  }
  return applied;
}

/**
 * The sentinel alone makes and removes claims, so the claims it keeps are those in claimed/
 * (a claim removed by hand fails the move as a lost race): no stat per result, which is a
 * round trip on a network mount.
 */
function knownClaim(ctx: SentinelContext, c: ClaimName): boolean {
  const name = claimFileName(c);
  return (ctx.claims.get(c.slot) ?? []).some((x) => claimFileName(x) === name);
}

function applyOne(ctx: SentinelContext, c: ClaimName, r: JobResult): void {
  const now = new Date();
  const claim = claimFileName(c);
  const base = { job: c.id, slot: c.slot, attempt: c.attempt, actor: `${r.host}:${r.pid}` };
  const maxAttempts = ctx.jobs.get(c.id)?.maxAttempts ?? ctx.cfg.jobs.max_attempts;
  const failure = { exit_code: r.exit_code ?? null, signal: r.signal ?? null, error: r.error ?? null };
  ctx.progressWritten.delete(c.id);
  fail('complete.before-move');

  let record: (file: string) => void;
  let to: string;
  if (r.outcome === 'done') {
    to = completeClaim(ctx.l, ctx.sync, c, now);
    record = (file) =>
      transition(
        ctx,
        { type: 'done', ...base, detail: { claim, exit_code: r.exit_code ?? 0 } },
        {
          id: c.id,
          state: 'done',
          attempts: c.attempt,
          slot: null,
          file,
          progress: 1,
          last_error: null,
          finished_at: now.toISOString(),
        },
      );
  } else if (r.outcome === 'handed_back') {
    to = handBackClaim(ctx.l, ctx.sync, c);
    record = (file) =>
      transition(
        ctx,
        { type: 'handed_back', ...base, detail: { claim, reason: r.error ?? 'worker stopping' } },
        {
          id: c.id,
          state: 'pending',
          attempts: c.attempt - 1,
          slot: null,
          file,
          progress: null,
          message: null,
        },
      );
  } else if (r.outcome === 'failed' && c.attempt < maxAttempts) {
    to = returnClaim(ctx.l, ctx.sync, c);
    const retryAt = retryTime(ctx, c.id, c.attempt, now);
    record = (file) =>
      transition(
        ctx,
        {
          type: 'retried',
          ...base,
          detail: { claim, ...failure, attempts_left: maxAttempts - c.attempt, retry_at: retryAt, log_tail: r.log_tail ?? '' },
        },
        {
          id: c.id,
          state: 'pending',
          attempts: c.attempt,
          slot: null,
          file,
          progress: null,
          message: null,
          last_error: r.error ?? null,
          retry_at: retryAt,
        },
      );
  } else {
    const permanent = r.outcome === 'failed_permanently';
    const reason = permanent ? (r.error ?? 'failed permanently') : `${r.error ?? 'failed'} (attempt ${c.attempt} of ${maxAttempts})`;
    to = failClaim(ctx.l, ctx.sync, c, { reason, ...failure, log_tail: r.log_tail, at: now.toISOString() });
    record = (file) =>
      transition(
        ctx,
        { type: 'failed', ...base, detail: { claim, ...failure, permanent, log_tail: r.log_tail ?? '' } },
        {
          id: c.id,
          state: 'failed',
          attempts: c.attempt,
          slot: null,
          file,
          last_error: reason,
          finished_at: now.toISOString(),
        },
      );
  }
  fail('complete.after-move');
  record(spoolRelative(ctx, to));
  forgetClaim(ctx, c);
}
