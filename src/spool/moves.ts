/**
 * Every state transition of a job file, one function each. Only the sentinel calls these.
 * Each is a single rename (plus, for failed/, cancelled/ and rejected/, an error file written
 * first so a crash can leave an orphan error file but never a failed job without its reason).
 * On a lost race (the source is gone) they throw LostRaceError; the caller re-reads the spool.
 * Renamed directories are recorded in `sync`; the caller fsyncs them once per batch.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LostRaceError, SpoolIoError } from '../errors.js';
import { exists, publish, move, unlinkQuiet, type DirSync } from './atomic.js';
import type { RejectionRecord } from './rejected.js';
import {
  claimPath,
  doneDayDir,
  entryParts,
  errorFileFor,
  rejectedRecordPath,
  relativeToSpool,
  stateFileName,
  statePath,
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

function moveTracked(sync: DirSync, from: string, to: string, targetIsNew = false): string {
  move(from, to, targetIsNew);
  sync.touched(from, to);
  return to;
}

/** pending/<id>[.n].json → claimed/slot-<s>/<id>.<n+1>.<token>.<nonce>.json: the nonce is new, so is the name. */
export function claimJob(l: Layout, sync: DirSync, pendingPath: string, c: ClaimName): string {
  return moveTracked(sync, pendingPath, claimPath(l, c), true);
}

/**
 * claimed/… → done/<day>/<id>.<a>.json. The day's folder is made when the move finds it
 * missing (the day's first job, or a folder a purge emptied and removed), not before every
 * move: on a network mount that is two round trips a job.
 */
export function completeClaim(l: Layout, sync: DirSync, c: ClaimName, now: Date): string {
  const day = doneDayDir(l, now);
  const to = join(day, stateFileName(c.id, c.attempt));
  try {
    return moveTracked(sync, claimPath(l, c), to);
  } catch (err) {
    if (!(err instanceof SpoolIoError) || err.errno.code !== 'ENOENT' || exists(day)) throw err;
  }
  mkdirSync(day, { recursive: true });
  return moveTracked(sync, claimPath(l, c), to);
}

/** claimed/… → failed/<id>.<a>.json, with failed/<id>.<a>.error.json beside it. */
export function failClaim(l: Layout, sync: DirSync, c: ClaimName, why: FailureRecord): string {
  return failFile(l, sync, claimPath(l, c), stateFileName(c.id, c.attempt), why);
}

/** claimed/… → cancelled/<id>.<a>.json, with its error file: the claim is withdrawn. */
export function cancelClaim(l: Layout, sync: DirSync, c: ClaimName, why: FailureRecord): string {
  return cancelFile(l, sync, claimPath(l, c), stateFileName(c.id, c.attempt), why);
}

/** claimed/… → pending/<id>.<a>.json: back in the queue with this attempt counted. */
export function returnClaim(l: Layout, sync: DirSync, c: ClaimName): string {
  return moveTracked(sync, claimPath(l, c), statePath(l, 'pending', stateFileName(c.id, c.attempt)));
}

/** claimed/… → pending/<id>.<a-1>.json: back in the queue, this attempt not counted. */
export function handBackClaim(l: Layout, sync: DirSync, c: ClaimName): string {
  return moveTracked(sync, claimPath(l, c), statePath(l, 'pending', stateFileName(c.id, c.attempt - 1)));
}

function settleFile(l: Layout, sync: DirSync, state: 'failed' | 'cancelled', from: string, name: string, why: FailureRecord): string {
  publish(l.tmp, statePath(l, state, errorFileFor(name)), JSON.stringify(why, null, 2));
  return moveTracked(sync, from, statePath(l, state, name));
}

/** pending/<name> or held/<name> or done/… → failed/<name>, with its error file. */
export function failFile(l: Layout, sync: DirSync, from: string, name: string, why: FailureRecord): string {
  return settleFile(l, sync, 'failed', from, name, why);
}

/** pending/<name> or held/<name> → cancelled/<name>, with its error file saying who cancelled it. */
export function cancelFile(l: Layout, sync: DirSync, from: string, name: string, why: FailureRecord): string {
  return settleFile(l, sync, 'cancelled', from, name, why);
}

/** pending/<name> → held/<name> */
export function holdFile(l: Layout, sync: DirSync, from: string, name: string): string {
  return moveTracked(sync, from, statePath(l, 'held', name));
}

/** held/<name> → pending/<name> */
export function releaseFile(l: Layout, sync: DirSync, from: string, name: string): string {
  return moveTracked(sync, from, statePath(l, 'pending', name));
}

/** failed/, cancelled/, done/ or held/ → pending/<id>.json with the attempt count reset (an operator's decision). */
export function requeueFile(l: Layout, sync: DirSync, from: string, id: string): string {
  const to = moveTracked(sync, from, statePath(l, 'pending', stateFileName(id, 0)));
  const { top } = entryParts(relativeToSpool(l, from));
  if (top === 'failed' || top === 'cancelled') unlinkQuiet(errorFileFor(from));
  return to;
}

/**
 * Any bad file → rejected/<name> (a quarantineName), with <name>.error.json naming the problem.
 * Renaming a symlink moves the link itself, never its target. A source already gone leaves
 * no record behind: one record per rejected file.
 */
export function quarantine(l: Layout, sync: DirSync, from: string, name: string, why: Required<RejectionRecord>): string {
  const record = rejectedRecordPath(l, name);
  publish(l.tmp, record, JSON.stringify(why, null, 2));
  try {
    return moveTracked(sync, from, statePath(l, 'rejected', name));
  } catch (err) {
    if (err instanceof LostRaceError) unlinkQuiet(record);
    throw err;
  }
}
