/** The one-shot status: sentinel, counts per state, and every slot. Shape of `status --json`. */
import { hostId } from '../config/identity.js';
import { HARD_SLOT_CAP } from '../config/schema.js';
import { countsByState } from '../ledger/queries.js';
import { judgeSlot } from '../liveness.js';
import { pidAlive } from '../proc.js';
import { listNames, listStateDir } from '../spool/scan.js';
import { ERROR_SUFFIX, STATE_DIRS, type JobState } from '../spool/layout.js';
import { readSentinelInfo } from '../spool/sentinel-info.js';
import { readSlotFiles } from '../spool/slots.js';
import { openLedgerForRead, type Spool } from './spool.js';

export interface SentinelStatus {
  up: boolean;
  host: string | null;
  pid: number | null;
  started_at: string | null;
  beat_age_s: number | null;
}

export interface SlotStatus {
  slot: number;
  state: 'free' | 'idle' | 'busy' | 'stale';
  draining: boolean;
  host: string | null;
  pid: number | null;
  job: string | null;
  plugin: string | null;
  progress: number | null;
  message: string | null;
  job_started_at: string | null;
  beat_age_s: number | null;
  jobs_done: number | null;
  jobs_failed: number | null;
  reason?: string;
}

export interface Status {
  spool: string;
  sentinel: SentinelStatus;
  counts: Record<JobState, number>;
  slots: SlotStatus[];
  max_workers: number;
  ledger: boolean;
}

/** A sentinel beat older than this (seconds) on another host counts as down. */
const SENTINEL_BEAT_LIMIT_S = 5;

export function sentinelStatus(s: Spool): SentinelStatus {
  const info = readSentinelInfo(s.l);
  if (!info) return { up: false, host: null, pid: null, started_at: null, beat_age_s: null };
  const age = (Date.now() - info.mtimeMs) / 1000;
  const up = info.host === hostId() ? pidAlive(info.pid) : age < SENTINEL_BEAT_LIMIT_S;
  return { up, host: info.host, pid: info.pid, started_at: info.started_at, beat_age_s: Math.round(age * 10) / 10 };
}

export function slotStatuses(s: Spool): SlotStatus[] {
  const host = hostId();
  const now = Date.now();
  const out: SlotStatus[] = [];
  for (let slot = 1; slot <= HARD_SLOT_CAP; slot += 1) {
    const files = readSlotFiles(s.l, slot);
    if (slot > s.loaded.config.worker.max_workers && !files.heartbeat) continue;
    const judged = judgeSlot(files, now, host, s.loaded.config.worker.stale_after_ms);
    const hb = files.heartbeat;
    const state = judged.status === 'free' ? 'free' : judged.status === 'live' ? (hb?.state === 'busy' ? 'busy' : 'idle') : 'stale';
    out.push({
      slot,
      state,
      draining: files.draining || hb?.state === 'draining',
      host: hb?.host ?? null,
      pid: hb?.pid ?? null,
      job: hb?.job ?? null,
      plugin: hb?.plugin ?? null,
      progress: hb?.progress ?? null,
      message: hb?.message ?? null,
      job_started_at: hb?.job_started_at ?? null,
      beat_age_s: files.heartbeatMtimeMs !== undefined ? Math.round((now - files.heartbeatMtimeMs) / 100) / 10 : null,
      jobs_done: hb?.jobs_done ?? null,
      jobs_failed: hb?.jobs_failed ?? null,
      ...('reason' in judged ? { reason: judged.reason } : {}),
    });
  }
  return out;
}

/** Counts from the ledger; rejected/ and, without a ledger, everything from the directories. */
export function stateCounts(s: Spool): { counts: Record<JobState, number>; ledger: boolean } {
  const counts = Object.fromEntries(STATE_DIRS.map((d) => [d, 0])) as Record<JobState, number>;
  const db = openLedgerForRead(s);
  if (db) {
    try {
      const byState = countsByState(db);
      for (const st of STATE_DIRS) counts[st] = byState[st] ?? 0;
    } finally {
      db.close();
    }
  } else {
    for (const st of ['pending', 'held', 'failed'] as const) counts[st] = listStateDir(s.l[st]).jobs.length;
  }
  counts.rejected = listNames(s.l.rejected).filter((n) => !n.endsWith(ERROR_SUFFIX)).length;
  return { counts, ledger: db !== undefined };
}

export function getStatus(s: Spool): Status {
  const { counts, ledger } = stateCounts(s);
  return { spool: s.l.root, sentinel: sentinelStatus(s), counts, slots: slotStatuses(s), max_workers: s.loaded.config.worker.max_workers, ledger };
}
