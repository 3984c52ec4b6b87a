/**
 * What `start-services` started on one host, kept in the spool at services/<host>.json so
 * that `stop-services` (from any shell, any time later) stops exactly that. Each process is
 * named by pid and kernel start time: a pid reused by another process never matches.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { publish, unlinkQuiet } from '../spool/atomic.js';
import type { ProcId } from '../proc.js';
import { hostOfServicesRecord, servicesDir, servicesRecordPath, type Layout } from '../spool/layout.js';

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

export function readRecord(l: Layout, host: string): ServicesRecord | undefined {
  try {
    return JSON.parse(readFileSync(servicesRecordPath(l, host), 'utf8')) as ServicesRecord;
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
    const host = hostOfServicesRecord(n);
    const rec = host === undefined ? undefined : readRecord(l, host);
    return rec ? [rec] : [];
  });
}

export function writeRecord(l: Layout, rec: ServicesRecord): void {
  mkdirSync(servicesDir(l), { recursive: true });
  publish(l.tmp, servicesRecordPath(l, rec.host), JSON.stringify(rec, null, 2));
}

export function removeRecord(l: Layout, host: string): void {
  unlinkQuiet(servicesRecordPath(l, host));
}
