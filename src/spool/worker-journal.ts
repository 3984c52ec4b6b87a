/**
 * A worker's journal (results/s<slot>.<token>.<n>.jsonl, spool-layout.md "Results"): one JSON
 * line as a claim starts and one as it ends, carrying its result. It takes the place of a result
 * file per claim, which cost two fsyncs a job; and its start lines tell the sentinel which claims
 * a lost worker had begun, which is what lets a slot hold a queued claim whose attempt is not
 * counted if it never started.
 *
 * - A start line is synced before its plugin starts, so a host lost mid-job counts the attempt.
 * - An end line is written without a sync: the sentinel syncs the file before it acts on one.
 * - Only its worker writes a file, at offsets it keeps itself (an sshfs mount may not honour
 *   O_APPEND). A write that fails is cut back off, at once or before the next write, so a line
 *   is never written after a torn one.
 */
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, statSync, writeSync, constants as C } from 'node:fs';
import { SpoolIoError, errnoOf } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import { fsyncDir, openToRead, readAt } from './atomic.js';
import { claimFileName, parseClaimName, workerJournalPath, type ClaimName, type Layout, type WorkerJournalName } from './layout.js';
import type { JobResult } from './results.js';

/** A worker starts a new file past this size; the sentinel removes the old one once its claims are settled. */
export const JOURNAL_ROTATE_BYTES = 256 * 1024;

export type JournalEntry = ({ kind: 'start'; claim: ClaimName; at: string } | { kind: 'end'; claim: ClaimName; result: JobResult }) & {
  /** Where the line begins and where the next one does. */
  from: number;
  next: number;
};

export class WorkerJournalWriter {
  private file: { name: WorkerJournalName; path: string; fd: number; size: number; dirSynced: boolean } | undefined;
  /** A failed write's bytes that could not be cut back yet: cut before anything else is written. */
  private torn = false;
  private n = 0;

  constructor(
    private readonly l: Layout,
    private readonly slot: number,
    private readonly token: string,
  ) {}

  /**
   * Makes the worker's first file before it takes any claim: the sentinel then knows it keeps a
   * journal even when it is lost before its first line, and counts only what it started.
   */
  open(): void {
    this.current();
  }

  /** Records that `claim` starts, durably: its attempt counts from here. */
  started(claim: ClaimName, at: string): void {
    if (this.file && this.file.size >= JOURNAL_ROTATE_BYTES && !this.torn) this.close();
    this.write(JSON.stringify({ start: claimFileName(claim), at }), true);
  }

  /** Records how `claim` ended; the sentinel syncs the file before it applies it. */
  ended(claim: ClaimName, result: JobResult): void {
    this.write(JSON.stringify({ end: claimFileName(claim), ...result }), false);
  }

  close(): void {
    if (this.file) closeSync(this.file.fd);
    this.file = undefined;
  }

  /**
   * A line the sentinel may already have read is never taken back: a write that fails before
   * its newline is cut off, but a line written whole whose sync fails stays, and the caller's
   * retry writes it again (a line read twice changes nothing).
   */
  private write(line: string, durable: boolean): void {
    const f = this.current();
    const buf = Buffer.from(`${line}\n`);
    try {
      if (!f.dirSynced) {
        // A start line in a file whose name a crash could lose would not count its attempt.
        fsyncDir(this.l.results);
        f.dirSynced = true;
      }
      if (this.torn) {
        ftruncateSync(f.fd, f.size);
        this.torn = false;
      }
      const half = buf.length >> 1;
      for (let off = 0; off < buf.length;) {
        off += writeSync(f.fd, buf, off, (off < half ? half : buf.length) - off, f.size + off);
        if (off === half) fail('result.mid-append');
      }
    } catch (err) {
      const e = new SpoolIoError('append', f.path, err as NodeJS.ErrnoException);
      try {
        ftruncateSync(f.fd, f.size);
      } catch {
        this.torn = true;
      }
      throw e;
    }
    f.size += buf.length;
    try {
      if (durable) fdatasyncSync(f.fd);
    } catch (err) {
      throw new SpoolIoError('sync', f.path, err as NodeJS.ErrnoException);
    }
  }

