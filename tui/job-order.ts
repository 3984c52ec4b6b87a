/**
 * The jobs view's order and its `/` filter, both done by the ledger query over the whole tab:
 * `s` cycles the sort key, and a filter that starts with `!` keeps the jobs that do not match.
 */

/** `ledger` is the ledger's order: pending jobs in dispatch order, the others newest first. */
export const JOB_SORTS = ['ledger', 'age', 'priority', 'plugin', 'state', 'attempts'] as const;
export type JobSort = (typeof JOB_SORTS)[number];

export function nextSort(sort: JobSort): JobSort {
  return JOB_SORTS[(JOB_SORTS.indexOf(sort) + 1) % JOB_SORTS.length]!;
}

/** The query's part for the filter as typed: its text to match, or with `!` to lack. */
export function filterQuery(filter: string): { grep?: string; grepNot?: string } {
  if (filter.startsWith('!')) return filter.length > 1 ? { grepNot: filter.slice(1) } : {};
  return filter ? { grep: filter } : {};
}
