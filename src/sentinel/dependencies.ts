/**
 * Jobs that run after others (manifest `after`, spool-layout.md "Scheduling"). A job waits in
 * the pending queue by the ids it waits for and moves into the dispatch order when the last is
 * done; when one fails, is cancelled, rejected or purged, it fails at once without an attempt.
 *
 * An `after` id the ledger has never seen may belong to a job of the same batch that is not in
 * pending/ yet, so the file is not admitted but deferred, and judged only by a full listing of
 * pending/ that began after it was first seen and admitted everything it listed: a batch
 * whose files all arrive within one sentinel.scan_interval_ms is accepted in any order.
 */
import { LostRaceError } from '../errors.js';
import { parseStateName } from '../spool/layout.js';
import { failFile } from '../spool/moves.js';
import { spoolRelative, transition, type PendingEntry, type SentinelContext } from './context.js';
import { quarantineFile } from './quarantine.js';
import { noteWaiting } from './wait-reasons.js';

export type AfterVerdict = { waitsFor: string[] } | { deferred: true } | { rejected: true };

/** Where a manifest's `after` leaves it: waiting for some ids, deferred (unknown ids), or quarantined (a cycle). */
export function checkAfter(ctx: SentinelContext, name: string, id: string, after: readonly string[], isNew: boolean): AfterVerdict {
  if (isNew && after.some((dep) => !ctx.jobs.has(dep) && dep !== id)) {
    if (!ctx.deferred.has(name)) ctx.deferred.set(name, Date.now());
    return { deferred: true };
  }
  ctx.deferred.delete(name);
  const cycle = isNew ? cycleThrough(ctx, id, after) : undefined;
  if (cycle) {
    quarantineFile(ctx, ctx.l.pending, name, `"after" forms a cycle: ${cycle.join(' → ')}`, id);
    return { rejected: true };
  }
  const waitsFor = after.filter((dep) => ctx.jobs.get(dep)?.state !== 'done');
  // Already failed (a restart, or a late submission): the settling step fails this job.
  for (const dep of waitsFor) if (isFailedDependency(ctx, dep)) ctx.settled.push(dep);
  return { waitsFor };
}

function isFailedDependency(ctx: SentinelContext, id: string): boolean {
  const state = ctx.jobs.get(id)?.state;
  return state === 'failed' || state === 'cancelled' || state === 'rejected' || state === 'purged';
}

/** A path of ids from `id` back to itself through the jobs waiting in the queue, if there is one. */
function cycleThrough(ctx: SentinelContext, id: string, after: readonly string[]): string[] | undefined {
  const parent = new Map<string, string>();
  const stack = after.map((dep) => [dep, id] as const);
  while (stack.length > 0) {
    const [at, from] = stack.pop()!;
    if (parent.has(at)) continue;
    parent.set(at, from);
    if (at === id) {
      const path = [id];
      for (let x = from; x !== id; x = parent.get(x)!) path.unshift(x);
      return [id, ...path];
    }
    for (const next of ctx.pending.waitsFor(at) ?? []) stack.push([next, at]);
  }
  return undefined;
}

/**
 * After a full listing of pending/ admitted everything in it: a deferred file still naming an
 * id the ledger does not know, first seen before that listing began, is quarantined.
 */
export function judgeDeferred(ctx: SentinelContext, listingStartedAt: number, present: ReadonlySet<string>): void {
  for (const [name, firstSeen] of ctx.deferred) {
    if (!present.has(name)) ctx.deferred.delete(name);
    else if (firstSeen < listingStartedAt) {
      ctx.deferred.delete(name);
      const reason = '"after" names a job the spool has never had (none was submitted by the next full scan)';
      quarantineFile(ctx, ctx.l.pending, name, reason, parseStateName(name)?.id);
    }
  }
}

/** The `waiting` reason of a job that waits for other jobs. */
export const afterReason = (ids: readonly string[]) => `after ${ids.join(', ')}`;

/** Moves on the jobs that wait for the jobs settled since the last call: a step of each pass, before dispatch. */
export function settleDependents(ctx: SentinelContext): void {
  // Failing a job settles it too: an array's iterator also reaches what is appended meanwhile.
  for (const id of ctx.settled) {
    if (ctx.jobs.get(id)?.state === 'done') {
      for (const e of ctx.pending.satisfied(id)) noteWaiting(ctx, e.id, waitReason(ctx, e));
    } else if (isFailedDependency(ctx, id)) {
      for (const e of ctx.pending.waitingOn(id)) failDependent(ctx, e, id);
    }
  }
  ctx.settled.length = 0;
}

function waitReason(ctx: SentinelContext, e: PendingEntry): string | null {
  const left = ctx.pending.waitsFor(e.id);
  return left ? afterReason(left) : null;
}

function failDependent(ctx: SentinelContext, e: PendingEntry, dependency: string): void {
  const reason = `dependency ${dependency} failed`;
  const at = new Date().toISOString();
  ctx.pending.delete(e.name);
  let to: string;
  try {
    to = failFile(ctx.l, ctx.sync, e.path, e.name, { reason, at });
  } catch (err) {
    if (err instanceof LostRaceError) return;
    throw err;
  }
  transition(
    ctx,
    { type: 'failed', job: e.id, actor: 'sentinel', detail: { dependency, reason } },
    { id: e.id, state: 'failed', slot: null, file: spoolRelative(ctx, to), last_error: reason, finished_at: at },
  );
  ctx.log.info('failed a job whose dependency failed', { job: e.id, dependency });
}
