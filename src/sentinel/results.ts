/**
 * Applies workers' results: the end lines of their journals, and result files from workers
 * that keep none. A result counts only while the exact claim it names still exists
 * (spool-layout.md rule 3, fencing); otherwise it is recorded as fenced and changes nothing. A
 * result the ledger already recorded (a restart between the move and the ledger write, or a
 * journal read again by a restarted sentinel) is dropped silently: it was applied once already.
 * Every event that settles a claim names it in detail.claim; that is what the check reads.
 */
import { LostRaceError } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import { claimReclaimed, claimSettled } from '../ledger/queries.js';
import { exists } from '../spool/atomic.js';
import { claimFileName, claimPath, stateFileName, statePath, type ClaimName } from '../spool/layout.js';
import { completeClaim, failClaim, handBackClaim, returnClaim } from '../spool/moves.js';
import { listResults, readResult, removeResult, type JobResult } from '../spool/results.js';
import { retryTime } from './backoff.js';
import { forgetClaim, spoolRelative, transition, type SentinelContext } from './context.js';

/** `fresh`: read the journals past a mount's cached sizes, as before judging a lost worker's claims. */
export function applyResults(ctx: SentinelContext, fresh = false): number {
  const listing = listResults(ctx.l);
  let applied = 0;
  for (const { file, line } of ctx.workerJournals.read(ctx, listing.journals, fresh)) {
    if (applyEnd(ctx, line.claim, line.result)) applied += 1;
    ctx.workerJournals.applied(file, line);
  }
  for (const file of listing.files) {
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
    if (applyEnd(ctx, file.claim, result)) applied += 1;
    removeResult(ctx.l, file.name);
  }
  return applied;
}

/** Applies one claim's result, or records it as fenced; true when it moved the claim. */
function applyEnd(ctx: SentinelContext, c: ClaimName, result: JobResult): boolean {
  try {
    if (knownClaim(ctx, c) || exists(claimPath(ctx.l, c))) {
      applyOne(ctx, c, result);
      return true;
    }
    if (!claimSettled(ctx.db, c.id, claimFileName(c)) && !endedThisWay(ctx, c, result)) {
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
    ctx.log.warn('lost a race applying a result', { job: c.id, claim: claimFileName(c), error: err.message });
  }
  return false;
}

/**
 * A restarted sentinel reads the workers' journals again, and a result the last one applied
 * without recording it (killed between the move and the ledger write) finds its job already
 * moved, which the start-up reconciliation recorded without the claim's name: when the job is
 * where this result would have put it, and no reclaim of the claim explains that, the result
 * is not fenced but dropped.
 */
function endedThisWay(ctx: SentinelContext, c: ClaimName, r: JobResult): boolean {
  const job = ctx.jobs.get(c.id);
  if (!job) return false;
  const put = (state: string, attempts: number) => job.state === state && job.attempts === attempts;
  if (r.outcome === 'done') return put('done', c.attempt);
  if (r.outcome !== 'handed_back' && put('failed', c.attempt)) return true;
  // pending/ is admitted after results are applied: the file says where the job went.
  const back = r.outcome === 'handed_back' ? c.attempt - 1 : r.outcome === 'failed' ? c.attempt : undefined;
  if (back === undefined || !exists(statePath(ctx.l, 'pending', stateFileName(c.id, back)))) return false;
  return !claimReclaimed(ctx.db, c.id, claimFileName(c));
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
  const plugin = ctx.jobs.get(c.id)?.plugin;
  if (plugin && r.outcome !== 'handed_back') ctx.pace.ran(plugin, r.started_at, r.finished_at);
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
