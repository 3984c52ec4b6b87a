/**
 * What `start-services` started on one host, kept in the spool at services/<host>.json so
 * that `stop-services` (from any shell, any time later) stops exactly that. Each process is
 * named by pid and kernel start time: a pid reused by another process never matches.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publish, unlinkQuiet } from '../spool/atomic.js';
import type { ProcId } from '../proc.js';
import type { Layout } from '../spool/layout.js';

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

/** Every host's record: what each supervisor runs, for `workers list`. */
export function readAllRecords(l: Layout): ServicesRecord[] {
  let names: string[];
  try {
    names = readdirSync(servicesDir(l));
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const rec = n.endsWith('.json') ? readRecord(l, n.slice(0, -'.json'.length)) : undefined;
    return rec ? [rec] : [];
  });
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
