/** Recent activity for the TUI's dashboard: the ledger tail and the completion rate. */
import type { EventRow } from '../chain/event.js';
import { recentDoneCount, tailEvents } from '../ledger/queries.js';
import { openLedgerForRead, type Spool } from './spool.js';

/** A ledger event as the dashboard shows it: its detail parsed, its chain links left out. */
export type ActivityEvent = Omit<EventRow, 'detail' | 'prev_hash' | 'hash'> & { detail: Record<string, unknown> };

export interface Activity {
  events: ActivityEvent[];
  /** Jobs completed in the last minute. */
  done_per_min: number;
}

/** An event as the dashboard shows it. */
export function activityEvent(e: EventRow): ActivityEvent {
  return {
    seq: e.seq,
    at: e.at,
    type: e.type,
    job: e.job,
    slot: e.slot,
    attempt: e.attempt,
    actor: e.actor,
    detail: JSON.parse(e.detail) as Record<string, unknown>,
  };
}

export function recentActivity(s: Spool, n: number): Activity {
  const db = openLedgerForRead(s);
  if (!db) return { events: [], done_per_min: 0 };
  try {
    const events = tailEvents(db, n).map(activityEvent);
    return { events, done_per_min: recentDoneCount(db, new Date(Date.now() - 60_000).toISOString()) };
  } finally {
    db.close();
  }
}
