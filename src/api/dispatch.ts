/**
 * What holds dispatch back, for `status` and the TUI (spool-layout.md, "Scheduling"): a pause,
 * with who paused and why (paused.json, on the share: the same on every host), and why pending
 * jobs wait, from the ledger when this host has it, else from the sentinel's sentinel.json.
 */
import { pendingWaits, type PendingWaits } from '../ledger/queries.js';
import { readPause, type PauseInfo } from '../spool/paused.js';
import { readSentinelInfo } from '../spool/sentinel-info.js';
import { openLedgerForRead, type Spool } from './spool.js';
import { UTC_TEXT, type TimeText } from './time-text.js';

export interface DispatchStatus {
  paused: PauseInfo | null;
  /** Human reasons, each with how many jobs it holds back: "3 scheduled, next at 14:02:11", "2 wait for other jobs", "plugin X at its limit (2 of 2)", "no live worker has tag gpu". */
  waiting: { reason: string; jobs: number }[];
}

/** `sentinelUp`: sentinel.json is believed only while its sentinel runs. */
export function dispatchStatus(s: Spool, sentinelUp: boolean, text: TimeText = UTC_TEXT): DispatchStatus & { scheduled: number } {
  const waits = ledgerWaits(s) ?? (sentinelUp ? readSentinelInfo(s.l)?.dispatch : undefined);
  const waiting: DispatchStatus['waiting'] = [];
  if (waits) {
    const { scheduled, after, blocked } = waits;
    if (scheduled.jobs > 0)
      waiting.push({
        reason: `${scheduled.jobs} scheduled${scheduled.next_at ? `, next at ${text.time(scheduled.next_at)}` : ''}`,
        jobs: scheduled.jobs,
      });
    if (after > 0) waiting.push({ reason: `${after} wait${after === 1 ? 's' : ''} for other jobs`, jobs: after });
    waiting.push(...blocked);
  }
  return { paused: readPause(s.l) ?? null, waiting, scheduled: waits?.scheduled.jobs ?? 0 };
}

function ledgerWaits(s: Spool): PendingWaits | undefined {
  const db = openLedgerForRead(s);
  if (!db) return undefined;
  try {
    return pendingWaits(db, new Date().toISOString());
  } finally {
    db.close();
  }
}
