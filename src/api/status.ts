/**
 * The one-shot status: sentinel, counts per state, and every slot (what the TUI reloads);
 * `status` adds the age of the jobs per state and why pending jobs wait. Shape of `status --json`.
 */
import { statSync } from 'node:fs';
import { hostId } from '../config/identity.js';
import { ageShape, countsByState, oldestPending } from '../ledger/queries.js';
import { pidAlive } from '../proc.js';
import { listStateDir } from '../spool/scan.js';
import { STATE_DIRS, type JobState } from '../spool/layout.js';
import { listRejected } from '../spool/rejected.js';
import { readSentinelInfo, readStandbyInfos } from '../spool/sentinel-info.js';
import { fileServerNowOrLocal } from './clock.js';
import { dispatchStatus, type DispatchStatus } from './dispatch.js';
import { refusedRequests, type RefusedRequest } from './refused.js';
import { waitReasons, type WaitReason } from './wait-reasons.js';
import { slotStatuses, type SlotStatus } from './slots.js';
import { openLedgerForRead, type Spool } from './spool.js';
import { UTC_TEXT, type TimeText } from './time-text.js';

export interface SentinelStatus {
  up: boolean;
  host: string | null;
  pid: number | null;
  started_at: string | null;
  beat_age_s: number | null;
  /** Sentinels waiting on other hosts to take over (`spoolctl sentinel --standby`). */
  standby: StandbyStatus[];
  /** The sentinel's word on the journal on the share (null: no sentinel, or journal.enabled off): `behind` events wait in memory. */
  journal?: { ok: boolean; behind: number; error: string | null } | null;
}

export interface StandbyStatus {
  host: string;
  pid: number;
  since: string;
  up: boolean;
}

export interface Status {
  spool: string;
  sentinel: SentinelStatus;
  /** Per state, and `scheduled`: the pending jobs waiting for a time (not_before, a retry's backoff). */
  counts: Record<JobState | 'scheduled', number>;
  dispatch: DispatchStatus;
  slots: SlotStatus[];
  max_workers: number;
  ledger: boolean;
  /** Control requests the sentinel refused that nobody waited for, oldest first (src/api/refused.ts). */
  refused: RefusedRequest[];
}

/** A sentinel beat older than this (seconds) on another host counts as down. */
const SENTINEL_BEAT_LIMIT_S = 5;

export function sentinelStatus(s: Spool, serverNow?: number): SentinelStatus {
  const info = readSentinelInfo(s.l);
  // Another host's sentinel is judged by the file server's clock, which set the mtime.
  const ageS = (host: string, mtimeMs: number) =>
    ((host === hostId() ? Date.now() : (serverNow ??= fileServerNowOrLocal(s))) - mtimeMs) / 1000;
  // A standby rewrites its file every scan interval.
  const standbyLimitS = Math.max(SENTINEL_BEAT_LIMIT_S, (3 * s.loaded.config.sentinel.scan_interval_ms) / 1000);
  const standby = readStandbyInfos(s.l).map((b) => ({
    host: b.host,
    pid: b.pid,
    since: b.since,
    up: b.host === hostId() ? pidAlive(b.pid) : ageS(b.host, b.mtimeMs) < standbyLimitS,
  }));
  if (!info) return { up: false, host: null, pid: null, started_at: null, beat_age_s: null, standby };
  const age = ageS(info.host, info.mtimeMs);
  const up = info.host === hostId() ? pidAlive(info.pid) : age < SENTINEL_BEAT_LIMIT_S;
  return {
    up,
    host: info.host,
    pid: info.pid,
    started_at: info.started_at,
    beat_age_s: Math.round(age * 10) / 10,
    standby,
    journal: up ? (info.journal ?? null) : null,
  };
}

/**
 * A cheap look at the sentinel, for a screen that polls it several times a second: reads
 * sentinel.json and, for a sentinel on this host, whether its pid lives (a kill -9 shows at
 * once). Another host's sentinel is judged by the age of its beat, which takes the file
 * server's clock: `up` is null then, and `sentinelStatus` decides.
 */
export function sentinelGlance(s: Spool): { host: string | null; pid: number | null; started_at: string | null; up: boolean | null } {
  const info = readSentinelInfo(s.l);
  if (!info) return { host: null, pid: null, started_at: null, up: false };
  return { host: info.host, pid: info.pid, started_at: info.started_at, up: info.host === hostId() ? pidAlive(info.pid) : null };
}

function sentinelCounts(s: Spool, serverNow?: number): Record<string, number> | undefined {
  return sentinelStatus(s, serverNow).up ? readSentinelInfo(s.l)?.counts : undefined;
}

interface DirCount {
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
  count: number;
}

/** Entries listed at most this long after their directory last changed are counted again next time. */
const RACY_MS = 2000;
const dirCounts = new Map<string, DirCount>();

/**
 * The job files in a state directory. A process that asks again and again (the TUI reloads
 * every second) lists the directory only when it has changed: a directory's mtime moves with
 * every entry added or removed. A count taken within RACY_MS of that change is not trusted,
 * as two changes inside the filesystem's timestamp granularity leave one mtime. `now` is by
 * the file server's clock, which set the mtime.
 */
