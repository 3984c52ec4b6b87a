/** Reading the chain by seq, for matching the ledger with the journal on the share. */
import type { EventRow, Link } from '../chain/event.js';
import type { Db } from './open.js';

export function eventsAfter(db: Db, seq: number, limit: number): EventRow[] {
  return db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as EventRow[];
}

/** The events from seq `from` to seq `to`, both included, in order. */
export function eventsBetween(db: Db, from: number, to: number): EventRow[] {
  return db.prepare('SELECT * FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq').all(from, to) as EventRow[];
}

/** The hash of the event at a seq, by one statement prepared once: a journal is matched line by line. */
export function hashLookup(db: Db): (seq: number) => string | undefined {
  const stmt = db.prepare('SELECT hash FROM events WHERE seq = ?');
  return (seq) => (stmt.get(seq) as { hash: string } | undefined)?.hash;
}

/**
 * Where the ledger's chain starts when it was rebuilt from a pruned journal: the seq of its
 * first event and that event's prev_hash. Undefined for a chain from genesis.
 */
export function chainStart(db: Db): Link | undefined {
  const v = (db.prepare("SELECT value FROM meta WHERE key = 'chain_start'").get() as { value: string } | undefined)?.value;
  if (!v) return undefined;
  const [seq, hash] = v.split(':');
  return { seq: Number(seq), hash: hash! };
}

/** The ledger's last event, or undefined for an empty ledger. */
export function lastEvent(db: Db): Link | undefined {
  return db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').get() as Link | undefined;
}
