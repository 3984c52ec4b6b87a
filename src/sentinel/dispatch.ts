/**
 * Hands pending jobs to idle live slots, one job per slot: highest priority first, then the
 * oldest file, then the name. The claim is the rename (spool-layout.md rule 2); its name carries
 * the attempt and the slot holder's token, which the worker's result must carry back.
 */
import { nanoid } from 'nanoid';
import { LostRaceError } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import { claimFileName, type ClaimName } from '../spool/layout.js';
import { claimJob } from '../spool/moves.js';
import { spoolRelative, transition, type SentinelContext } from './context.js';

export function dispatch(ctx: SentinelContext): number {
  if (ctx.paused) return 0;
  let claimed = 0;
  for (const view of ctx.slots) {
    const hb = view.heartbeat;
    // A heartbeat can still say busy once its claim is gone: the claims say whether a slot has work.
    if ((view.condition !== 'idle' && view.condition !== 'busy') || !hb) continue;
    if ((ctx.claims.get(view.slot) ?? []).length > 0) continue;
    for (;;) {
      const entry = ctx.pending.first();
      if (!entry) return claimed;
      ctx.pending.delete(entry.name);
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
        claimed += 1;
        break;
      } catch (err) {
        if (!(err instanceof LostRaceError)) throw err;
      }
    }
  }
  return claimed;
}
