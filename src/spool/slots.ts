/**
 * Slot files: the lock (src/locks.ts) that counts a slot as taken, the heartbeat file that
 * says who holds it and what it runs, the drain marker, and the leave notes that say why a
 * worker left (the heartbeat is gone by the time the sentinel notices).
 */
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { errnoOf, SpoolIoError } from '../errors.js';
import type { ProcId } from '../proc.js';
import { padJson, publish, exists, unlinkQuiet } from './atomic.js';
import { drainMarkerPath, heartbeatPath, isLeaveNoteName, leaveNoteName, leaveNotePath, slotLockTarget, type Layout } from './layout.js';

export type WorkerState = 'idle' | 'busy' | 'draining';

export interface Heartbeat {
  slot: number;
  host: string;
  pid: number;
  /** Random per slot acquisition; claims and results must carry it (fences a stale takeover). */
  token: string;
  state: WorkerState;
  job?: string;
  plugin?: string;
  claim?: string;
  progress?: number;
  message?: string;
  started_at: string;
  job_started_at?: string;
  /**
   * The running plugin's process group, named by its leader's pid and start time: whoever
   * next acts on this slot on the same host kills what is left of it first.
   */
  plugin_group?: ProcId;
  /** What the worker can run (`worker --tag`, worker.tags): jobs that require tags go only to slots that have them. */
  tags?: string[];
  /**
   * The worker records its claims' starts and results in its journal (results/s<slot>.<token>.<n>.jsonl):
   * the sentinel may queue a second claim for it, and counts a lost claim's attempt only if it
   * started. Absent from older workers, which write a result file per claim.
   */
  journal?: boolean;
  beat_at: string;
  jobs_done: number;
  jobs_failed: number;
}

export interface SlotFiles {
  heartbeat?: Heartbeat;
  /** mtime of the heartbeat file, set by the file server. */
  heartbeatMtimeMs?: number;
  /**
   * The heartbeat exists but did not parse: on a mount that caches attributes (sshfs, SMB)
   * a rewritten heartbeat can be read with the old file's size. Not a free slot: a reader
   * keeps what it last read, aged by the fresh mtime.
   */
  unreadable?: boolean;
  locked: boolean;
  draining: boolean;
}

export function lockDirOf(l: Layout, slot: number): string {
  return `${slotLockTarget(l, slot)}.lock`;
}

export function readSlotFiles(l: Layout, slot: number): SlotFiles {
  const hbPath = heartbeatPath(l, slot);
  let heartbeat: Heartbeat | undefined;
  let heartbeatMtimeMs: number | undefined;
  let unreadable = false;
  try {
    heartbeatMtimeMs = statSync(hbPath).mtimeMs;
    heartbeat = JSON.parse(readFileSync(hbPath, 'utf8')) as Heartbeat;
  } catch (err) {
    // ENOENT: no worker.
    if (err instanceof SyntaxError) unreadable = true;
    else if (errnoOf(err) !== 'ENOENT') throw new SpoolIoError('read heartbeat', hbPath, err as NodeJS.ErrnoException);
    heartbeat = undefined;
  }
  return {
    heartbeat,
    heartbeatMtimeMs: heartbeat || unreadable ? heartbeatMtimeMs : undefined,
    ...(unreadable ? { unreadable } : {}),
    locked: exists(lockDirOf(l, slot)),
    draining: exists(drainMarkerPath(l, slot)),
  };
}

/** The heartbeat alone, as its holder checks that it still holds the slot; undefined when there is none or it does not parse. */
export function readHeartbeat(l: Layout, slot: number): Heartbeat | undefined {
  const hbPath = heartbeatPath(l, slot);
  try {
    return JSON.parse(readFileSync(hbPath, 'utf8')) as Heartbeat;
  } catch (err) {
    if (err instanceof SyntaxError || errnoOf(err) === 'ENOENT') return undefined;
    throw new SpoolIoError('read heartbeat', hbPath, err as NodeJS.ErrnoException);
  }
}

/** Heartbeats are rewritten every second: atomic, but not fsync'ed (a lost one is re-sent). */
export function writeHeartbeat(l: Layout, hb: Heartbeat): void {
  publish(l.tmp, heartbeatPath(l, hb.slot), padJson(JSON.stringify(hb)), { durable: false });
}

export function removeHeartbeat(l: Layout, slot: number): void {
  unlinkQuiet(heartbeatPath(l, slot));
}

export function setDrainMarker(l: Layout, slot: number, on: boolean): void {
  if (on) writeFileSync(drainMarkerPath(l, slot), new Date().toISOString());
  else unlinkQuiet(drainMarkerPath(l, slot));
}

/** Removes a dead holder's lock directory so the slot can be taken again. */
export function breakSlotLock(l: Layout, slot: number): void {
  rmSync(lockDirOf(l, slot), { recursive: true, force: true });
}

/** Why a worker (or a supervisor on its behalf) stopped; the sentinel records it and removes it. */
export interface LeaveNote {
  slot: number | null;
  host: string;
  pid: number;
  reason: string;
  at: string;
}

/** Written before the heartbeat is removed, so the sentinel never sees the slot free without it. */
export function writeLeaveNote(l: Layout, note: LeaveNote): void {
  publish(l.tmp, leaveNotePath(l, leaveNoteName(note.host, note.pid)), JSON.stringify(note));
}

export function readLeaveNotes(l: Layout): { name: string; note: LeaveNote | undefined }[] {
  return readdirSync(l.slots)
    .filter(isLeaveNoteName)
    .map((name) => {
      try {
        return { name, note: JSON.parse(readFileSync(leaveNotePath(l, name), 'utf8')) as LeaveNote };
      } catch {
        return { name, note: undefined };
      }
    });
}

export function removeLeaveNote(l: Layout, name: string): void {
  unlinkQuiet(leaveNotePath(l, name));
}
