/**
 * Every state transition of a job file, one function each. Only the sentinel calls these.
 * Each is a single rename (plus, for failed/ and rejected/, an error file written first so a
 * crash can leave an orphan error file but never a failed job without its reason).
 * On a lost race (the source is gone) they throw LostRaceError; the caller re-reads the spool.
 * Renamed directories are recorded in `sync`; the caller fsyncs them once per batch.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { publish, move, unlinkQuiet, type DirSync } from './atomic.js';
import {
  claimPath,
  doneDayDir,
  errorFileFor,
  quarantineName,
  stateFileName,
  type ClaimName,
  type Layout,
} from './layout.js';

export interface FailureRecord {
  reason: string;
  exit_code?: number | null;
  signal?: string | null;
  log_tail?: string;
  by?: string;
  at: string;
}

function moveTracked(sync: DirSync, from: string, to: string): string {
  move(from, to);
  sync.touched(from, to);
  return to;
}

/** pending/<id>[.n].json → claimed/slot-<s>/<id>.<n+1>.<token>.json */
export function claimJob(l: Layout, sync: DirSync, pendingPath: string, c: ClaimName): string {
  return moveTracked(sync, pendingPath, claimPath(l, c));
}

/** claimed/… → done/<day>/<id>.<a>.json */
export function completeClaim(l: Layout, sync: DirSync, c: ClaimName, now: Date): string {
  const day = doneDayDir(l, now);
  mkdirSync(day, { recursive: true });
  return moveTracked(sync, claimPath(l, c), join(day, stateFileName(c.id, c.attempt)));
}

/** claimed/… → failed/<id>.<a>.json, with failed/<id>.<a>.error.json beside it. */
export function failClaim(l: Layout, sync: DirSync, c: ClaimName, why: FailureRecord): string {
  return failFile(l, sync, claimPath(l, c), stateFileName(c.id, c.attempt), why);
}

/** claimed/… → pending/<id>.<a>.json: back in the queue with this attempt counted. */
export function returnClaim(l: Layout, sync: DirSync, c: ClaimName): string {
  return moveTracked(sync, claimPath(l, c), join(l.pending, stateFileName(c.id, c.attempt)));
}

/** claimed/… → pending/<id>.<a-1>.json: back in the queue, this attempt not counted. */
export function handBackClaim(l: Layout, sync: DirSync, c: ClaimName): string {
  return moveTracked(sync, claimPath(l, c), join(l.pending, stateFileName(c.id, c.attempt - 1)));
}

/** pending/<name> or held/<name> or done/… → failed/<name>, with its error file. */
export function failFile(l: Layout, sync: DirSync, from: string, name: string, why: FailureRecord): string {
  const to = join(l.failed, name);
  publish(l.tmp, join(l.failed, errorFileFor(name)), JSON.stringify(why, null, 2));
  return moveTracked(sync, from, to);
}

/** pending/<name> → held/<name> */
export function holdFile(l: Layout, sync: DirSync, from: string, name: string): string {
  return moveTracked(sync, from, join(l.held, name));
}

/** held/<name> → pending/<name> */
export function releaseFile(l: Layout, sync: DirSync, from: string, name: string): string {
  return moveTracked(sync, from, join(l.pending, name));
}

/** failed/, done/ or held/ → pending/<id>.json with the attempt count reset (an operator's decision). */
export function requeueFile(l: Layout, sync: DirSync, from: string, id: string): string {
  const to = moveTracked(sync, from, join(l.pending, stateFileName(id, 0)));
  if (from.startsWith(l.failed)) unlinkQuiet(errorFileFor(from));
  return to;
}

/**
 * Any bad file → rejected/<safe name>.<unique>, with <that>.error.json naming the problem.
 * Renaming a symlink moves the link itself, never its target.
 */
export function quarantine(l: Layout, sync: DirSync, from: string, originalName: string, unique: string, reason: string): string {
  const name = quarantineName(originalName, unique);
  publish(l.tmp, join(l.rejected, errorFileFor(`${name}.json`)), JSON.stringify({ original_name: originalName, reason, at: new Date().toISOString() }, null, 2));
  return moveTracked(sync, from, join(l.rejected, name));
}
