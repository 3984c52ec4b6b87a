/**
 * sentinel.json: who holds the spool's sentinel lock, refreshed while it runs; and
 * sentinel-standby-<host>.json: a standby sentinel waiting to take over, refreshed while it waits.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { errnoOf } from '../errors.js';
import { padJson, publish, unlinkQuiet } from './atomic.js';
import type { PauseInfo } from './paused.js';
import { isStandbyInfoName, spoolPath, standbyInfoPath, type Layout } from './layout.js';

export interface SentinelInfo {
  host: string;
  pid: number;
  started_at: string;
  beat_at: string;
  version: string;
  /** Jobs per state as the sentinel's ledger has them, for hosts without the ledger. */
  counts?: Record<string, number>;
  /** The journal on the share (absent when journal.enabled is off): `behind` events wait in memory while it cannot be written. */
  journal?: { ok: boolean; behind: number; error: string | null };
  /** Why pending jobs wait, for hosts without the ledger. */
  dispatch?: DispatchSummary;
}

/** The sentinel's last look at what holds pending jobs back (spool-layout.md, "Scheduling"). */
export interface DispatchSummary {
  paused: PauseInfo | null;
  /** Jobs waiting for a time (not_before, a retry's backoff), and the earliest such time. */
  scheduled: { jobs: number; next_at: string | null };
  /** Jobs waiting for other jobs to be done. */
  after: number;
  /** Runnable jobs no free slot could take, by reason ("plugin X at its limit (2 of 2)", "no live worker has tag gpu"). */
  blocked: { reason: string; jobs: number }[];
}

export function writeSentinelInfo(l: Layout, info: SentinelInfo): void {
  publish(l.tmp, l.sentinelInfo, padJson(JSON.stringify(info)), { durable: false });
}

export function readSentinelInfo(l: Layout): (SentinelInfo & { mtimeMs: number }) | undefined {
  try {
    const mtimeMs = statSync(l.sentinelInfo).mtimeMs;
    return { ...(JSON.parse(readFileSync(l.sentinelInfo, 'utf8')) as SentinelInfo), mtimeMs };
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

export function removeSentinelInfo(l: Layout): void {
  unlinkQuiet(l.sentinelInfo);
}

export function sentinelLockDir(l: Layout): string {
  return `${l.sentinelLockTarget}.lock`;
}

export interface StandbyInfo {
  host: string;
  pid: number;
  /** When it began to wait. */
  since: string;
}

/** Rewritten while the standby waits: its mtime, by the file server's clock, says it still does. */
export function writeStandbyInfo(l: Layout, info: StandbyInfo): void {
  publish(l.tmp, standbyInfoPath(l, info.host), padJson(JSON.stringify(info)), { durable: false });
}

export function readStandbyInfos(l: Layout): (StandbyInfo & { mtimeMs: number })[] {
  const out: (StandbyInfo & { mtimeMs: number })[] = [];
  for (const name of readdirSync(l.root).filter(isStandbyInfoName)) {
    const path = spoolPath(l, name);
    try {
      out.push({ ...(JSON.parse(readFileSync(path, 'utf8')) as StandbyInfo), mtimeMs: statSync(path).mtimeMs });
    } catch {
      // gone (it took over, or stopped) or half-written: the next read has it
    }
  }
  return out;
}

export function removeStandbyInfo(l: Layout, host: string): void {
  unlinkQuiet(standbyInfoPath(l, host));
}
