/**
 * The jobs view's order and its `/` filter beyond what the ledger query does: `s` sorts the
 * listed rows by another key, and a filter that starts with `!` keeps the rows that do not
 * match. Both work on the rows listed (at most JOB_LIMIT of the tab, in the ledger's order).
 */
import type { JobSummary } from '../src/api/jobs.js';

/** `ledger` is the ledger's order: pending jobs in dispatch order, the others newest first. */
export const JOB_SORTS = ['ledger', 'age', 'priority', 'plugin', 'state', 'attempts'] as const;
export type JobSort = (typeof JOB_SORTS)[number];

export function nextSort(sort: JobSort): JobSort {
  return JOB_SORTS[(JOB_SORTS.indexOf(sort) + 1) % JOB_SORTS.length]!;
}

const submitted = (j: JobSummary) => Date.parse(j.submitted_at ?? j.updated_at);

/** Oldest first, highest priority first, most attempts first; names alphabetically. Ties keep the ledger's order. */
const COMPARE: Record<Exclude<JobSort, 'ledger'>, (a: JobSummary, b: JobSummary) => number> = {
  age: (a, b) => submitted(a) - submitted(b),
  priority: (a, b) => b.priority - a.priority,
  plugin: (a, b) => (a.plugin ?? '').localeCompare(b.plugin ?? ''),
  state: (a, b) => a.state.localeCompare(b.state),
  attempts: (a, b) => b.attempts - a.attempts,
};

export function sortJobs(jobs: JobSummary[], sort: JobSort): JobSummary[] {
  return sort === 'ledger' ? jobs : [...jobs].sort(COMPARE[sort]);
}

/** The filter as typed: the text to match, and whether `!` inverts it. */
export function parseFilter(filter: string): { text: string; invert: boolean } {
  return filter.startsWith('!') ? { text: filter.slice(1), invert: true } : { text: filter, invert: false };
}

/** Whether a job matches the text the way the ledger's grep does: in its id, plugin or last error. */
export function matches(j: JobSummary, text: string): boolean {
  return j.id.includes(text) || (j.plugin ?? '').includes(text) || (j.last_error ?? '').includes(text);
}
