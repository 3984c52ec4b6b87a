/**
 * start-services and stop-services: a detached supervisor per host (which runs the workers,
 * and the sentinel when none is up for the spool on any host), recorded in the spool so that
 * a later stop-services stops exactly what was started, and nothing else.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostId } from '../config/identity.js';
import { HARD_SLOT_CAP } from '../config/schema.js';
import { startRole, waitFor } from '../fleet/processes.js';
import { pidAlive, procId, sleep, stillRunning } from '../proc.js';
import { readRecord, removeRecord, servicesLogDir, type ServicesRecord } from '../services/record.js';
import { breakSlotLock, readSlotFiles, removeHeartbeat } from '../spool/slots.js';
import { sentinelStatus } from './status.js';
import type { Spool } from './spool.js';

export interface StartedServices {
  already: boolean;
  logDir: string;
  record: ServicesRecord;
  slots: { name: string; pid: number; slot: number }[];
}

/** Slot numbers held by the given pids on this host, read from the heartbeats. */
function slotsOf(s: Spool, host: string, pids: number[]): Map<number, number> {
  const found = new Map<number, number>();
  for (let slot = 1; slot <= HARD_SLOT_CAP; slot += 1) {
    const hb = readSlotFiles(s.l, slot).heartbeat;
    if (hb && hb.host === host && pids.includes(hb.pid)) found.set(hb.pid, slot);
  }
  return found;
}

function workerSlots(s: Spool, rec: ServicesRecord): StartedServices['slots'] {
  const workers = rec.children.filter((c) => c.role === 'worker' && c.proc);
  const held = slotsOf(s, rec.host, workers.map((w) => w.proc!.pid));
  return workers.flatMap((w) => (held.has(w.proc!.pid) ? [{ name: w.name, pid: w.proc!.pid, slot: held.get(w.proc!.pid)! }] : []));
}

export async function startServices(s: Spool, workers: number, timeoutMs = 30_000): Promise<StartedServices> {
  const host = hostId();
  const existing = readRecord(s.l, host);
  const logDir = servicesLogDir(s.l, host);
  if (existing && stillRunning(existing.supervisor)) return { already: true, logDir, record: existing, slots: workerSlots(s, existing) };
  if (existing) removeRecord(s.l, host);
  const withSentinel = !sentinelStatus(s).up;
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, 'supervisor.log');
  const child = startRole('supervisor', ['--spool', s.l.root, 'supervise', '--workers', String(workers), ...(withSentinel ? ['--with-sentinel'] : [])], logFile);
  child.proc.unref();
  const pid = child.proc.pid!;
  const ready = () => {
    const rec = readRecord(s.l, host);
    return !!rec && rec.supervisor.pid === pid && workerSlots(s, rec).length === workers && (!withSentinel || sentinelStatus(s).up);
  };
  const ok = await waitFor(() => ready() || !pidAlive(pid), timeoutMs, 100);
  const rec = readRecord(s.l, host);
  if (!ok || !rec || !ready()) {
    throw new Error(
      `the services did not come up within ${timeoutMs / 1000} s (${rec ? `${workerSlots(s, rec).length} of ${workers} workers hold a slot` : 'the supervisor wrote no record'}); see ${logFile} and the worker logs beside it:\n${tail(logFile)}`,
    );
  }
  return { already: false, logDir, record: rec, slots: workerSlots(s, rec) };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-8).join('\n');
  } catch {
    return '';
  }
}

export interface StoppedServices {
  found: boolean;
  graceful: boolean;
  killed: number[];
  released: number[];
}

/**
 * SIGTERM to the supervisor, which stops its workers (finish or hand back) and sentinel.
 * Past the timeout, or with the supervisor gone, each recorded process that is still the
 * same process is killed, and the slots of killed workers are released.
 */
export async function stopServices(s: Spool, timeoutMs: number): Promise<StoppedServices> {
  const host = hostId();
  const rec = readRecord(s.l, host);
  if (!rec) return { found: false, graceful: true, killed: [], released: [] };
  let graceful = false;
  if (stillRunning(rec.supervisor)) {
    process.kill(rec.supervisor.pid, 'SIGTERM');
    graceful = await waitFor(() => !stillRunning(rec.supervisor), timeoutMs + 5000, 100);
  }
  const killed: number[] = [];
  for (const id of [rec.supervisor, ...rec.children.map((c) => c.proc)]) {
    if (!stillRunning(id)) continue;
    process.kill(id.pid, 'SIGKILL');
    killed.push(id.pid);
  }
  if (killed.length > 0) await sleep(200);
  const released: number[] = [];
  for (const [pid, slot] of slotsOf(s, host, killed)) {
    if (procId(pid)) continue;
    removeHeartbeat(s.l, slot);
    breakSlotLock(s.l, slot);
    released.push(slot);
  }
  removeRecord(s.l, host);
  return { found: true, graceful: graceful && killed.length === 0, killed, released };
}
