/**
 * Keeps the ledger's rejected items one to one with the files in rejected/, so that what
 * `status` counts, `jobs list` lists and `jobs purge` removes is the same set. The sentinel
 * quarantines and purges with its own records; this finds what happened otherwise: a file
 * quarantined just before a crash, a ledger rebuilt, a rejected job's id submitted again
 * (its row now the new job's), a file removed or put there by hand.
 */
import { PURGED } from '../ledger/queries.js';
import { unlinkQuiet } from '../spool/atomic.js';
import { isItemName, rejectedRecordPath, statePath } from '../spool/layout.js';
import { listRejected, readRejectionRecord } from '../spool/rejected.js';
import { spoolRelative, transition, type SentinelContext } from './context.js';

/** The `rejected` event's detail: where the file is now and why, with where it came from when known. */
interface Rejection extends Record<string, unknown> {
  moved_to: string;
  reason: string;
}

export function recordRejected(ctx: SentinelContext, key: string, detail: Rejection): void {
  transition(
    ctx,
    { type: 'rejected', job: key, actor: 'sentinel', detail },
    { id: key, state: 'rejected', file: detail.moved_to, last_error: detail.reason, finished_at: new Date().toISOString() },
  );
}

/** The key a found file is listed under: the one its record names while that is free, else its own name. */
function keyFor(ctx: SentinelContext, name: string, recorded: string | undefined): string | undefined {
  const free = (key: string) => {
    const state = ctx.jobs.get(key)?.state;
    return state === undefined || state === PURGED;
  };
  if (recorded !== undefined && isItemName(recorded) && free(recorded)) return recorded;
  return isItemName(name) && free(name) ? name : undefined;
}

export function syncRejected(ctx: SentinelContext): void {
  const names = listRejected(ctx.l);
  const listed = new Map<string, string>();
  for (const [id, job] of ctx.jobs) if (job.state === 'rejected' && job.file) listed.set(job.file, id);
  const present = new Set<string>();
  for (const name of names) {
    const rel = spoolRelative(ctx, statePath(ctx.l, 'rejected', name));
    present.add(rel);
    if (listed.has(rel)) continue;
    const record = readRejectionRecord(ctx.l, name);
    const key = keyFor(ctx, name, record?.id);
    if (key === undefined) {
      ctx.throttled('warn', `rejected:${name}`, 'a file in rejected/ is named like another job; rename or remove it', { file: rel });
      continue;
    }
    recordRejected(ctx, key, {
      original_name: record?.original_name ?? null,
      moved_to: rel,
      reason: record?.reason ?? 'found in rejected/ with no record of why',
      reconciled: true,
    });
  }
  for (const [file, id] of listed) {
    if (present.has(file)) continue;
    unlinkQuiet(rejectedRecordPath(ctx.l, file.slice(file.lastIndexOf('/') + 1)));
    transition(
      ctx,
      {
        type: 'purged',
        job: id,
        actor: 'sentinel',
        detail: { reconciled: true, from: 'rejected', file, reason: 'removed from rejected/ outside spoolctl' },
      },
      { id, state: PURGED, file: null },
    );
  }
}
