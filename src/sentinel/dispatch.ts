/**
 * Hands runnable pending jobs to live slots: highest priority first, then the oldest file, then
 * the name. Every free slot gets a job before any slot gets a second: a worker that keeps a
 * journal may hold up to sentinel.claims_per_slot claims, one running and the rest queued, so
 * that it starts its next job without waiting for the sentinel, while the jobs it holds are
 * expected to end soon (./plugin-pace.ts). A job that no slot may take now
 * (its plugin at its limit, no slot with its tags) is set aside for this pass and does not hold
 * back those behind it (./eligibility.ts). The claim is the rename (spool-layout.md rule 2); its
 * name carries the attempt and the slot holder's token, which the worker's result must carry
 * back, and a nonce that sorts in dispatch order.
 */
import { nanoid } from 'nanoid';
import { LostRaceError } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import { claimedAtMs, claimFileName, claimNonce, type ClaimName } from '../spool/layout.js';
import { claimJob } from '../spool/moves.js';
import type { SlotState } from '../slot-state.js';
import { spoolRelative, transition, type PendingEntry, type SentinelContext } from './context.js';
import { Eligibility } from './eligibility.js';
import { noteWaiting } from './wait-reasons.js';

const takesJobs = (view: SlotState) => (view.condition === 'idle' || view.condition === 'busy') && view.heartbeat !== undefined;

export function dispatch(ctx: SentinelContext): number {
  if (ctx.paused) return 0;
  ctx.pending.release(Date.now());
  const live = ctx.slots.filter(takesJobs);
  const held = (view: SlotState) => (ctx.claims.get(view.slot) ?? []).length;
  const { claims_per_slot, queue_behind_ms } = ctx.cfg.sentinel;
  const now = Date.now();
  // A job that has run past queue_behind_ms is not ending soon, whatever its plugin's pace.
  const endsSoon = (c: ClaimName) => {
    const plugin = ctx.jobs.get(c.id)?.plugin;
    const at = claimedAtMs(c);
    return !!plugin && at !== undefined && now - at < queue_behind_ms && ctx.pace.shorterThan(plugin, queue_behind_ms);
  };
  // A worker that keeps no journal (an older one) is given one claim at a time.
  const room = (view: SlotState) => (view.heartbeat?.journal && (ctx.claims.get(view.slot) ?? []).every(endsSoon) ? claims_per_slot : 1);
  const rules = new Eligibility(ctx, live);
  let claimed = 0;
  for (let depth = 0; depth < claims_per_slot; depth++) {
    // A heartbeat can still say busy once its claim is gone: the claims say whether a slot has work.
    const open = live.filter((view) => held(view) === depth && room(view) > depth);
    if (open.length === 0) continue;
    const n = fill(ctx, rules, open, depth > 0);
    if (n === 0) break;
    claimed += n;
  }
  return claimed;
}

/** Gives each slot of `open` one job; `queueing`: they hold claims already. */
function fill(ctx: SentinelContext, rules: Eligibility, open: SlotState[], queueing: boolean): number {
  const aside: PendingEntry[] = [];
  let claimed = 0;
  while (open.length > 0) {
    const entry = ctx.pending.take();
    if (!entry) break;
    const to = rules.slotFor(entry, open, queueing);
    if (typeof to === 'string') {
      aside.push(entry);
      // Why a job waits is said when no free slot may take it; a queue's refusal says nothing new.
      if (!queueing) noteWaiting(ctx, entry.id, to);
      continue;
    }
    ctx.pending.delete(entry.name);
    if (claim(ctx, open[to]!, entry)) {
      open.splice(to, 1);
      rules.claimed(entry.plugin);
      claimed += 1;
    }
  }
  for (const e of aside) ctx.pending.putBack(e);
  return claimed;
}

/** Returns false when the file was gone (another actor moved it): the slot stays free. */
function claim(ctx: SentinelContext, view: SlotState, entry: PendingEntry): boolean {
  const hb = view.heartbeat!;
  const c: ClaimName = { slot: view.slot, id: entry.id, attempt: entry.attempts + 1, token: hb.token, nonce: nextNonce() };
  try {
    fail('claim.before-rename');
    const to = claimJob(ctx.l, ctx.sync, entry.path, c);
    fail('claim.after-rename');
    transition(
      ctx,
      {
        type: 'claimed',
        job: c.id,
        slot: c.slot,
        attempt: c.attempt,
        actor: 'sentinel',
        detail: { host: hb.host, pid: hb.pid, claim: claimFileName(c) },
      },
      { id: c.id, state: 'claimed', slot: c.slot, attempts: c.attempt, file: spoolRelative(ctx, to), progress: 0, message: null },
    );
    ctx.claims.set(view.slot, [...(ctx.claims.get(view.slot) ?? []), c]);
    return true;
  } catch (err) {
    if (!(err instanceof LostRaceError)) throw err;
    return false;
  }
}

let lastDispatchMs = 0;

/** Dispatch times never repeat nor go back within a sentinel, so its claims sort in the order made. */
function nextNonce(): string {
  lastDispatchMs = Math.max(Date.now(), lastDispatchMs + 1);
  return claimNonce(lastDispatchMs, nanoid(4));
}
