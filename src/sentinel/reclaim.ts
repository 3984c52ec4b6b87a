/**
 * Takes jobs back from workers that are gone (spool-layout.md rule 6, reclaim). A claim is reclaimed when
 * its slot's worker is dead or stale, or when the slot now belongs to another worker (token
 * mismatch). The attempt counts; past max_attempts the job goes to failed/ as a poison job.
 * A claim left in a slot whose worker exited cleanly (no heartbeat) is handed back uncounted:
 * the worker left before it could pick the job up. So is a claim its worker's journal does not
 * record as started (a queued one, or one the worker died before starting): it never ran.
 */
import { LostRaceError } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import { claimDir, claimFileName, type ClaimName } from '../spool/layout.js';
import { failClaim, handBackClaim, returnClaim } from '../spool/moves.js';
import { listClaims } from '../spool/scan.js';
import { killLeftPlugin, type SlotState } from '../slot-state.js';
import { spoolRelative, transition, type SentinelContext } from './context.js';
import { quarantineFile } from './quarantine.js';
import { applyResults } from './results.js';

export function scanClaims(ctx: SentinelContext): void {
  ctx.claims.clear();
  for (const view of ctx.slots) {
    const { claims, strays } = listClaims(ctx.l, view.slot);
    for (const name of strays) quarantineFile(ctx, claimDir(ctx.l, view.slot), name, 'not a claim file name');
    ctx.claims.set(view.slot, claims);
  }
}

function whyLost(view: SlotState, c: ClaimName): string | undefined {
  const hb = view.heartbeat;
  if (view.condition === 'dead' || view.condition === 'stale') return view.reason;
  if (view.condition === 'free') return 'the slot has no worker';
  if (hb && hb.token !== c.token) return `slot ${view.slot} now belongs to another worker (pid ${hb.pid} on ${hb.host})`;
  return undefined;
}

/**
 * What became of the attempt a lost worker was running. On this host its plugin is killed
 * first, so that the next attempt never runs beside it; on another host nothing is known,
 * and a late result of it is fenced.
 */
function endEarlierAttempt(ctx: SentinelContext, view: SlotState): string | undefined {
  const hb = view.heartbeat;
  if ((view.condition !== 'dead' && view.condition !== 'stale') || !hb) return undefined;
  if (hb.host !== ctx.host) return `unknown: ${hb.host} cannot be reached from here; a late result of it will be fenced`;
  const killed = killLeftPlugin(hb, ctx.host);
  if (killed.length > 0) ctx.log.warn("killed what was left of a lost worker's plugin", { slot: view.slot, pids: killed });
  return killed.length > 0
    ? `ended: its plugin's ${killed.length} process(es) on ${ctx.host} were killed`
    : `ended: no process of it was left on ${ctx.host}`;
}

export function reclaimLost(ctx: SentinelContext): number {
  // A lost worker's last lines say which of its claims started, and how some ended.
  if (ctx.slots.some((view) => (ctx.claims.get(view.slot) ?? []).some((c) => whyLost(view, c)))) applyResults(ctx, true);
  let moved = 0;
  for (const view of ctx.slots) {
    const claims = ctx.claims.get(view.slot) ?? [];
    const kept: ClaimName[] = [];
    let earlier: string | undefined;
    for (const c of claims) {
      const reason = whyLost(view, c);
      if (!reason) {
        kept.push(c);
        continue;
      }
      earlier ??= endEarlierAttempt(ctx, view);
      try {
        reclaimOne(ctx, view, c, reason, earlier);
        moved += 1;
      } catch (err) {
        if (!(err instanceof LostRaceError)) throw err;
      }
    }
    ctx.claims.set(view.slot, kept);
  }
  return moved;
}

/** Whether a lost claim's attempt began. A worker that keeps no journal (an older one) is taken to have begun it. */
function began(ctx: SentinelContext, view: SlotState, c: ClaimName): boolean {
  const hb = view.heartbeat;
  const keepsJournal = hb?.token === c.token ? hb.journal === true : ctx.workerJournals.hasToken(c.token);
  return !keepsJournal || ctx.workerJournals.started(c);
}

function reclaimOne(ctx: SentinelContext, view: SlotState, c: ClaimName, reason: string, earlier: string | undefined): void {
  const base = { job: c.id, slot: c.slot, attempt: c.attempt, actor: 'sentinel' };
  const detail = { reason, claim: claimFileName(c), ...(earlier ? { earlier_attempt: earlier } : {}) };
  ctx.progressWritten.delete(c.id);
  fail('reclaim.before-move');
  const unstarted = view.condition !== 'free' && !began(ctx, view, c);
  if (view.condition === 'free' || unstarted) {
    const to = handBackClaim(ctx.l, ctx.sync, c);
    fail('reclaim.after-move');
    transition(
      ctx,
      { type: 'handed_back', ...base, detail: unstarted ? { ...detail, reason: `never started: ${reason}` } : detail },
      { id: c.id, state: 'pending', attempts: c.attempt - 1, slot: null, file: spoolRelative(ctx, to), progress: null },
    );
    return;
  }
  const max = ctx.jobs.get(c.id)?.maxAttempts ?? ctx.cfg.jobs.max_attempts;
  if (c.attempt >= max) {
    const why = `worker lost on the last attempt (${c.attempt} of ${max}): ${reason}`;
    const to = failClaim(ctx.l, ctx.sync, c, { reason: why, at: new Date().toISOString() });
    fail('reclaim.after-move');
    transition(ctx, { type: 'reclaimed', ...base, detail: { ...detail, to: 'failed' } });
    transition(
      ctx,
      { type: 'failed', ...base, detail: { poison: true, reason: why, claim: claimFileName(c) } },
      {
        id: c.id,
        state: 'failed',
        attempts: c.attempt,
        slot: null,
        file: spoolRelative(ctx, to),
        last_error: why,
        finished_at: new Date().toISOString(),
      },
    );
    return;
  }
  const to = returnClaim(ctx.l, ctx.sync, c);
  fail('reclaim.after-move');
  transition(
    ctx,
    { type: 'reclaimed', ...base, detail },
    // A lost worker is no failure of the job: its next attempt waits for no backoff.
    {
      id: c.id,
      state: 'pending',
      attempts: c.attempt,
      slot: null,
      file: spoolRelative(ctx, to),
      progress: null,
      message: null,
      retry_at: null,
    },
  );
  ctx.log.warn('reclaimed a job from a lost worker', { job: c.id, slot: c.slot, attempt: c.attempt, reason });
}
