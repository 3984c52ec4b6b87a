/**
 * Atomic file operations on the spool (spool-layout.md rules 1, 2 and 4: atomic publish,
 * the rename is the claim, ambiguous renames).
 *
 * - publish(): write under tmp/, fsync, then move into place, so readers never see a
 *   partial file. Files are born with O_EXCL: two writers cannot share a tmp name.
 * - move(): a rename that never replaces an existing file. Only the sentinel moves job
 *   files and it holds the spool's single-instance lock, so "check the target, then rename"
 *   has no competing mover; the check guards against a producer's file under the same name.
 * - After a rename error, source and destination are stat'ed before deciding what happened:
 *   a retransmitted rename on NFS can report ENOENT after it succeeded.
 * Every failure names the path and the operation.
 */
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fsyncSync,
  linkSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
  constants as C,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { nanoid } from 'nanoid';
import { LostRaceError, SpoolIoError, errnoOf } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import type { FailpointName } from '../faults/points.js';
import { filesystemOf } from './filesystem.js';

export interface PublishOptions {
  /** fsync the file and its directory (on for everything that must survive a crash). */
  durable?: boolean;
  /** Fail with EEXIST instead of replacing an existing target. */
  noClobber?: boolean;
  mode?: number;
  /** Fired once the file is complete in tmp/ and before it is renamed into place. */
  failpoint?: FailpointName;
}

/**
 * JSON rewritten in place many times a minute (heartbeats, sentinel.json) is padded with
 * spaces to a whole number of blocks: a mount that caches attributes (sshfs, SMB) may read the
 * new file with the old file's size, and a constant size cannot be cut short.
 */
export function padJson(json: string, block = 1024): string {
  const bytes = Buffer.byteLength(json);
  return json + ' '.repeat(Math.ceil((bytes + 1) / block) * block - bytes - 1) + '\n';
}

/** Whether each directory synced so far is on a network filesystem, statfs'd once each. */
const onNetwork = new Map<string, boolean>();

/**
 * Syncs a directory on a local disk (rule 1). On a network filesystem it is skipped: an NFS
 * server commits a rename before it replies, FUSE (sshfs) and SMB mounts ignore it, and
 * opening the directory to sync it costs round trips on every pass and every job.
 */
