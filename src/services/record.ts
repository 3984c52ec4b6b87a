/**
 * What `start-services` started on one host, kept in the spool at services/<host>.json so
 * that `stop-services` (from any shell, any time later) stops exactly that. Each process is
 * named by pid and kernel start time: a pid reused by another process never matches.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publish, unlinkQuiet } from '../spool/atomic.js';
import type { Layout } from '../spool/layout.js';

export interface ProcId {
  pid: number;
  /** /proc/<pid>/stat field 22: clock ticks after boot; unique with the pid. */
  start: string;
}

export type ManagedState = 'running' | 'restarting' | 'stopped' | 'gave_up';

export interface Managed {
  role: 'sentinel' | 'worker';
  /** Stable over restarts: worker 1..N, or the sentinel. */
  name: string;
  proc: ProcId | null;
  state: ManagedState;
  restarts: number;
  last_exit: string | null;
  log: string;
}

export interface ServicesRecord {
  host: string;
  supervisor: ProcId;
  started_at: string;
  updated_at: string;
  children: Managed[];
}

export function servicesDir(l: Layout): string {
  return join(l.root, 'services');
}

function recordPath(l: Layout, host: string): string {
  return join(servicesDir(l), `${host}.json`);
}

export function readRecord(l: Layout, host: string): ServicesRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(l, host), 'utf8')) as ServicesRecord;
  } catch {
    return undefined;
  }
}

export function writeRecord(l: Layout, rec: ServicesRecord): void {
  mkdirSync(servicesDir(l), { recursive: true });
  publish(l.tmp, recordPath(l, rec.host), JSON.stringify(rec, null, 2));
}

export function removeRecord(l: Layout, host: string): void {
  unlinkQuiet(recordPath(l, host));
}

/** Per-process log files of the services on one host. */
export function servicesLogDir(l: Layout, host: string): string {
  return join(l.logs, 'services', host);
}

export function procId(pid: number): ProcId | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that ends the command name start at field 3; starttime is field 22.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return start ? { pid, start } : null;
  } catch {
    return null;
  }
}

/** True only if `id` is still the very process that was recorded. */
export function stillRunning(id: ProcId | null): id is ProcId {
  if (!id) return false;
  const now = procId(id.pid);
  return now !== null && now.start === id.start && !isZombie(id.pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
