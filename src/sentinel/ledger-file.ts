/**
 * Opening the ledger for the sentinel, and noticing when its file is replaced or removed
 * underneath it. A ledger locked by another program is waited for with backoff; a corrupt
 * one stops the sentinel with the command that rebuilds it.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, errnoOf } from '../errors.js';
import { openDb, quickCheckProblems, type Db } from '../ledger/open.js';
import type { Logger } from '../log.js';
import { filesystemOf } from '../spool/filesystem.js';
import { sleep } from '../proc.js';

export interface LedgerFile {
  db: Db;
  path: string;
  ino: number;
}

const CORRUPT = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);

function quickCheck(db: Db): string | undefined {
  const bad = quickCheckProblems(db);
  return bad.length ? bad.slice(0, 3).join('; ') : undefined;
}

/**
 * The sentinel's connection, open as long as it runs. Its page cache is SQLite's own default,
 * 2 MB: with better-sqlite3's 16 MB, what it read at start stayed cached, 8 MB more of an idle
 * sentinel on a spool of 21,000 jobs, and the larger cache saved it no CPU in a flood there.
 */
export function openSentinelDb(path: string, busyTimeoutMs: number): Db {
  return openDb(path, { busyTimeoutMs, cacheKib: 2000 });
}

export async function openLedgerFile(path: string, busyTimeoutMs: number, log: Logger, attempts = 6): Promise<LedgerFile> {
  for (let i = 0, delay = 500; ; i += 1, delay *= 2) {
    let db: Db | undefined;
    try {
      db = openSentinelDb(path, busyTimeoutMs);
      const problem = quickCheck(db);
      if (problem) throw Object.assign(new Error(problem), { code: 'SQLITE_CORRUPT' });
      return { db, path, ino: statSync(path).ino };
    } catch (err) {
      db?.close();
      const code = (err as { code?: string }).code ?? '';
      if (CORRUPT.has(code)) {
        throw new ConfigError(
          `The ledger ${path} is corrupt (${(err as Error).message}): stop here and run \`spoolctl ledger rebuild\`, which rebuilds it from the spool and keeps the damaged file aside.`,
        );
      }
      if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') throw err;
      if (i + 1 >= attempts) {
        throw new ConfigError(
          `The ledger ${path} is locked by another program (${code}) and stayed locked; close that program (an sqlite3 shell?) and start the sentinel again.`,
        );
      }
      log.warn('the ledger is locked by another program; waiting', { path, retry_in_ms: delay });
      await sleep(delay);
    }
  }
}

/** True when the file at `path` is no longer the one that was opened (deleted or replaced). */
export function ledgerFileGone(f: LedgerFile): boolean {
  try {
    return statSync(f.path).ino !== f.ino;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return true;
    throw err;
  }
}

/** SQLite's locks and WAL are unsafe over NFS and SMB: the ledger must live on a local disk (README.md, "The ledger"). */
export function refuseNetworkLedger(path: string): void {
  const fs = filesystemOf(dirname(path));
  if (fs.network) {
    throw new ConfigError(
      `The ledger ${path} is on a network filesystem (${fs.type}), where SQLite's locking and WAL are unsafe: set ledger.path to a file on a local disk of the sentinel's host.`,
    );
  }
}
