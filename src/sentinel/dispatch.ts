/**
 * Hands runnable pending jobs to idle live slots, one job per slot: highest priority first,
 * then the oldest file, then the name. A job that no free slot may take now (its plugin at its
 * limit, no slot with its tags) is set aside for this pass and does not hold back those behind
 * it (./eligibility.ts). The claim is the rename (spool-layout.md rule 2); its name carries
 * the attempt and the slot holder's token, which the worker's result must carry back.
 */
import { nanoid } from 'nanoid';
import { LostRaceError } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import { claimFileName, type ClaimName } from '../spool/layout.js';
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
  // A heartbeat can still say busy once its claim is gone: the claims say whether a slot has work.
  const free = live.filter((view) => (ctx.claims.get(view.slot) ?? []).length === 0);
  if (free.length === 0) return 0;
  const rules = new Eligibility(ctx, live);
  const aside: PendingEntry[] = [];
  let claimed = 0;
  while (free.length > 0) {
    const entry = ctx.pending.take();
    if (!entry) break;
    const to = rules.slotFor(entry, free);
    if (typeof to === 'string') {
      aside.push(entry);
      noteWaiting(ctx, entry.id, to);
      continue;
    }
    ctx.pending.delete(entry.name);
    if (claim(ctx, free[to]!, entry)) {
      free.splice(to, 1);
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
  const c: ClaimName = { slot: view.slot, id: entry.id, attempt: entry.attempts + 1, token: hb.token, nonce: nanoid(8) };
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
    ctx.claims.set(view.slot, [c]);
    return true;
  } catch (err) {
    if (!(err instanceof LostRaceError)) throw err;
    return false;
  }
}
