/**
 * The hash chain's rule, shared by the ledger (rows in SQLite) and the journal (lines on the
 * share): hash = sha256(prev_hash | every stored column), and each event links to the one
 * before it. Pure functions over values: no SQL and no paths, so both layers can use them.
 */
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

/** Where the chain stands after an event: the next one must carry seq + 1 and this hash. */
export interface Link {
  seq: number;
  hash: string;
}

/**
 * Why `e` does not follow `prev` in the chain, or undefined when it does. Without `prev` (the
 * journal's first kept line) any start is accepted: after pruning the chain starts mid-way.
 */
export function linkProblem(prev: Link | undefined, e: EventRow): string | undefined {
  if (hashEvent(e) !== e.hash) return 'does not match its hash (it was altered)';
  if (!prev) return undefined;
  if (e.seq !== prev.seq + 1) return `carries seq ${e.seq} where seq ${prev.seq + 1} was due (lines are missing or repeated)`;
  if (e.prev_hash !== prev.hash) return "has a prev_hash that is not the previous line's hash (a line before it was changed or removed)";
  return undefined;
}

export const startsAtGenesis = (e: EventRow): boolean => e.seq === 1 && e.prev_hash === GENESIS_HASH;
