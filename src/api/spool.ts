/**
 * Finds and opens a spool for a command: --spool DIR, else SPOOLCTL_SPOOL, else the nearest
 * parent directory holding spool.toml. Also opens the ledger read-only for queries.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { spoolFromEnv } from '../config/identity.js';
import { UsageError } from '../errors.js';
import { hasSchema, openDb, type Db } from '../ledger/open.js';
import { ledgerPathOf } from '../ledger/path.js';
import { layoutOf, type Layout } from '../spool/layout.js';

export interface Spool {
  l: Layout;
  loaded: LoadedConfig;
}

export function findSpoolDir(flag: string | undefined): string {
  const named = flag ?? spoolFromEnv();
  if (named) {
    const dir = resolve(named);
    if (!existsSync(join(dir, 'spool.toml'))) {
      throw new UsageError(`${dir} is not a spool (no spool.toml): create it with \`spoolctl init ${named}\`.`);
    }
    return dir;
  }
  let dir = process.cwd();
  for (;;) {
    if (existsSync(join(dir, 'spool.toml'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new UsageError('No spool given: pass --spool DIR, set SPOOLCTL_SPOOL, or run inside a spool directory (one with spool.toml).');
}

export interface SpoolOptions {
  /** The command's `--set section.key=value` flags: the top configuration layer. */
  set?: readonly string[];
}

/** "section.key" → value, from `--set` flags. */
export function commandLineSettings(sets: readonly string[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const item of sets) {
    const eq = item.indexOf('=');
    if (eq < 1) throw new UsageError(`--set takes section.key=value (got "${item}").`);
    settings[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return settings;
}

/** Every layer, for the spool if one is found: what `config show` prints. */
export function effectiveConfig(flag: string | undefined, opts: SpoolOptions = {}): LoadedConfig {
  let dir: string | undefined;
  try {
    dir = findSpoolDir(flag);
  } catch {
    dir = undefined;
  }
  return loadConfig(dir, commandLineSettings(opts.set ?? []));
}

export function openSpool(flag: string | undefined, opts: SpoolOptions = {}): Spool {
  const dir = findSpoolDir(flag);
  // A spool shared with a group (setgid root, from `init --group`) gets group-writable
  // files from every spoolctl process that works on it.
  if (statSync(dir).mode & 0o2000) process.umask(0o007);
  return { l: layoutOf(dir), loaded: loadConfig(dir, commandLineSettings(opts.set ?? [])) };
}

export function ledgerPath(s: Spool): string {
  return ledgerPathOf(s.l, s.loaded);
}

/** The ledger for reading, or undefined if no sentinel has created it yet. */
export function openLedgerForRead(s: Spool): Db | undefined {
  const path = ledgerPath(s);
  if (!existsSync(path)) return undefined;
  const db = openDb(path, { readonly: true, busyTimeoutMs: s.loaded.config.ledger.busy_timeout_ms });
  // A starting sentinel creates the file, then its tables in one transaction: a reader in
  // between finds a ledger with no tables, which is a ledger not created yet.
  if (!hasSchema(db)) {
    db.close();
    return undefined;
  }
  return db;
}

export function requireLedger(s: Spool): Db {
  const db = openLedgerForRead(s);
  if (!db)
    throw new UsageError(`The spool ${s.l.root} has no ledger yet (${ledgerPath(s)}): start the sentinel with \`spoolctl sentinel\`.`);
  return db;
}
