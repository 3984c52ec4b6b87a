/**
 * Applies control requests from control/ (written by `spoolctl jobs …`, `workers drain` and
 * the TUI), records each with the user@host who asked, and acknowledges it in control/acks/.
 * An unreadable request is quarantined like any bad input.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidFileError, LostRaceError } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import { drainMarkerPath, type JobState } from '../spool/layout.js';
import { failClaim, failFile, holdFile, releaseFile, requeueFile } from '../spool/moves.js';
import { listRequestNames, readRequest, removeRequest, writeAck, type AckItem, type ControlRequest, type JobAction } from '../spool/control.js';
import { exists } from '../spool/atomic.js';
import { setDrainMarker } from '../spool/slots.js';
import { spoolRelative, transition, type SentinelContext } from './context.js';
import { locate, type Located } from './locate.js';
import { admit } from './intake.js';
import { quarantineFile } from './quarantine.js';

export function applyControl(ctx: SentinelContext): number {
  const names = listRequestNames(ctx.l);
  for (const name of names) {
    let req: ControlRequest;
    try {
      req = readRequest(ctx.l, name);
    } catch (err) {
      if (!(err instanceof InvalidFileError)) throw err;
      quarantineFile(ctx, ctx.l.control, name, `control request ${err.message}`);
      continue;
    }
    // The file's owner is what the filesystem vouches for; user@host is what the requester says.
    const uid = ownerOf(ctx, name);
    const actor = uid === undefined ? req.actor : `${req.actor} (uid ${uid})`;
    const items = 'jobs' in req ? req.jobs.map((id) => applyJobAction(ctx, req.action as JobAction, String(id), actor)) : [applySlotAction(ctx, { ...req, actor } as typeof req)];
    writeAck(ctx.l, { id: req.id, action: req.action, applied_at: new Date().toISOString(), items });
    removeRequest(ctx.l, name);
  }
  return names.length;
}

function ownerOf(ctx: SentinelContext, name: string): number | undefined {
  try {
    return statSync(join(ctx.l.control, name)).uid;
  } catch {
    return undefined;
  }
}

const ALLOWED: Record<JobAction, JobState[]> = {
  requeue: ['failed', 'done', 'held', 'pending'],
  hold: ['pending', 'held'],
  release: ['held', 'pending'],
  cancel: ['pending', 'held', 'claimed'],
};

function refusal(action: JobAction, at: Located): string {
  if (at.state === 'claimed') return `it is running in slot ${at.claim?.slot}; cancel it or wait for it to finish`;
  if (at.state === 'rejected') return 'rejected manifests cannot be requeued; fix the file and submit it again';
  return `it is ${at.state}, and ${action} applies only to ${ALLOWED[action].join(' or ')} jobs`;
}

function applyJobAction(ctx: SentinelContext, action: JobAction, id: string, actor: string): AckItem {
  let at = locate(ctx, id);
  if (at?.state === 'pending' && !ctx.pending.has(at.name)) {
    // Not admitted yet (intake works in batches): admit it first so its submission is recorded.
    admit(ctx, at.name);
    if (!ctx.pending.has(at.name)) return { target: id, ok: false, from: 'pending', error: 'its manifest was rejected (see rejected/)' };
    at = locate(ctx, id);
  }
  if (!at) return { target: id, ok: false, error: `no job "${id}" in pending/, claimed/, held/, failed/ or done/` };
  if (!ALLOWED[action].includes(at.state)) return { target: id, ok: false, from: at.state, error: refusal(action, at) };
  const noop = (action === 'requeue' && at.state === 'pending') || (action === 'hold' && at.state === 'held') || (action === 'release' && at.state === 'pending');
  if (noop) return { target: id, ok: true, from: at.state, to: at.state };
  try {
    const to = move(ctx, action, id, at, actor);
    fail('control.after-move');
    const state = to.split('/')[0]!;
    const type = action === 'requeue' ? 'requeued' : action === 'hold' ? 'held' : action === 'release' ? 'released' : 'cancelled';
    const terminal = state === 'failed';
    transition(ctx, { type, job: id, slot: at.claim?.slot, attempt: at.claim?.attempt, actor, detail: { from: at.state, to: state } }, {
      id,
      state,
      file: to,
      slot: null,
      attempts: action === 'requeue' ? 0 : at.attempts,
      ...(terminal ? { last_error: `cancelled by ${actor}`, finished_at: new Date().toISOString() } : {}),
      ...(action === 'requeue' ? { last_error: null, finished_at: null, progress: null } : {}),
    });
    return { target: id, ok: true, from: at.state, to: state };
  } catch (err) {
    if (err instanceof LostRaceError) return { target: id, ok: false, from: at.state, error: 'it moved while the request was applied; try again' };
    return { target: id, ok: false, from: at.state, error: (err as Error).message };
  }
}

function move(ctx: SentinelContext, action: JobAction, id: string, at: Located, actor: string): string {
  const { l, sync } = ctx;
  let to: string;
  if (action === 'requeue') to = requeueFile(l, sync, at.path, id);
  else if (action === 'hold') to = holdFile(l, sync, at.path, at.name);
  else if (action === 'release') to = releaseFile(l, sync, at.path, at.name);
  else {
    const why = { reason: `cancelled by ${actor}`, by: actor, at: new Date().toISOString() };
    // A running job's claim disappears: its worker stops the plugin and any late result is fenced.
    to = at.claim ? failClaim(l, sync, at.claim, why) : failFile(l, sync, at.path, at.name, why);
  }
  if (at.state === 'pending') ctx.pending.delete(at.name);
  return spoolRelative(ctx, to);
}

function applySlotAction(ctx: SentinelContext, req: Extract<ControlRequest, { slot: number }>): AckItem {
  const target = `slot-${req.slot}`;
  if (req.slot < 1 || req.slot > ctx.slots.length) return { target, ok: false, error: `there is no slot ${req.slot} (slots are 1 to ${ctx.slots.length})` };
  const on = req.action === 'drain';
  const was = exists(drainMarkerPath(ctx.l, req.slot));
  setDrainMarker(ctx.l, req.slot, on);
  if (was !== on) transition(ctx, { type: on ? 'drain_requested' : 'drain_cancelled', slot: req.slot, actor: req.actor });
  return { target, ok: true, from: was ? 'draining' : 'active', to: on ? 'draining' : 'active' };
}
