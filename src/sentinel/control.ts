/**
 * Applies control requests from control/ (written by `spoolctl jobs …`, `workers drain` and
 * the TUI), records each with the user@host who asked, and acknowledges it in control/acks/.
 * An unreadable request is quarantined like any bad input.
 */
import { statSync } from 'node:fs';
import { InvalidFileError, LostRaceError } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import { PURGED } from '../ledger/queries.js';
import { drainMarkerPath, entryParts, requestPath, spoolPath } from '../spool/layout.js';
import { cancelClaim, cancelFile, holdFile, releaseFile, requeueFile } from '../spool/moves.js';
import { ACTION_STATES, type JobAction } from '../spool/actions.js';
import {
  listRequestNames,
  readAck,
  readIntent,
  readRequest,
  removeIntent,
  removeRequest,
  writeAck,
  writeIntent,
  type AckItem,
  type ControlRequest,
} from '../spool/control.js';
import { exists } from '../spool/atomic.js';
import { purgeJobFiles, removeEmptyDirs, type PurgedFile } from '../spool/purge.js';
import { removePause, writePause } from '../spool/paused.js';
import { setDrainMarker } from '../spool/slots.js';
import { forgetClaim, spoolRelative, transition, type SentinelContext } from './context.js';
import { locate, type Located } from './locate.js';
import { admit } from './intake.js';
import { quarantineFile } from './quarantine.js';

export function applyControl(ctx: SentinelContext): number {
  const names = listRequestNames(ctx.l);
  const requests: { name: string; req: ControlRequest }[] = [];
  for (const name of names) {
    try {
      requests.push({ name, req: readRequest(ctx.l, name) });
    } catch (err) {
      if (!(err instanceof InvalidFileError)) throw err;
      quarantineFile(ctx, ctx.l.control, name, `control request ${err.message}`);
    }
  }
  // In the order they were asked: a pause and a resume queued while the sentinel was down
  // must not be applied the other way round (request names are random).
  requests.sort((a, b) => (a.req.at < b.req.at ? -1 : a.req.at > b.req.at ? 1 : a.name < b.name ? -1 : 1));
  for (const { name, req } of requests) {
    // The file's owner is what the filesystem vouches for; user@host is what the requester says.
    const uid = ownerOf(ctx, name);
    const actor = uid === undefined ? req.actor : `${req.actor} (uid ${uid})`;
    fail('control.before-apply');
    if (readAck(ctx.l, req.id)) {
      // Acknowledged before a crash that came before the request's removal: applied already.
      removeRequest(ctx.l, name);
      removeIntent(ctx.l, req.id);
      continue;
    }
    const emptied = new Set<string>();
    const before = 'jobs' in req && req.action !== 'purge' ? intentOf(ctx, req.id, req.jobs.map(String)) : undefined;
    const items =
      'jobs' in req
        ? req.jobs.map((id) => applyJobAction(ctx, req.action as JobAction, String(id), actor, emptied, before?.[String(id)]))
        : 'slot' in req
          ? [applySlotAction(ctx, { ...req, actor })]
          : [applyDispatchAction(ctx, { ...req, actor })];
    // A removed file leaves nothing for start-up reconciliation to find, so a purge is
    // acknowledged (and its request removed) only once the ledger holds it; until then a
    // restarted sentinel applies the request again, which finds the files gone and records it.
    if (req.action === 'purge') {
      if (!commit(ctx)) continue;
      removeEmptyDirs(emptied);
    }
    fail('control.before-ack');
    writeAck(ctx.l, { id: req.id, action: req.action, applied_at: new Date().toISOString(), items, by: actor });
    fail('control.after-ack');
    removeRequest(ctx.l, name);
    removeIntent(ctx.l, req.id);
  }
  return names.length;
}

/**
 * Where each job of a request was before the request was applied: read back if a crashed
 * sentinel wrote it down, else noted (durably) now, before anything moves.
 */
function intentOf(ctx: SentinelContext, requestId: string, ids: string[]): Record<string, string | null> {
  const known = readIntent(ctx.l, requestId);
  if (known) return known.before;
  const before = Object.fromEntries(ids.map((id) => [id, locate(ctx, id)?.state ?? null]));
  writeIntent(ctx.l, { id: requestId, before });
  return before;
}

