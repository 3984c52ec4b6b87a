/**
 * The jobs a bulk command acts on (`jobs requeue --state failed`, `jobs purge --older-than 7d`).
 * The real run and its --dry-run both call selectJobs, and the real run sends the sentinel
 * exactly the ids selected, so a dry run lists what the real run acts on.
 */
import { UsageError } from '../errors.js';
import { ACTION_STATES, type JobAction } from '../spool/actions.js';
import { queryJobs, type JobListing, type JobQuery } from './jobs.js';
import type { Spool } from './spool.js';

export type JobSelector = Pick<JobQuery, 'state' | 'plugin' | 'olderThanMs' | 'grep'>;

export function selects(f: JobSelector): boolean {
  return f.state !== undefined || f.plugin !== undefined || f.olderThanMs !== undefined || f.grep !== undefined;
}

/** Jobs matching every filter, among those in a state `action` takes a job out of. */
export function selectJobs(s: Spool, action: JobAction, f: JobSelector): JobListing[] {
  if (!selects(f)) throw new UsageError(`Name the jobs to ${action}: job ids, or filters (--state, --plugin, --older-than, --grep).`);
  const { from, named = [] } = ACTION_STATES[action];
  const allowed: readonly string[] = [...from, ...named];
  if (f.state !== undefined && !allowed.includes(f.state)) {
    const states = allowed.length === 1 ? allowed[0] : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
    throw new UsageError(`${action} applies to ${states} jobs, not ${f.state} ones: pick one of those with --state.`);
  }
  return queryJobs(s, { plugin: f.plugin, grep: f.grep, olderThanMs: f.olderThanMs, states: f.state === undefined ? from : [f.state] });
}
