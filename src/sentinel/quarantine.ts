/** Moves a bad file to rejected/ with its reason and records it (spool-layout.md rule 9). */
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { LostRaceError } from '../errors.js';
import { exists } from '../spool/atomic.js';
import { isValidId, quarantineName } from '../spool/layout.js';
import { quarantine } from '../spool/moves.js';
import { spoolRelative, type SentinelContext } from './context.js';
import { recordRejected } from './rejected.js';

export function quarantineFile(ctx: SentinelContext, dir: string, name: string, reason: string, id?: string): void {
  const from = join(dir, name);
  // A name seen again as it leaves (the watcher reports the rename out): nothing to quarantine.
  if (!exists(from)) return;
  const file = quarantineName(name, nanoid(6));
  // A usable id that is no other job's names the rejected file; any other file goes by its name in rejected/.
  const key = id !== undefined && isValidId(id) && !ctx.jobs.has(id) ? id : file;
  let to: string;
  try {
    to = quarantine(ctx.l, ctx.sync, from, file, { original_name: name, id: key, reason, at: new Date().toISOString() });
  } catch (err) {
    if (err instanceof LostRaceError) return;
    throw err;
  }
  const detail = { file: spoolRelative(ctx, from), moved_to: spoolRelative(ctx, to), reason };
  recordRejected(ctx, key, detail);
  ctx.log.warn('quarantined a bad file', detail);
}
