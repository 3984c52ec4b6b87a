/** The ledger's part of a replay (`spoolctl tui --at`): events by seq, and where a time falls among them. */
import type { EventRow } from '../chain/event.js';
import type { Db } from './open.js';

/** The last event at or before `iso` (0: none), by the sentinel's ISO times, which compare as strings. */
export function seqAtTime(db: Db, iso: string): number {
  return (db.prepare('SELECT coalesce(max(seq), 0) FROM events WHERE at <= ?').pluck().get(iso) as number) ?? 0;
}

/** The first and last events' seq and time. */
export function eventSpan(db: Db): { first: { seq: number; at: string } | undefined; last: { seq: number; at: string } | undefined } {
  const first = db.prepare('SELECT seq, at FROM events ORDER BY seq ASC LIMIT 1').get() as { seq: number; at: string } | undefined;
  const last = db.prepare('SELECT seq, at FROM events ORDER BY seq DESC LIMIT 1').get() as { seq: number; at: string } | undefined;
  return { first, last };
}

export function eventTime(db: Db, seq: number): string | undefined {
  return db.prepare('SELECT at FROM events WHERE seq = ?').pluck().get(seq) as string | undefined;
}

/** The `n` events up to `seq`, oldest first: the ledger's tail as it stood then. */
export function eventsUpTo(db: Db, seq: number, n: number): EventRow[] {
  return (db.prepare('SELECT * FROM events WHERE seq <= ? ORDER BY seq DESC LIMIT ?').all(seq, n) as EventRow[]).reverse();
}