function countJobFiles(dir: string, now: number, list: () => number): number {
  let st: { ino: number; mtimeMs: number; ctimeMs: number };
  try {
    st = statSync(dir);
  } catch {
    dirCounts.delete(dir);
    return list();
  }
  const cached = dirCounts.get(dir);
  if (cached && cached.ino === st.ino && cached.mtimeMs === st.mtimeMs && cached.ctimeMs === st.ctimeMs) return cached.count;
  const count = list();
  if (now - Math.max(st.mtimeMs, st.ctimeMs) > RACY_MS)
    dirCounts.set(dir, { ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, count });
  else dirCounts.delete(dir);
  return count;
}

/** The job files in each directory, for a host without the ledger while no sentinel runs (claimed/ and done/ are not listed). */
const DIRECTORY_COUNTS: Partial<Record<JobState, (s: Spool) => number>> = {
  pending: (s) => listStateDir(s.l.pending).jobs.length,
  held: (s) => listStateDir(s.l.held).jobs.length,
  failed: (s) => listStateDir(s.l.failed).jobs.length,
  cancelled: (s) => listStateDir(s.l.cancelled).jobs.length,
  rejected: (s) => listRejected(s.l).length,
};

/**
 * Counts from the ledger, which has a row for every file in rejected/, so that they agree
 * with `jobs list`; without a ledger, the sentinel's, else the directories'.
 */
export function stateCounts(s: Spool, serverNow?: number): { counts: Record<JobState, number>; ledger: boolean } {
  const counts = Object.fromEntries(STATE_DIRS.map((d) => [d, 0])) as Record<JobState, number>;
  const now = serverNow ?? Date.now();
  const db = openLedgerForRead(s);
  if (db) {
    try {
      const byState = countsByState(db);
      for (const st of STATE_DIRS) counts[st] = byState[st] ?? 0;
    } finally {
      db.close();
    }
  } else {
    // A host without the ledger (it lives on the sentinel's local disk): the sentinel's own
    // counts from sentinel.json while it runs, else what the directories hold.
    const fromSentinel = sentinelCounts(s, serverNow);
    if (fromSentinel) for (const st of STATE_DIRS) counts[st] = fromSentinel[st] ?? 0;
    else
      for (const [st, count] of Object.entries(DIRECTORY_COUNTS))
        counts[st as JobState] = countJobFiles(s.l[st as JobState], now, () => count(s));
  }
  return { counts, ledger: db !== undefined };
}

export function getStatus(s: Spool, text: TimeText = UTC_TEXT): Status {
  // One probe of the file server's clock serves the counts, the sentinel and every slot.
  const serverNow = fileServerNowOrLocal(s);
  const { counts, ledger } = stateCounts(s, serverNow);
  const sentinel = sentinelStatus(s, serverNow);
  const { scheduled, ...dispatch } = dispatchStatus(s, sentinel.up, text);
  return {
    spool: s.l.root,
    sentinel,
    counts: { ...counts, scheduled },
    dispatch,
    slots: slotStatuses(s, serverNow),
    max_workers: s.loaded.config.worker.max_workers,
    ledger,
    refused: refusedRequests(s),
  };
}

/** Age buckets of `status`, like Postfix's qshape: each holds ages below `below` seconds. */
export const AGE_BUCKETS = [
  { label: '<5m', below: 5 * 60 },
  { label: '5-30m', below: 30 * 60 },
  { label: '30m-2h', below: 2 * 3600 },
  { label: '2-12h', below: 12 * 3600 },
  { label: '12h-2d', below: 2 * 86400 },
  { label: '>2d', below: Number.POSITIVE_INFINITY },
] as const;

export interface AgeShape {
  buckets: string[];
  /** Per state, the number of jobs in each bucket; a finished job's age counts from when it finished, another's from its submission. */
  counts: Record<JobState, number[]>;
}

export interface OldestPending {
  id: string;
  plugin: string | null;
  submitted_at: string | null;
}

export interface StatusReport extends Status {
  /** null without a ledger. */
  ages: AgeShape | null;
  oldest_pending: OldestPending | null;
  /** Why pending (and held) jobs are not running, most fundamental first; empty when none wait. */
  waiting: WaitReason[];
}

/** `text` names the times in the reasons: UTC by default (JSON), the viewer's zone for people. */
export function getStatusReport(s: Spool, text: TimeText = UTC_TEXT): StatusReport {
  const st = getStatus(s, text);
  let ages: AgeShape | null = null;
  let oldest: OldestPending | null = null;
  const db = openLedgerForRead(s);
  if (db) {
    try {
      const shape = ageShape(
        db,
        Date.now(),
        AGE_BUCKETS.slice(0, -1).map((b) => b.below),
      );
      const counts = Object.fromEntries(STATE_DIRS.map((d) => [d, shape[d] ?? AGE_BUCKETS.map(() => 0)])) as Record<JobState, number[]>;
      ages = { buckets: AGE_BUCKETS.map((b) => b.label), counts };
      const row = oldestPending(db);
      oldest = row ? { id: row.id, plugin: row.plugin, submitted_at: row.submitted_at } : null;
    } finally {
      db.close();
    }
  }
  return { ...st, ages, oldest_pending: oldest, waiting: waitReasons(st, text) };
}
