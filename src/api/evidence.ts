/**
 * Evidence of jobs, checkable offline: `jobs export` packs a job's files, its ledger events and
 * the chain from them to the head into a bundle (src/evidence/bundle.ts); `evidence verify`
 * checks a bundle with no spool at all, and with a ledger file, that its head is still on
 * that ledger's chain.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { formatLine } from '../chain/line.js';
import type { Link } from '../chain/event.js';
import { actor, hostId } from '../config/identity.js';
import { errnoOf, UsageError } from '../errors.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  CHAIN_FILE,
  envListingFile,
  jobFile,
  packBundle,
  pluginFile,
  unpackBundle,
} from '../evidence/bundle.js';
import type { BundledFile, BundledJob, BundleHead, NotBundled } from '../evidence/bundle.js';
import { checkBundle, type BundleCheck } from '../evidence/check.js';
import { commandFiles, directoryListing } from '../evidence/host-files.js';
import { chainStart, eventsBetween, hashLookup, lastEvent } from '../ledger/chain-range.js';
import { hasSchema, openDb, type Db } from '../ledger/open.js';
import { jobEvents, type JobRow } from '../ledger/queries.js';
import { verifyChain } from '../ledger/verify.js';
import { envsDirOf, errorFileFor, pluginPath, spoolPath } from '../spool/layout.js';
import { readJobLog } from '../spool/logs.js';
import { readLimitedBytes, readPlugin, type PluginDef } from '../spool/manifest.js';
import { VERSION } from '../version.js';
import { requireJob } from './jobs.js';
import { requireLedger, type Spool } from './spool.js';

const PLUGIN_MAX_BYTES = 1 << 20;

export interface ExportReport {
  out: string;
  bytes: number;
  head: Link;
  chain: { first_seq: number; last_seq: number; events: number };
  jobs: { id: string; events: number; files: number; missing: string[] }[];
}

function bundled(files: Map<string, Buffer>, file: string, from: string, read: () => Buffer): BundledFile | NotBundled {
  try {
    files.set(file, read());
    return { file, from };
  } catch (err) {
    return { missing: `${from}: ${(err as Error).message}` };
  }
}

/** A job's files into `files`, and what bundle.json says of them. */
function collectJob(s: Spool, row: JobRow, events: number[], files: Map<string, Buffer>): BundledJob {
  const { l } = s;
  const cfg = s.loaded.config;
  const manifest: BundledFile | NotBundled = row.file
    ? bundled(files, jobFile(row.id, 'manifest.json'), row.file, () =>
        readLimitedBytes(spoolPath(l, row.file!), cfg.jobs.max_manifest_bytes),
      )
    : { missing: 'the ledger names no file for it' };
  const plugin_def: BundledFile | NotBundled = row.plugin
    ? bundled(files, pluginFile(row.plugin), `plugins/${row.plugin}.json`, () =>
        readLimitedBytes(pluginPath(l, row.plugin!), PLUGIN_MAX_BYTES),
      )
    : { missing: 'the ledger names no plugin for it' };
  let def: PluginDef | undefined;
  try {
    def = row.plugin ? readPlugin(pluginPath(l, row.plugin)) : undefined;
  } catch {
    def = undefined;
  }
  const envDir = def?.env_hash ? join(envsDirOf(l, cfg.worker.envs_dir), def.env_hash) : '';
  const logs: BundledFile[] = [];
  const log = readJobLog(l, row.id);
  if (log) {
    files.set(jobFile(row.id, `${row.id}.log`), log.data);
    logs.push({ file: jobFile(row.id, `${row.id}.log`), from: `logs/${row.id}.log` });
  }
  const errorFile = row.file && errorFileFor(row.file);
  if (errorFile && existsSync(spoolPath(l, errorFile))) {
    const record = bundled(files, jobFile(row.id, basename(errorFile)), errorFile, () =>
      readLimitedBytes(spoolPath(l, errorFile), PLUGIN_MAX_BYTES),
    );
    if ('file' in record) logs.push(record);
  }
  return {
    id: row.id,
    state: row.state,
    plugin: row.plugin,
    events,
    manifest,
    plugin_def,
    command: def ? commandFiles(def.command, l.root, envDir) : [],
    env:
      def?.env_hash && row.plugin
        ? {
            env_hash: def.env_hash,
            dir: envDir,
            listing: bundled(files, envListingFile(row.plugin), envDir, () => Buffer.from(directoryListing(envDir))),
          }
        : null,
    logs,
  };
}

