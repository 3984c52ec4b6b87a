/**
 * The sentinel: one per spool. Its pass reads like a checklist and never runs twice at once:
 * judge the slots, list the claims, apply results, reclaim from lost workers, admit new
 * manifests, apply control requests, dispatch; then fsync the touched directories and write the
 * ledger in one transaction. File-system events only schedule a pass sooner; the interval
 * pass is what makes it correct where events are not delivered (NFS, SMB, other hosts).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { LoadedConfig } from '../config/load.js';
import { hostId } from '../config/identity.js';
import { HeldError } from '../errors.js';
import { openDb } from '../ledger/open.js';
import { LedgerWriter } from '../ledger/writer.js';
import { tryLock, type HeldLock } from '../locks.js';
import { makeLogger } from '../log.js';
import { DirSync, unlinkQuiet } from '../spool/atomic.js';
import { defaultLedgerPath, type Layout } from '../spool/layout.js';
import { PluginRegistry } from '../spool/plugins.js';
import { readSentinelInfo, removeSentinelInfo, writeSentinelInfo } from '../spool/sentinel-info.js';
import { listNames } from '../spool/scan.js';
import { within } from '../proc.js';
import { VERSION } from '../version.js';
import type { SentinelContext } from './context.js';
import { applyControl } from './control.js';
import { dispatch } from './dispatch.js';
import { intake } from './intake.js';
import { refreshSlots } from './liveness.js';
import { reclaimLost, scanClaims } from './reclaim.js';
import { applyResults } from './results.js';
import { reconcile } from './reconcile.js';

export function ledgerPathOf(l: Layout, loaded: LoadedConfig): string {
  return loaded.config.ledger.path || defaultLedgerPath(l);
}

export interface SentinelOptions {
  verbose?: boolean;
}

export async function runSentinel(l: Layout, loaded: LoadedConfig, opts: SentinelOptions = {}): Promise<number> {
  const cfg = loaded.config;
  const host = hostId();
  const log = makeLogger('sentinel', opts.verbose);
  const lock = await tryLock(l.sentinelLockTarget, {
    staleMs: cfg.worker.stale_after_ms,
    host,
    holder: () => readSentinelInfo(l),
    onCompromised: (err) => {
      log.error('the sentinel lock was taken over; exiting so two sentinels never run', { error: err.message });
      process.exit(1);
    },
  });
  if (!lock.ok) {
    const h = lock.holder;
    throw new HeldError(
      h
        ? `The spool ${l.root} already has a sentinel: pid ${h.pid} on host ${h.host}. Stop it first, or leave it running.`
        : `The spool ${l.root} already has a sentinel (its lock ${l.sentinelLockTarget}.lock is held). Stop it first, or wait ${cfg.worker.stale_after_ms / 1000}s if it died.`,
    );
  }
  const startedAt = new Date().toISOString();
  const beat = () => writeSentinelInfo(l, { host, pid: process.pid, started_at: startedAt, beat_at: new Date().toISOString(), version: VERSION });
  beat();

  const db = openDb(ledgerPathOf(l, loaded), { busyTimeoutMs: cfg.ledger.busy_timeout_ms });
  const ctx: SentinelContext = {
    l, cfg, host, log, db,
    ledger: new LedgerWriter(db),
    sync: new DirSync(),
    plugins: new PluginRegistry(l),
    pending: new Map(),
    jobs: new Map(),
    slots: [],
    claims: new Map(),
    progressWritten: new Map(),
  };
  reconcile(ctx);
  ctx.ledger.record({ type: 'sentinel_started', actor: `${host}:${process.pid}`, detail: { version: VERSION, ledger: ledgerPathOf(l, loaded) } });
  flushLedger(ctx);
  log.info('sentinel started', { spool: l.root, host, ledger: ledgerPathOf(l, loaded), scan_interval_ms: cfg.sentinel.scan_interval_ms });
  return serve(ctx, lock.lock, beat);
}

function flushLedger(ctx: SentinelContext): void {
  try {
    ctx.ledger.flush();
  } catch (err) {
    ctx.log.error('cannot write the ledger; its records are kept in memory and retried on the next pass', {
      error: (err as Error).message,
      buffered: ctx.ledger.buffered,
    });
  }
}

function pass(ctx: SentinelContext): boolean {
  refreshSlots(ctx);
  scanClaims(ctx);
  applyResults(ctx);
  reclaimLost(ctx);
  const more = intake(ctx);
  applyControl(ctx);
  dispatch(ctx);
  ctx.sync.flush();
  flushLedger(ctx);
  return more;
}

function serve(ctx: SentinelContext, lock: HeldLock, beat: () => void): Promise<number> {
  const { l, cfg, log } = ctx;
  let running = false;
  let again = false;
  let stopping = false;

  const schedule = () => {
    if (stopping) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    setImmediate(run);
  };
  const run = () => {
    let more = false;
    try {
      more = pass(ctx);
    } catch (err) {
      log.error('sentinel pass failed; retrying on the next one', { error: (err as Error).message, stack: (err as Error).stack });
    }
    running = false;
    if (more || again) {
      again = false;
      schedule();
    }
  };

  const watcher: FSWatcher = watch([l.pending, l.results, l.control, l.slots], { ignoreInitial: true, depth: 0 });
  watcher.on('all', schedule);
  watcher.on('error', (err) => log.warn('file watcher error; periodic scans continue', { error: String(err) }));
  const timers = [
    setInterval(schedule, cfg.sentinel.scan_interval_ms),
    setInterval(beat, 1000),
    setInterval(() => housekeeping(ctx), 60_000),
  ];
  schedule();

  return new Promise((resolve) => {
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('sentinel stopping', { signal });
      for (const t of timers) clearInterval(t);
      await within(watcher.close(), 2000);
      while (running) await new Promise((r) => setTimeout(r, 10));
      ctx.ledger.record({ type: 'sentinel_stopped', actor: `${ctx.host}:${process.pid}`, detail: { signal } });
      flushLedger(ctx);
      ctx.db.close();
      removeSentinelInfo(l);
      await lock.release().catch(() => undefined);
      resolve(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}

/** Removes abandoned tmp/ files and acknowledgements nobody collected. */
function housekeeping(ctx: SentinelContext): void {
  const sweep = (dir: string, maxAgeS: number) => {
    const cutoff = Date.now() - maxAgeS * 1000;
    for (const name of listNames(dir)) {
      const path = join(dir, name);
      try {
        if (statSync(path).mtimeMs < cutoff) unlinkQuiet(path);
      } catch {
        // removed meanwhile
      }
    }
  };
  try {
    sweep(ctx.l.tmp, ctx.cfg.sentinel.tmp_max_age_s);
    sweep(ctx.l.acks, ctx.cfg.sentinel.ack_max_age_s);
  } catch (err) {
    ctx.log.warn('housekeeping failed', { error: (err as Error).message });
  }
}

