/**
 * Opens the audit ledger (SQLite through better-sqlite3) and brings its schema up to date.
 * This directory is the only code that speaks SQL.
 *
 * The events table is append-only (triggers refuse UPDATE and DELETE) and hash-chained:
 * each row stores the previous row's hash, so an edited, removed or truncated row shows in
 * `ledger verify`. jobs and slots are derived tables, one row each, rebuilt from the spool
 * when needed.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

export type Db = BetterSqlite3.Database;

let loaded: typeof BetterSqlite3 | undefined;

/**
 * better-sqlite3, loaded with the first database opened: its modules and binding cost a command
 * several milliseconds, which `submit` and a `status` that finds no ledger need not pay.
 */
function betterSqlite3(): typeof BetterSqlite3 {
  loaded ??= createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  return loaded;
}

export interface OpenOptions {
  readonly?: boolean;
  busyTimeoutMs: number;
  /** WAL on local disk; DELETE when the database must live on a network filesystem. */
  journal?: 'wal' | 'delete';
  /**
   * The most the page cache holds, in KiB. better-sqlite3 builds SQLite with 16 MB, which a
   * connection kept open for days (the sentinel's) fills with whatever it once read and keeps.
   */
  cacheKib?: number;
}

const SCHEMA_VERSION = 2;

const MIGRATION_1 = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  job TEXT,
  slot INTEGER,
  attempt INTEGER,
  actor TEXT,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_job ON events(job, seq);
CREATE TRIGGER IF NOT EXISTS events_append_only_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'the ledger events table is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'the ledger events table is append-only'); END;
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  plugin TEXT,
  priority INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER,
  slot INTEGER,
  file TEXT,
  progress REAL,
  message TEXT,
  last_error TEXT,
  submitted_at TEXT,
  updated_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, updated_at);
CREATE TABLE IF NOT EXISTS slots (
  slot INTEGER PRIMARY KEY,
  state TEXT NOT NULL,
  host TEXT,
  pid INTEGER,
  job TEXT,
  progress REAL,
  message TEXT,
  beat_at TEXT,
  updated_at TEXT NOT NULL
);
`;

/**
 * Scheduling (spool-layout.md, "Scheduling"): the times a pending job waits for, the jobs it
 * runs after, and the sentinel's word on why it waits (a dependency, a plugin's limit, a tag).
 * The times come with the events that set them, so they survive a restart and a rebuild.
 */
const MIGRATION_2 = `
ALTER TABLE jobs ADD COLUMN not_before TEXT;
ALTER TABLE jobs ADD COLUMN retry_at TEXT;
ALTER TABLE jobs ADD COLUMN after_ids TEXT;
ALTER TABLE jobs ADD COLUMN waiting TEXT;
`;

export function openDb(path: string, opts: OpenOptions): Db {
  if (!opts.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new (betterSqlite3())(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs}`);
  if (opts.cacheKib !== undefined) db.pragma(`cache_size = -${opts.cacheKib}`);
  if (!opts.readonly) {
    db.pragma(`journal_mode = ${opts.journal === 'delete' ? 'DELETE' : 'WAL'}`);
    // NORMAL is durable across application crashes in WAL mode; the spool, not the
    // ledger, is the truth after a power loss, and start-up reconciliation replays it.
    db.pragma('synchronous = NORMAL');
    migrate(db);
  }
  return db;
}

/** Whether the ledger's tables exist: a sentinel has committed its schema. */
export function hasSchema(db: Db): boolean {
  return (db.pragma('user_version', { simple: true }) as number) > 0;
}

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version >= SCHEMA_VERSION) return;
  db.transaction(() => {
    if (version < 1) db.exec(MIGRATION_1);
    db.exec(MIGRATION_2);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** SQLite's quick_check complaints, one line each, without its "*** in database main ***" headings. */
export function quickCheckProblems(db: Db): string[] {
  return (db.pragma('quick_check') as { quick_check: string }[])
    .flatMap((r) => r.quick_check.split('\n'))
    .filter((line) => line !== 'ok' && !line.startsWith('***'));
}

/** The SQLite library's version, from an in-memory database (no ledger file is touched). */
export function sqliteVersion(): string {
  const db = new (betterSqlite3())(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}
