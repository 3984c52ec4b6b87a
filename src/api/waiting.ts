/**
 * Why a job is not running yet, in words (spool-layout.md, "Scheduling" and "Results"): a
 * pending one's times are read against this host's clock, so the answer is right even when the
 * sentinel has not looked since; its other reasons are the sentinel's last word on the job. A
 * claim is queued while its slot's heartbeat names another job.
 */
import type { JobRow } from '../ledger/queries.js';
import { UTC_TEXT, type TimeText } from './time-text.js';

/** The job a slot's heartbeat says it runs. */
export type SlotJob = (slot: number) => string | undefined;

export function waitingOf(
  row: Pick<JobRow, 'id' | 'state' | 'slot' | 'retry_at' | 'not_before' | 'waiting'>,
  now: number,
  text: TimeText = UTC_TEXT,
  slotJob?: SlotJob,
): string | null {
  if (row.state === 'claimed') {
    const running = row.slot !== null && slotJob ? slotJob(row.slot) : undefined;
    return running !== undefined && running !== row.id ? `queued behind ${running} in slot ${row.slot}` : null;
  }
  if (row.state !== 'pending') return null;
  // Its dependencies come first: its time is waited for only once they are done.
  if (row.waiting?.startsWith('after ')) return row.waiting;
  const retry = row.retry_at ? Date.parse(row.retry_at) : 0;
  const notBefore = row.not_before ? Date.parse(row.not_before) : 0;
  if (retry > now && retry >= notBefore) return `retry at ${text.time(row.retry_at!)}`;
  if (notBefore > now) return `not before ${text.date(row.not_before!)}`;
  return row.waiting;
}
