/**
 * Why a pending job is not running yet, in words (spool-layout.md, "Scheduling"): the times it
 * waits for are read against this host's clock, so the answer is right even when the
 * sentinel has not looked since; the other reasons are the sentinel's last word on the job.
 * Times are shown in UTC.
 */
import type { JobRow } from '../ledger/queries.js';

/** 14:02:11 */
export const clockTime = (iso: string) => new Date(iso).toISOString().slice(11, 19);

/** 2026-12-03 15:00:00Z */
export const dateTime = (iso: string) => `${new Date(iso).toISOString().slice(0, 10)} ${clockTime(iso)}Z`;

export function waitingOf(row: Pick<JobRow, 'state' | 'retry_at' | 'not_before' | 'waiting'>, now: number): string | null {
  if (row.state !== 'pending') return null;
  // Its dependencies come first: its time is waited for only once they are done.
  if (row.waiting?.startsWith('after ')) return row.waiting;
  const retry = row.retry_at ? Date.parse(row.retry_at) : 0;
  const notBefore = row.not_before ? Date.parse(row.not_before) : 0;
  if (retry > now && retry >= notBefore) return `retry at ${clockTime(row.retry_at!)}`;
  if (notBefore > now) return `not before ${dateTime(row.not_before!)}`;
  return row.waiting;
}
