/** Moves a bad file to rejected/ with its reason and records it (DESIGN §4 rule 8). */
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { LostRaceError } from '../errors.js';
import { isValidId } from '../spool/layout.js';
import { quarantine } from '../spool/moves.js';
import { spoolRelative, transition, type SentinelContext } from './context.js';

export function quarantineFile(ctx: SentinelContext, dir: string, name: string, reason: string, id?: string): void {
  let to: string;
  try {
    to = quarantine(ctx.l, ctx.sync, join(dir, name), name, nanoid(6), reason);
  } catch (err) {
    if (err instanceof LostRaceError) return;
    throw err;
  }
  const job = id !== undefined && isValidId(id) && !ctx.jobs.has(id) ? id : undefined;
  const detail = { file: spoolRelative(ctx, join(dir, name)), moved_to: spoolRelative(ctx, to), reason };
  // A rejected file gets a job row only if its id is usable and not already another job's.
  transition(ctx, { type: 'rejected', job, actor: 'sentinel', detail }, job ? { id: job, state: 'rejected', file: spoolRelative(ctx, to), last_error: reason } : undefined);
  ctx.log.warn('quarantined a bad file', detail);
}
