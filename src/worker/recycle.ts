/**
 * When a worker should make way for a fresh one: after worker.max_jobs jobs, after
 * worker.max_age_s, or after a job whose plugin process tree grew past worker.max_rss_mb
 * (plugins that leak are common; a fresh worker costs little). The worker exits with
 * RECYCLE_EXIT_CODE and its supervisor starts another at once.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { pidsInProc, statFields } from '../proc.js';
import type { Layout } from '../spool/layout.js';
import { writeLeaveNote } from '../spool/slots.js';

/** EX_TEMPFAIL: "try again", which is what a recycled worker asks of its supervisor. */
export const RECYCLE_EXIT_CODE = 75;

export interface WorkerUsage {
  jobs: number;
  startedAtMs: number;
  /** Peak resident size of the last job's plugin tree, in bytes. */
  lastPeakRss: number;
}

export function recycleReason(w: Config['worker'], u: WorkerUsage, nowMs = Date.now()): string | undefined {
  if (w.max_jobs > 0 && u.jobs >= w.max_jobs) return `recycled after ${u.jobs} jobs (worker.max_jobs = ${w.max_jobs})`;
  const ageS = Math.floor((nowMs - u.startedAtMs) / 1000);
  if (w.max_age_s > 0 && ageS >= w.max_age_s) return `recycled after running ${ageS} s (worker.max_age_s = ${w.max_age_s})`;
  const mb = Math.round(u.lastPeakRss / (1024 * 1024));
  if (w.max_rss_mb > 0 && mb > w.max_rss_mb)
    return `recycled: its last plugin grew to ${mb} MB resident (worker.max_rss_mb = ${w.max_rss_mb})`;
  return undefined;
}

/**
 * Resident bytes of a process group (a plugin runs in its own, with everything it starts),
 * summed from /proc; 0 where there is no /proc.
 */
export function groupRssBytes(pgid: number): number {
  let total = 0;
  let pids: number[];
  try {
    pids = pidsInProc();
  } catch {
    return 0;
  }
  for (const pid of pids) {
    if (Number(statFields(pid)?.[2]) !== pgid) continue;
    try {
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kb) total += Number(kb) * 1024;
    } catch {
      // the process ended while being read
    }
  }
  return total;
}

/** Says why a worker makes way for a fresh one: its leave note tells the sentinel (and the ledger). */
export function noteRecycling(l: Layout, slot: number, host: string, reason: string, log: Logger): void {
  log.info('recycling: exiting so that a fresh worker takes over', { slot, reason });
  try {
    writeLeaveNote(l, { slot, host, pid: process.pid, reason, at: new Date().toISOString() });
  } catch (err) {
    log.warn('cannot write the leave note; the ledger will not say why this worker left', { error: (err as Error).message });
  }
}