/** Writes the bundle of `ids` to `out` (whole or not at all) and says what it holds. */
export async function exportJobs(s: Spool, ids: readonly string[], out: string): Promise<ExportReport> {
  const db = requireLedger(s);
  const files = new Map<string, Buffer>();
  let head: BundleHead;
  try {
    // One read transaction: the events, the chain and the head are one moment of the ledger.
    head = db.transaction(() => {
      const rows = [...new Map(ids.map((id) => requireJob(s, db, id)).map((r) => [r.id, r])).values()];
      const events = new Map(rows.map((r) => [r.id, jobEvents(db, r.id).map((e) => e.seq)]));
      const none = rows.find((r) => events.get(r.id)!.length === 0);
      if (none) throw new UsageError(`Job "${none.id}" has no events in the ledger: there is nothing to prove.`);
      const last = lastEvent(db)!;
      const first = Math.min(...rows.map((r) => events.get(r.id)![0]!));
      const chain = eventsBetween(db, first, last.seq);
      files.set(CHAIN_FILE, Buffer.from(chain.map((e) => formatLine(e)).join('')));
      const jobs = rows.map((r) => collectJob(s, r, events.get(r.id)!, files));
      return {
        format: BUNDLE_FORMAT,
        version: BUNDLE_VERSION,
        spool: s.l.root,
        exported_at: new Date().toISOString(),
        exporter: { host: hostId(), user: actor(), spoolctl: VERSION },
        head: last,
        chain: { file: CHAIN_FILE, first_seq: first, last_seq: last.seq, events: chain.length },
        jobs,
      } satisfies BundleHead;
    })();
  } finally {
    db.close();
  }
  const gz = await packBundle(head, files);
  const path = resolve(out);
  const partial = `${path}.partial-${process.pid}`;
  try {
    writeFileSync(partial, gz);
    renameSync(partial, path);
  } catch (err) {
    rmSync(partial, { force: true });
    throw new UsageError(`Cannot write ${path}: ${errnoOf(err) ?? (err as Error).message}.`);
  }
  return {
    out: path,
    bytes: gz.length,
    head: head.head,
    chain: head.chain,
    jobs: head.jobs.map((j) => ({
      id: j.id,
      events: j.events.length,
      files: [j.manifest, j.plugin_def, j.env?.listing, ...j.logs].filter((f) => f && 'file' in f).length,
      missing: [j.manifest, j.plugin_def, j.env?.listing].flatMap((f) => (f && 'missing' in f ? [f.missing] : [])),
    })),
  };
}

export interface LedgerMatch {
  path: string;
  ok: boolean;
  /** Why the bundle's head is not shown to lie on this ledger's chain. */
  problem: string | null;
}

function openLedgerFile(path: string): Db {
  if (!existsSync(path)) throw new UsageError(`No ledger at ${path}.`);
  let db: Db | undefined;
  try {
    db = openDb(path, { readonly: true, busyTimeoutMs: 5000 });
    if (hasSchema(db)) return db;
  } catch {
    // Not SQLite at all: refused below like an empty database.
  }
  db?.close();
  throw new UsageError(`${path} is not a spoolctl ledger.`);
}

/** Whether `head` is an event of the ledger at `path` whose chain verifies up to it. */
function headOnLedger(path: string, head: Link): LedgerMatch {
  const db = openLedgerFile(path);
  const fail = (problem: string): LedgerMatch => ({ path, ok: false, problem });
  try {
    const hash = hashLookup(db)(head.seq);
    if (hash === undefined) {
      const start = chainStart(db);
      const end = lastEvent(db)?.seq ?? 0;
      return fail(
        start && head.seq <= start.seq
          ? `the ledger's chain starts after seq ${head.seq} (rebuilt from a pruned journal): the head cannot be compared`
          : `the ledger has no event at seq ${head.seq} (it ends at seq ${end}): the bundle comes from another chain`,
      );
    }
    if (hash !== head.hash)
      return fail(
        `the ledger's event at seq ${head.seq} has hash ${hash.slice(0, 8)}, the bundle's head ${head.hash.slice(0, 8)}: the bundle comes from another chain, or one of the two was rewritten`,
      );
    const chain = verifyChain(db, 1, head.seq);
    const p = chain.problems[0];
    return p
      ? fail(`the ledger's own chain does not verify up to seq ${head.seq}: row ${p.seq}: ${p.problem}`)
      : { path, ok: true, problem: null };
  } finally {
    db.close();
  }
}

export interface EvidenceReport extends BundleCheck {
  bundle: string;
  /** With --ledger: the head against that ledger; null without. */
  ledger: LedgerMatch | null;
}

export async function verifyEvidence(bundlePath: string, ledgerPath?: string): Promise<EvidenceReport> {
  let gz: Buffer;
  try {
    gz = readFileSync(bundlePath);
  } catch (err) {
    throw new UsageError(
      `Cannot read ${bundlePath}: ${errnoOf(err) === 'ENOENT' ? 'no such file' : (errnoOf(err) ?? (err as Error).message)}.`,
    );
  }
  const check = checkBundle(await unpackBundle(gz, bundlePath));
  const ledger = ledgerPath === undefined ? null : check.head ? headOnLedger(resolve(ledgerPath), check.head) : null;
  return { ...check, ok: check.ok && (ledger?.ok ?? true), bundle: bundlePath, ledger };
}