/** The state each (non-purge) job action leaves its job in. */
const RESULT: Record<Exclude<JobAction, 'purge'>, string> = { requeue: 'pending', hold: 'held', release: 'pending', cancel: 'cancelled' };

function commit(ctx: SentinelContext): boolean {
  try {
    ctx.sync.flush();
    ctx.ledger.flush();
    return true;
  } catch (err) {
    ctx.throttled('error', 'purge', 'cannot write the ledger; the purge request stays queued and is applied again', {
      error: (err as Error).message,
    });
    return false;
  }
}

function ownerOf(ctx: SentinelContext, name: string): number | undefined {
  try {
    return statSync(requestPath(ctx.l, name)).uid;
  } catch {
    return undefined;
  }
}

function accepted(action: JobAction): string[] {
  const { from, named, already } = ACTION_STATES[action];
  return [...from, ...(named ?? []), ...already];
}

function refusal(action: JobAction, state: string, slot: number | undefined): string {
  if (state === 'claimed') return `it is claimed by slot ${slot} (running, or queued to run next); cancel it or wait for it to finish`;
  if (state === 'rejected') return `a rejected file is no job to ${action}: fix it and submit it again, or purge it`;
  return `it is ${state}, and ${action} applies only to ${accepted(action).join(' or ')} jobs`;
}

function applyJobAction(
  ctx: SentinelContext,
  action: JobAction,
  id: string,
  actor: string,
  emptied: Set<string>,
  before?: string | null,
): AckItem {
  let at = locate(ctx, id);
  // Applied by a sentinel that crashed before acknowledging it: acknowledge, do not apply twice.
  if (action !== 'purge' && before && at && at.state !== before && at.state === RESULT[action])
    return { target: id, ok: true, from: before, to: at.state };
  if (at?.state === 'pending' && !ctx.pending.has(at.name)) {
    // Not admitted yet (intake works in batches): admit it first so its submission is recorded.
    admit(ctx, at.name);
    if (!ctx.pending.has(at.name)) return { target: id, ok: false, from: 'pending', error: 'its manifest was rejected (see rejected/)' };
    at = locate(ctx, id);
  }
  if (action === 'purge') return purge(ctx, id, at, actor, emptied);
  const known = ctx.jobs.get(id)?.state;
  if (!at && known === PURGED)
    return { target: id, ok: false, from: PURGED, error: 'it was purged: its files are gone (`spoolctl jobs show` has its history)' };
  if (!at && known === 'rejected') return { target: id, ok: false, from: known, error: refusal(action, known, undefined) };
  if (!at) return { target: id, ok: false, error: `no job "${id}" in pending/, claimed/, held/, failed/, cancelled/ or done/` };
  if (!accepted(action).includes(at.state))
    return { target: id, ok: false, from: at.state, error: refusal(action, at.state, at.claim?.slot) };
  if (ACTION_STATES[action].already.includes(at.state)) return { target: id, ok: true, from: at.state, to: at.state };
  try {
    const to = move(ctx, action, id, at, actor);
    fail('control.after-move');
    const state = entryParts(to).top;
    const type = action === 'requeue' ? 'requeued' : action === 'hold' ? 'held' : action === 'release' ? 'released' : 'cancelled';
    const terminal = state === 'cancelled';
    transition(
      ctx,
      { type, job: id, slot: at.claim?.slot, attempt: at.claim?.attempt, actor, detail: { from: at.state, to: state } },
      {
        id,
        state,
        file: to,
        slot: null,
        attempts: action === 'requeue' ? 0 : at.attempts,
        ...(terminal ? { last_error: `cancelled by ${actor}`, finished_at: new Date().toISOString() } : {}),
        ...(action === 'requeue' ? { last_error: null, finished_at: null, progress: null, retry_at: null } : {}),
      },
    );
    return { target: id, ok: true, from: at.state, to: state };
  } catch (err) {
    if (err instanceof LostRaceError)
      return { target: id, ok: false, from: at.state, error: 'it moved while the request was applied; try again' };
    return { target: id, ok: false, from: at.state, error: (err as Error).message };
  }
}