export function fsyncDir(dir: string): void {
  let network = onNetwork.get(dir);
  if (network === undefined) {
    const fs = filesystemOf(dir);
    network = fs.network;
    if (fs.type !== 'unknown') onNetwork.set(dir, network);
  }
  if (network) return;
  let fd: number | undefined;
  try {
    fd = openSync(dir, C.O_RDONLY | C.O_DIRECTORY);
    fsyncSync(fd);
  } catch (err) {
    // Some network filesystems refuse fsync on a directory; the rename is still atomic there.
    if (!['EINVAL', 'ENOTSUP', 'EPERM', 'EISDIR', 'EBADF'].includes(errnoOf(err) ?? '')) {
      throw new SpoolIoError('fsync directory', dir, err as NodeJS.ErrnoException);
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `data` to `target` through `tmpDir`; the target appears whole or not at all. */
export function publish(tmpDir: string, target: string, data: string | Buffer, opts: PublishOptions = {}): void {
  const durable = opts.durable ?? true;
  place(writeTmp(tmpDir, target, data, opts), target, opts);
  if (durable) fsyncDir(dirname(target));
}

/**
 * Publishes many files into one directory: all written to tmp/ and synced (several syncs in
 * flight at once, which a disk commits together), then moved into place, then that directory
 * synced once instead of once per file. It stops at the first failure, which it returns with
 * how many files it had placed (they stay); the rest are removed from tmp/.
 */
export async function publishAll(
  tmpDir: string,
  files: { target: string; data: string }[],
  opts: PublishOptions = {},
): Promise<{ placed: number; error?: Error }> {
  const open: { tmp: string; fd: number }[] = [];
  let placed = 0;
  let error: Error | undefined;
  try {
    try {
      for (const f of files) open.push(writeOpen(tmpDir, f.target, f.data, opts));
      await syncAll(open);
    } finally {
      for (const o of open) closeSync(o.fd);
    }
    for (const [i, f] of files.entries()) {
      place(open[i]!.tmp, f.target, opts);
      placed += 1;
    }
  } catch (err) {
    error = err as Error;
    for (const o of open.slice(placed)) unlinkQuiet(o.tmp);
  }
  if (placed > 0) fsyncDir(dirname(files[0]!.target));
  return { placed, ...(error ? { error } : {}) };
}

/** fdatasync of every file, SYNCS_IN_FLIGHT at a time on libuv's thread pool. */
const SYNCS_IN_FLIGHT = 8;

async function syncAll(open: { tmp: string; fd: number }[]): Promise<void> {
  let next = 0;
  const one = (o: { tmp: string; fd: number }) =>
    new Promise<void>((resolve, reject) => fdatasync(o.fd, (err) => (err ? reject(new SpoolIoError('sync', o.tmp, err)) : resolve())));
  const lane = async () => {
    while (next < open.length) await one(open[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(SYNCS_IN_FLIGHT, open.length) }, lane));
}

/** The file complete in tmp/ (synced unless `durable: false`), under a name no other writer has. */
function writeTmp(tmpDir: string, target: string, data: string | Buffer, opts: PublishOptions): string {
  const { tmp, fd } = writeOpen(tmpDir, target, data, opts);
  try {
    if (opts.durable ?? true) fdatasyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkQuiet(tmp);
    throw new SpoolIoError('write', tmp, err as NodeJS.ErrnoException);
  }
  closeSync(fd);
  return tmp;
}

/** `data` written to a new file in tmp/, left open for the caller to sync and close. */
function writeOpen(tmpDir: string, target: string, data: string | Buffer, opts: PublishOptions): { tmp: string; fd: number } {
  const tmp = join(tmpDir, `${basename(target)}.${nanoid(8)}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL, opts.mode ?? 0o666);
  } catch (err) {
    throw new SpoolIoError('create', tmp, err as NodeJS.ErrnoException);
  }
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, off);
  } catch (err) {
    closeSync(fd);
    unlinkQuiet(tmp);
    throw new SpoolIoError('write', tmp, err as NodeJS.ErrnoException);
  }
  return { tmp, fd };
}

function place(tmp: string, target: string, opts: PublishOptions): void {
  try {
    if (opts.failpoint) fail(opts.failpoint);
    if (opts.noClobber) placeNoClobber(tmp, target);
    else renameSync(tmp, target);
  } catch (err) {
    unlinkQuiet(tmp);
    if (err instanceof SpoolIoError) throw err;
    throw new SpoolIoError('rename into place', target, err as NodeJS.ErrnoException);
  }
}

/** link() fails with EEXIST where rename() would replace, which is what a producer needs. */
function placeNoClobber(tmp: string, target: string): void {
  try {
    linkSync(tmp, target);
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'EEXIST') throw new SpoolIoError('publish', target, err as NodeJS.ErrnoException);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    // Filesystems without hard links (some SMB mounts): check, then rename.
    if (exists(target)) throw new SpoolIoError('publish', target, Object.assign(new Error('file exists'), { code: 'EEXIST' }));
    renameSync(tmp, target);
    return;
  }
  unlinkQuiet(tmp);
}

/** Opens a file to read it; undefined when it is not there. */
export function openToRead(path: string): number | undefined {
  try {
    return openSync(path, 'r');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw new SpoolIoError('open', path, err as NodeJS.ErrnoException);
  }
}

/** Up to `length` bytes from `start`, fewer when the file ends first. */
export function readAt(fd: number, start: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, start + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

export function exists(path: string): boolean {
  try {
    // Asked on every claim and completion, where the answer is usually "no": a thrown ENOENT
    // would build an Error and its stack each time.
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENOTDIR') return false;
    throw new SpoolIoError('stat', path, err as NodeJS.ErrnoException);
  }
}

/**
 * Renames `from` to `to`, never replacing an existing `to`: checked first, unless the caller
 * made the name new (`targetIsNew`: a claim's nonce), which spares a round trip on a network
 * mount.
 * Throws LostRaceError when `from` is gone (someone else moved it) and SpoolIoError on
 * anything else. The caller fsyncs the directories (see DirSync) before relying on it.
 */
export function move(from: string, to: string, targetIsNew = false): void {
  if (!targetIsNew && exists(to)) {
    throw new SpoolIoError('move', to, Object.assign(new Error(`target exists (moving ${from})`), { code: 'EEXIST' }));
  }
  try {
    renameSync(from, to);
    fail('rename.reply-lost');
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT' || code === 'EEXIST' || code === 'EIO' || code === 'ESTALE') {
      const srcThere = exists(from);
      const dstThere = exists(to);
      if (!srcThere && dstThere) return; // the rename happened; its reply was lost
      if (!srcThere && !dstThere) throw new LostRaceError(`${from} is gone: another process moved it`);
    }
    throw new SpoolIoError('rename', `${from} -> ${to}`, err as NodeJS.ErrnoException);
  }
}

export function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or never written: nothing to clean
  }
}

/** Collects directories touched by renames so each is fsync'ed once per batch. */
export class DirSync {
  private dirs = new Set<string>();

  touched(...paths: string[]): void {
    for (const p of paths) this.dirs.add(dirname(p));
  }

  flush(): void {
    for (const d of this.dirs) fsyncDir(d);
    this.dirs.clear();
  }
}
