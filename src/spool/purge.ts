/**
 * Removing a finished job's files for `jobs purge`; only the sentinel calls this, and it
 * keeps the job's history in the ledger. The log goes first and the job file before its
 * error file, so a failure leaves the job where it was, or at worst an orphan error file
 * (the same orphan a crash in moves.ts can leave), never a failed job without its reason.
 */
import { rmdirSync, unlinkSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { SpoolIoError, errnoOf } from '../errors.js';
import { unlinkQuiet, type DirSync } from './atomic.js';
import { errorFileFor, jobLogPath, rejectedRecordPath, type Layout } from './layout.js';

export interface PurgedFile {
  state: 'done' | 'failed' | 'cancelled' | 'rejected';
  path: string;
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw new SpoolIoError('remove', path, err as NodeJS.ErrnoException);
  }
}

/**
 * Removes logs/<id>.log and, when the job still has one, its file with its error file.
 * Returns the done/ day directory the file was in, which may now be empty.
 */
export function purgeJobFiles(l: Layout, sync: DirSync, id: string, file: PurgedFile | undefined): string | undefined {
  removeIfPresent(jobLogPath(l, id));
  if (!file) return undefined;
  removeIfPresent(file.path);
  sync.touched(file.path);
  if (file.state === 'failed' || file.state === 'cancelled') unlinkQuiet(errorFileFor(file.path));
  // A quarantined file keeps its odd name; its error file is that name plus the suffix.
  if (file.state === 'rejected') unlinkQuiet(rejectedRecordPath(l, basename(file.path)));
  return file.state === 'done' ? dirname(file.path) : undefined;
}

/**
 * Removes the day directories purging emptied, so done/ does not fill with empty ones. Call
 * it after the touched directories are fsync'ed: a directory removed before would fail that.
 * The sentinel makes today's again before each completion, so this races with nobody.
 */
export function removeEmptyDirs(dirs: Iterable<string>): void {
  for (const dir of dirs) {
    try {
      rmdirSync(dir);
    } catch {
      // not empty: other jobs finished that day
    }
  }
}
