/**
 * What one sentinel pass works on: the spool layout, the config, the ledger writer and the
 * sentinel's in-memory view of the spool. The view is a cache of the last readdir, never a
 * substitute for it: a full pass, at least every sentinel.scan_interval_ms, re-lists every
 * directory; the passes between act on what the watchers named.
 */
import type { Config } from '../config/schema.js';
import type { Db } from '../ledger/open.js';
import type { JobBrief } from '../ledger/queries.js';
import type { JobPatch } from '../chain/line.js';
import { LedgerWriter, type EventInput } from '../ledger/writer.js';
import { makeThrottle, type Logger } from '../log.js';
import { DirSync } from '../spool/atomic.js';
import { FileServerClock } from '../spool/clock.js';
import type { HeldLock } from '../locks.js';
import { JournalAppender } from '../spool/journal.js';
import { claimFileName, relativeToSpool, type ClaimName, type Layout } from '../spool/layout.js';
import { readPause, type PauseInfo } from '../spool/paused.js';
import { PluginRegistry } from '../spool/plugins.js';
import type { SlotState } from '../slot-state.js';
import { PendingQueue } from './pending-queue.js';
import { PluginPace } from './plugin-pace.js';
import { WorkerJournals } from './worker-journals.js';

export interface PendingEntry {
  name: string;
  path: string;
  id: string;
  attempts: number;
  priority: number;
  mtimeMs: number;
  plugin: string;
  /** Not claimed before this (epoch ms): the later of the manifest's not_before and a retry's backoff; 0 for now. */
  readyAt: number;
  /** The manifest's own required tags (the plugin's are read at dispatch, as the plugin file is now). */
  requires: string[];
}

export interface JobMirror extends Omit<JobBrief, 'max_attempts'> {
  maxAttempts: number;
}

export interface SentinelContext {
  l: Layout;
  cfg: Config;
  host: string;
  log: Logger;
  /** For problems that repeat every pass (full disk, locked ledger): logged once per 10 s. */
  throttled: ReturnType<typeof makeThrottle>;
  db: Db;
  ledger: LedgerWriter;
  /** The journal on the share, which every event reaches before the ledger (journal.enabled). */
  journal: JournalAppender | undefined;
  sync: DirSync;
  /** The file server's clock, by which heartbeats age. */
  clock: FileServerClock;
  plugins: PluginRegistry;
  /** pending/ as last listed and validated, by file name. */
  pending: PendingQueue;
  /** The ledger's jobs table as the sentinel last wrote it, by id. */
  jobs: Map<string, JobMirror>;
  slots: SlotState[];
  claims: Map<number, ClaimName[]>;
  /** How far the workers' journals were read, and the claims they recorded as started. */
  workerJournals: WorkerJournals;
  /** How long each plugin's recent attempts took: whether a claim may be queued behind its jobs. */
  pace: PluginPace;
  /** Dispatch paused (paused.json, `spoolctl pause`): running jobs go on, nothing is claimed. */
  paused: PauseInfo | undefined;
  /** Jobs that reached done, failed, cancelled, rejected or purged this pass: the jobs after them move on (./dependencies.ts). */
  settled: string[];
  /** pending/ files whose `after` names ids the ledger has not seen yet, by when first seen (./dependencies.ts). */
  deferred: Map<string, number>;
  /** Last progress written to the ledger per job (at most one update a second). */
  progressWritten: Map<string, { at: number; progress: number; message: string | undefined }>;
}

/** Records an event and the job row it changes, keeping the mirror in step with the ledger. */
export function transition(ctx: SentinelContext, ev: EventInput, patch?: JobPatch): void {
  if (!patch) {
    ctx.ledger.record(ev);
    return;
  }
  const prev = ctx.jobs.get(patch.id);
  const state = patch.state ?? prev?.state ?? 'pending';
  if (state !== prev?.state && state !== 'pending' && state !== 'claimed' && state !== 'held') ctx.settled.push(patch.id);
  // A job that leaves pending no longer waits.
  const row = state !== 'pending' && prev?.waiting ? { ...patch, waiting: null } : patch;
  ctx.jobs.set(patch.id, {
    state,
    attempts: patch.attempts ?? prev?.attempts ?? 0,
    file: patch.file !== undefined ? patch.file : (prev?.file ?? null),
    maxAttempts: patch.max_attempts ?? prev?.maxAttempts ?? ctx.cfg.jobs.max_attempts,
    plugin: patch.plugin ?? prev?.plugin ?? null,
    retry_at: row.retry_at !== undefined ? row.retry_at : (prev?.retry_at ?? null),
    waiting: row.waiting !== undefined ? row.waiting : (prev?.waiting ?? null),
  });
  ctx.ledger.record(ev, row);
}

/** A claim the sentinel moved out of claimed/: no longer the slot's work, nor a result's to apply. */
export function forgetClaim(ctx: SentinelContext, c: ClaimName): void {
  const name = claimFileName(c);
  const claims = ctx.claims.get(c.slot);
  if (claims)
    ctx.claims.set(
      c.slot,
      claims.filter((x) => claimFileName(x) !== name),
    );
}

export function spoolRelative(ctx: SentinelContext, path: string): string {
  return relativeToSpool(ctx.l, path);
}

/** Points the context at a ledger database: the writer appends to the journal before each commit. */
export function useLedger(ctx: SentinelContext, db: Db): void {
  ctx.db = db;
  ctx.ledger = new LedgerWriter(db, ctx.journal);
}

export function makeContext(l: Layout, cfg: Config, host: string, log: Logger, db: Db, lock?: HeldLock): SentinelContext {
  const throttled = makeThrottle(log);
  const journal = cfg.journal.enabled ? new JournalAppender(l, lock) : undefined;
  return {
    l,
    cfg,
    host,
    log,
    throttled,
    db,
    journal,
    ledger: new LedgerWriter(db, journal),
    sync: new DirSync(),
    clock: new FileServerClock(l, host, (err) =>
      throttled('warn', 'clock', 'cannot write the clock probe; judging heartbeats by the last known server clock', { error: err.message }),
    ),
    // Trusted for a second: the sentinel looks a plugin up twice a job (src/spool/plugins.ts).
    plugins: new PluginRegistry(l, 1000),
    pending: new PendingQueue(),
    jobs: new Map(),
    slots: [],
    claims: new Map(),
    workerJournals: new WorkerJournals(),
    pace: new PluginPace(),
    paused: readPause(l),
    settled: [],
    deferred: new Map(),
    progressWritten: new Map(),
  };
}
