/** The hash chain over ledger events: hash = sha256(prev_hash | every stored column). */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface EventRow {
  seq: number;
  at: string;
  type: string;
  job: string | null;
  slot: number | null;
  attempt: number | null;
  actor: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

export function hashEvent(e: Omit<EventRow, 'hash'>): string {
  return (
    createHash('sha256')
      // JSON keeps NULL and '' apart, so blanking a NULL column is detected too.
      .update(JSON.stringify([e.prev_hash, e.seq, e.at, e.type, e.job, e.slot, e.attempt, e.actor, e.detail]))
      .digest('hex')
  );
}
