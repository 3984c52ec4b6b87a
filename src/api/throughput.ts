/** Completions per minute over the last minutes, for the TUI's sparkline (read only). */
import { donePerMinute } from '../ledger/throughput.js';
import { openLedgerForRead, type Spool } from './spool.js';

/** Jobs done in each of the last `minutes` minutes, oldest first; zeros without a ledger. */
export function doneHistory(s: Spool, minutes: number): number[] {
  const db = openLedgerForRead(s);
  if (!db) return Array.from({ length: minutes }, () => 0);
  try {
    return donePerMinute(db, Date.now(), minutes);
  } finally {
    db.close();
  }
}