/**
 * Removes a finished job's file, error file and log; the ledger keeps its row (state purged,
 * no file) and history. `at` is where the job file is, if it is in a directory `locate` lists;
 * done/ and rejected/ files are found by the ledger's record of them.
 */
function purge(ctx: SentinelContext, id: string, at: Located | undefined, actor: string, emptied: Set<string>): AckItem {
  const known = ctx.jobs.get(id);
  const state = at?.state ?? known?.state;
  if (state === undefined) return { target: id, ok: false, error: `no job "${id}" in the ledger` };
  if (state === PURGED) return { target: id, ok: true, from: PURGED, to: PURGED };
  if (!(ACTION_STATES.purge.from as readonly string[]).includes(state))
    return { target: id, ok: false, from: state, error: refusal('purge', state, at?.claim?.slot) };
  const rel = at ? spoolRelative(ctx, at.path) : (known?.file ?? null);
  // A file already gone (a purge cut short by a crash, a manual removal) is recorded as purged.
  const file: PurgedFile | undefined =
    rel && exists(spoolPath(ctx.l, rel)) ? { state: state as PurgedFile['state'], path: spoolPath(ctx.l, rel) } : undefined;
  try {
    const dir = purgeJobFiles(ctx.l, ctx.sync, id, file);
    if (dir) emptied.add(dir);
  } catch (err) {
    return { target: id, ok: false, from: state, error: (err as Error).message };
  }
  fail('control.after-move');
  transition(
    ctx,
    { type: 'purged', job: id, actor, detail: { from: state, file: file ? rel : null } },
    { id, state: PURGED, file: null, slot: null, progress: null, message: null },
  );
  return { target: id, ok: true, from: state, to: PURGED };
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
    to = at.claim ? cancelClaim(l, sync, at.claim, why) : cancelFile(l, sync, at.path, at.name, why);
    if (at.claim) forgetClaim(ctx, at.claim);
  }
  if (at.state === 'pending') ctx.pending.delete(at.name);
  return spoolRelative(ctx, to);
}

function applySlotAction(ctx: SentinelContext, req: Extract<ControlRequest, { slot: number }>): AckItem {
  const target = `slot-${req.slot}`;
  if (req.slot < 1 || req.slot > ctx.slots.length)
    return { target, ok: false, error: `there is no slot ${req.slot} (slots are 1 to ${ctx.slots.length})` };
  const on = req.action === 'drain';
  const was = exists(drainMarkerPath(ctx.l, req.slot));
  setDrainMarker(ctx.l, req.slot, on);
  if (was !== on) transition(ctx, { type: on ? 'drain_requested' : 'drain_cancelled', slot: req.slot, actor: req.actor });
  return { target, ok: true, from: was ? 'draining' : 'active', to: on ? 'draining' : 'active' };
}

/** Pause or resume dispatch: the marker first, so that a pause recorded is a pause in force. */
function applyDispatchAction(ctx: SentinelContext, req: Extract<ControlRequest, { action: 'pause' | 'resume' }>): AckItem {
  const was = ctx.paused ? 'paused' : 'dispatching';
  if (req.action === 'pause') {
    if (ctx.paused) return { target: 'dispatch', ok: true, from: was, to: 'paused' };
    const info = { by: req.actor, at: new Date().toISOString(), reason: req.reason ?? null };
    writePause(ctx.l, info);
    ctx.paused = info;
    transition(ctx, { type: 'paused', actor: req.actor, detail: { reason: info.reason } });
    return { target: 'dispatch', ok: true, from: was, to: 'paused' };
  }
  if (!ctx.paused) return { target: 'dispatch', ok: true, from: was, to: 'dispatching' };
  removePause(ctx.l);
  transition(ctx, { type: 'resumed', actor: req.actor, detail: { paused_by: ctx.paused.by, paused_at: ctx.paused.at } });
  ctx.paused = undefined;
  return { target: 'dispatch', ok: true, from: was, to: 'dispatching' };
}
