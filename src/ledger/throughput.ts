/** The completion rate over time, for the TUI's sparkline: one bounded query. */
import type { Db } from './open.js';

/**
 * Jobs completed in each of the last `minutes` minutes before `nowMs`, oldest first, looking
 * only at the `scan` events up to `uptoSeq` (the newest, by default): a busy ledger's history
 * is never read whole. A replay passes the seq and time it shows.
 */
export function donePerMinute(db: Db, nowMs: number, minutes: number, scan = 20_000, uptoSeq?: number): number[] {
  const since = new Date(nowMs - minutes * 60_000).toISOString();
  const rows = db
    .prepare(
      `SELECT CAST((julianday(at) - julianday(@since)) * 1440 AS INTEGER) AS minute, count(*) AS n FROM events
       WHERE seq > @upto - @scan AND seq <= @upto AND type = 'done' AND at >= @since GROUP BY minute`,
    )
    .all({ since, scan, upto: uptoSeq ?? (db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck().get() as number) }) as {
    minute: number;
    n: number;
  }[];
  const out = Array.from({ length: minutes }, () => 0);
  // An event stamped in the current second's last instant may round up to `minutes`.
  for (const r of rows) out[Math.min(minutes - 1, Math.max(0, r.minute))]! += r.n;
  return out;
}
