/**
 * The ledger's integrity, opened read-only: SQLite's quick_check finds torn or overwritten
 * pages, the hash chain finds rows edited, removed or truncated outside spoolctl. Corruption
 * shows either as quick_check rows or as SQLITE_CORRUPT / SQLITE_NOTADB from any statement
 * (a damaged header fails the open itself).
 */
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostId } from '../config/identity.js';
import { verifyChain } from '../ledger/verify.js';
import { openDb, quickCheckProblems, type Db } from '../ledger/open.js';
import type { SentinelStatus } from '../api/status.js';
import { ledgerPath, openLedgerForRead, type Spool } from '../api/spool.js';
import { pass, type Check } from './check.js';

const CORRUPT = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);
const LOCKED = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);
const REBUILD =
  'stop the sentinel and run `spoolctl ledger rebuild`: it rebuilds the ledger from the spool and keeps the damaged file aside.';

/** Byte 18 of an SQLite header is 2 in WAL mode. */
function inWalMode(path: string): boolean {
  const head = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head.toString('latin1', 0, 15) === 'SQLite format 3' && head[18] === 2;
}

interface Opened {
  db: Db;
  copy: boolean;
  close(): void;
}

/**
 * A WAL ledger no process has open has no -wal file. A read-only connection would create
 * -wal and -shm beside it and, unable to checkpoint, leave them behind; on a read-only
 * filesystem it cannot open at all. Such a ledger is quiet, so a copy in local temp space is
 * checked instead. An open one (a sentinel runs, or died) already has both files.
 */
function openForCheck(s: Spool, path: string): Opened {
  const inPlace = (): Opened => {
    const db = openLedgerForRead(s);
    if (!db) throw new Error(`${path} has no tables yet: a sentinel is creating it, or the file is empty`);
    return { db, copy: false, close: () => db.close() };
  };
  if (existsSync(`${path}-wal`) || !inWalMode(path)) return inPlace();
  const dir = mkdtempSync(join(tmpdir(), 'spoolctl-doctor-'));
  const drop = () => rmSync(dir, { recursive: true, force: true });
  const copy = join(dir, 'ledger.db');
  try {
    copyFileSync(path, copy);
  } catch {
    // No room in temp space: reading in place leaves two small files, which is still safe.
    drop();
    return inPlace();
  }
  try {
    const db = openDb(copy, { readonly: true, busyTimeoutMs: s.loaded.config.ledger.busy_timeout_ms });
    return {
      db,
      copy: true,
      close: () => {
        db.close();
        drop();
      },
    };
  } catch (err) {
    drop();
    throw err;
  }
}

export function checkLedger(s: Spool, sentinel: SentinelStatus): Check {
  const name = 'ledger';
  const path = ledgerPath(s);
  if (!existsSync(path)) {
    if (sentinel.up && sentinel.host !== hostId())
      return pass(name, `no ledger at ${path} on this host; the sentinel on ${sentinel.host} keeps its own`);
    return {
      name,
      status: 'warn',
      detail: `no ledger at ${path} yet`,
      fix: 'start the sentinel, which creates it; if jobs already ran on this spool, run `spoolctl ledger rebuild` first to record them.',
    };
  }
  let opened: Opened | undefined;
  try {
    opened = openForCheck(s, path);
    const { db } = opened;
    const pages = quickCheckProblems(db);
    if (pages.length) return { name, status: 'fail', detail: `${path} is corrupt: ${pages.slice(0, 3).join('; ')}`, fix: REBUILD };
    const chain = verifyChain(db);
    if (!chain.ok) {
      return {
        name,
        status: 'fail',
        detail: `${path}: the hash chain is broken at ${chain.problems
          .slice(0, 3)
          .map((p) => `row ${p.seq} (${p.problem})`)
          .join(', ')}`,
        fix: 'the ledger was altered outside spoolctl: restore it from a backup, or run `spoolctl ledger rebuild` (its history is lost).',
      };
    }
    return pass(
      name,
      `${path}: pages intact (quick_check), ${chain.events} events, hash chain intact${opened.copy ? ' (checked on a copy: no process has it open)' : ''}`,
    );
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    const message = (err as Error).message;
    if (CORRUPT.has(code)) return { name, status: 'fail', detail: `${path} is corrupt (${code}: ${message})`, fix: REBUILD };
    if (LOCKED.has(code)) {
      return {
        name,
        status: 'warn',
        detail: `${path} is locked by another program (${code}); not checked`,
        fix: 'close the program holding it (an sqlite3 shell?) and run doctor again.',
      };
    }
    if (code === 'SQLITE_CANTOPEN') {
      return {
        name,
        status: 'warn',
        detail: `${path} cannot be opened read-only (${message}), so it was not checked`,
        fix: 'run doctor as a user who can read the ledger and write its directory (SQLite needs the -shm file of a ledger in use).',
      };
    }
    throw err;
  } finally {
    opened?.close();
  }
}
