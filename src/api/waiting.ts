/**
 * Why a pending job is not running yet, in words (spool-layout.md, "Scheduling"): the times it
 * waits for are read against this host's clock, so the answer is right even when the
 * sentinel has not looked since; the other reasons are the sentinel's last word on the job.
 */
import type { JobRow } from '../ledger/queries.js';
import { UTC_TEXT, type TimeText } from './time-text.js';

export function waitingOf(
  row: Pick<JobRow, 'state' | 'retry_at' | 'not_before' | 'waiting'>,
  now: number,
  text: TimeText = UTC_TEXT,
): string | null {
  if (row.state !== 'pending') return null;
  // Its dependencies come first: its time is waited for only once they are done.
  if (row.waiting?.startsWith('after ')) return row.waiting;
  const retry = row.retry_at ? Date.parse(row.retry_at) : 0;
  const notBefore = row.not_before ? Date.parse(row.not_before) : 0;
  if (retry > now && retry >= notBefore) return `retry at ${text.time(row.retry_at!)}`;
  if (notBefore > now) return `not before ${text.date(row.not_before!)}`;
  return row.waiting;
}