  private current(): NonNullable<WorkerJournalWriter['file']> {
    if (this.file) return this.file;
    const name = { slot: this.slot, token: this.token, n: this.n + 1 };
    const path = workerJournalPath(this.l, name);
    let fd: number;
    try {
      // The token is new to this worker, so the name is too; O_EXCL says so if it is not.
      fd = openSync(path, C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o666);
    } catch (err) {
      throw new SpoolIoError('create', path, err as NodeJS.ErrnoException);
    }
    this.n = name.n;
    this.file = { name, path, fd, size: 0, dirSynced: false };
    return this.file;
  }
}

/** A worker's journal is read this much at a time: a file grown huge by hand cannot exhaust the sentinel. */
const READ_AT_MOST = 4 * 1024 * 1024;

export interface JournalRead {
  entries: JournalEntry[];
  /** Lines that are not a start or end of a claim of this worker's slot and token, as read. */
  bad: string[];
  /** Where the next read begins: past the last whole line. */
  offset: number;
  /** Bytes past `offset`: a line being written, or one a crash left torn. */
  partial: number;
}

/**
 * The whole lines of a worker's journal from `offset` on. A file holding an end line is synced
 * before this returns: a result is durable before its job leaves claimed/, though its worker
 * did not sync it. Undefined when the file is gone.
 */
export function readWorkerJournal(l: Layout, j: WorkerJournalName, offset: number, fresh = false): JournalRead | undefined {
  const path = workerJournalPath(l, j);
  if (!fresh) {
    let size: number;
    try {
      // A stat, not an open: most looks find nothing new, and each call is a round trip on a share.
      // `fresh` skips it where a mount's cached size must not hide a line (a lost worker's last).
      size = statSync(path).size;
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return undefined;
      throw new SpoolIoError('stat', path, err as NodeJS.ErrnoException);
    }
    if (size <= offset) return { entries: [], bad: [], offset, partial: 0 };
  }
  const fd = openToRead(path);
  if (fd === undefined) return undefined;
  try {
    const buf = readAt(fd, offset, Math.max(0, Math.min(fstatSync(fd).size - offset, READ_AT_MOST)));
    const whole = buf.lastIndexOf(0x0a) + 1;
    const read: JournalRead = { entries: [], bad: [], offset: offset + whole, partial: buf.length - whole };
    for (let at = 0; at < whole;) {
      const eol = buf.indexOf(0x0a, at);
      const line = buf.subarray(at, eol).toString('utf8');
      const entry = line === '' ? undefined : parseLine(j, line);
      if (entry) read.entries.push({ ...entry, from: offset + at, next: offset + eol + 1 });
      else if (line !== '') read.bad.push(line);
      at = eol + 1;
    }
    if (read.entries.some((e) => e.kind === 'end')) syncRead(path, fd);
    return read;
  } catch (err) {
    throw new SpoolIoError('read', path, err as NodeJS.ErrnoException);
  } finally {
    closeSync(fd);
  }
}

/**
 * Syncs what a worker wrote through the sentinel's own descriptor. An SMB server refuses a flush
 * on a handle opened for reading: the file is opened for writing to sync it, and a share that
 * refuses that too has written what it let the sentinel read.
 */
function syncRead(path: string, fd: number): void {
  try {
    fdatasyncSync(fd);
    return;
  } catch (err) {
    if (!['EACCES', 'EBADF', 'EINVAL', 'EPERM'].includes(errnoOf(err) ?? '')) throw err;
  }
  let rw: number | undefined;
  try {
    rw = openSync(path, 'r+');
    fdatasyncSync(rw);
  } catch (err) {
    if (!['EACCES', 'EBADF', 'EINVAL', 'EPERM', 'EROFS'].includes(errnoOf(err) ?? '')) throw err;
  } finally {
    if (rw !== undefined) closeSync(rw);
  }
}

type Parsed = { kind: 'start'; claim: ClaimName; at: string } | { kind: 'end'; claim: ClaimName; result: JobResult };

function parseLine(j: WorkerJournalName, line: string): Parsed | undefined {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const named = typeof v.start === 'string' ? v.start : typeof v.end === 'string' ? v.end : undefined;
  const claim = named === undefined ? undefined : parseClaimName(j.slot, named);
  if (!claim || claim.token !== j.token) return undefined;
  if (typeof v.start === 'string') return typeof v.at === 'string' ? { kind: 'start', claim, at: v.at } : undefined;
  const { end: _end, ...result } = v;
  return typeof result.outcome === 'string' ? { kind: 'end', claim, result: result as unknown as JobResult } : undefined;
}
