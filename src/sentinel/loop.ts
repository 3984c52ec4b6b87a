/**
 * The sentinel: one per spool. Its pass reads like a checklist and never runs twice at once:
 * judge the slots, list the claims, apply results, reclaim from lost workers, admit new
 * manifests, apply control requests, match rejected/ with the ledger, dispatch; then fsync the touched directories and write the
 * ledger in one transaction. File-system events only schedule a pass sooner; the interval
 * pass is what makes it correct where events are not delivered (NFS, SMB, other hosts).
 */
import { existsSync } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import { hostId } from '../config/identity.js';
import { ConfigError } from '../errors.js';
import { ledgerPathOf } from '../ledger/path.js';
import type { HeldLock } from '../locks.js';
import { fail } from '../faults/failpoints.js';
import { holdSignals, type HeldSignals } from '../proc.js';
import { makeLogger } from '../log.js';
import { completeLayout } from '../spool/init.js';
import { isLeaveNoteName, slotOfSlotsEntry, type Layout } from '../spool/layout.js';
import { removeSentinelInfo, writeSentinelInfo } from '../spool/sentinel-info.js';
import { watchForChanges } from '../spool/wake.js';
import { VERSION } from '../version.js';
import { makeContext, type SentinelContext } from './context.js';
import { applyControl } from './control.js';
import { settleDependents } from './dependencies.js';
import { dispatch } from './dispatch.js';
import { intake, intakeChanged } from './intake.js';
import { housekeeping } from './housekeeping.js';
import { metricsFile } from './metrics-file.js';
import { noteFilesystem, refuseWorldWritable } from './startup-checks.js';
import { syncJournal } from './journal-sync.js';
import { openLedgerFile, refuseNetworkLedger, type LedgerFile } from './ledger-file.js';
import { reopenIfGone } from './ledger-replaced.js';
import { takeSpool, type TakenOver } from './standby.js';
import { refreshSlots, type SlotsChanged } from './slot-changes.js';
import { reclaimLost, scanClaims } from './reclaim.js';
import { applyResults } from './results.js';
import { published, type Published } from './published.js';
import { reconcile } from './reconcile.js';
import { syncRejected } from './rejected.js';

export interface SentinelOptions {
  verbose?: boolean;
  /** Wait while another sentinel is active, and take over when it is gone (./standby.ts). */
  standby?: boolean;
}

export async function runSentinel(l: Layout, loaded: LoadedConfig, opts: SentinelOptions = {}): Promise<number> {
  const cfg = loaded.config;
  const host = hostId();
  const log = makeLogger('sentinel', opts.verbose);
  refuseWorldWritable(l);
  for (const dir of completeLayout(l)) log.info('created a directory the spool did not have yet', { dir });
  noteFilesystem(l, cfg, log);
  // A stop signal while the lock is taken and the ledger opened (a fleet stopped as it
  // starts) is acted on once the loop runs: killed by its default action, the sentinel
  // would leave its lock behind.
  const signals = holdSignals(['SIGTERM', 'SIGINT']);
  let taken: TakenOver | undefined;
  try {
    taken = await takeSpool(l, cfg, host, log, signals, opts.standby ?? false);
  } catch (err) {
    signals.release();
    throw err;
  }
  if (!taken) return 0;
  const { lock, from: tookOverFrom } = taken;
  fail('sentinel.after-lock');
  const startedAt = new Date().toISOString();
  // The counts let `status` and the TUI on a host without the ledger show the queues.
  const beat = (extra?: Published) =>
    writeSentinelInfo(l, { host, pid: process.pid, started_at: startedAt, beat_at: new Date().toISOString(), version: VERSION, ...extra });
  beat();
  let file: LedgerFile | undefined;
  let ctx: SentinelContext | undefined;
  try {
    const path = ledgerPathOf(l, loaded);
    refuseNetworkLedger(path);
    const fresh = !existsSync(path);
    file = await openLedgerFile(path, cfg.ledger.busy_timeout_ms, log);
    ctx = makeContext(l, cfg, host, log, file.db, lock);
    const { replayed } = syncJournal(ctx);
    if (fresh)
      log.info("created a new ledger; its history is the journal's, and jobs in the spool are recorded from their files", {
        ledger: path,
        replayed,
      });
  } catch (err) {
    ctx?.journal?.close();
    file?.db.close();
    removeSentinelInfo(l);
    await lock.release().catch(() => undefined);
    signals.release();
    throw err;
  }
  reconcile(ctx);
  const me = `${host}:${process.pid}`;
  if (tookOverFrom)
    ctx.ledger.record({ type: 'sentinel_takeover', actor: me, detail: { from: `${tookOverFrom.host}:${tookOverFrom.pid}`, to: me } });
  ctx.ledger.record({ type: 'sentinel_started', actor: me, detail: { version: VERSION, ledger: file.path } });
  flushLedger(ctx);
  housekeeping(ctx);
  log.info(
    'sentinel started',
    { spool: l.root, host, ledger: file.path, scan_interval_ms: cfg.sentinel.scan_interval_ms },
    `${l.root} on ${host}, scan every ${cfg.sentinel.scan_interval_ms} ms`,
  );
  return serve(ctx, file, lock, beat, signals);
}

function flushLedger(ctx: SentinelContext): void {
  try {
    ctx.ledger.flush();
  } catch (err) {
    ctx.throttled('error', 'ledger', 'cannot write the ledger; its records are kept in memory and retried on every pass', {
      error: (err as Error).message,
      code: (err as { code?: string }).code,
      buffered: ctx.ledger.buffered,
    });
  }
}

/**
 * What changed since the last pass, by the watchers' word. `full` (at start, on every interval
 * pass, after a new ledger) re-reads everything; otherwise a pass reads only the slots,
 * results and control requests that changed and the pending/ names the watcher reported.
 * The sentinel alone creates and removes claims, so between full passes its claim map is
 * kept by the steps themselves.
 */
interface Changes {
  full: boolean;
  slots: SlotsChanged;
  results: boolean;
  control: boolean;
  pending: Set<string>;
  /** pending/ is being listed whole over several passes (a flood larger than one batch). */
  listingPending: boolean;
}

const everything = (c: Changes) => Object.assign(c, { full: true, listingPending: true });
const noSlotChanged = (): SlotsChanged => ({ all: false, slots: new Set(), notes: false });

/** What a change in slots/ asks the next pass to read again. */
function noteSlotsEntry(changed: SlotsChanged, name: string | null): void {
  const slot = name === null ? undefined : slotOfSlotsEntry(name);
  if (slot !== undefined) changed.slots.add(slot);
  else if (name !== null && isLeaveNoteName(name)) changed.notes = true;
  else changed.all = true;
}

function admitPending(ctx: SentinelContext, c: Changes): boolean {
  if (!c.listingPending) return intakeChanged(ctx, c.pending);
  c.pending.clear();
  c.listingPending = intake(ctx);
  return c.listingPending;
}

function pass(ctx: SentinelContext, c: Changes): boolean {
  // Taken now: what changes while this pass runs is for the next one.
  const { full, slots, results, control } = c;
  Object.assign(c, { full: false, slots: noSlotChanged(), results: false, control: false });
  const slotsChanged = full || slots.all || slots.slots.size > 0 || slots.notes;
  if (slotsChanged) refreshSlots(ctx, { ...slots, all: full || slots.all });
  if (full) scanClaims(ctx);
  if (full || results) applyResults(ctx);
  if (slotsChanged) reclaimLost(ctx);
  const more = admitPending(ctx, c);
  if (full || control) applyControl(ctx);
  if (full) syncRejected(ctx);
  settleDependents(ctx);
  dispatch(ctx);
  ctx.sync.flush();
  flushLedger(ctx);
  return more;
}

type Beat = (extra: Published) => void;

function serve(ctx: SentinelContext, opened: LedgerFile, lock: HeldLock, beat: Beat, signals: HeldSignals): Promise<number> {
  let file = opened;
  const { l, cfg, log } = ctx;
  let running = false;
  let again = false;
  let stopping = false;
  let halt: (err: ConfigError) => void = () => undefined;
  const changes: Changes = {
    full: true,
    slots: { all: true, slots: new Set(), notes: true },
    results: true,
    control: true,
    pending: new Set(),
    listingPending: true,
  };

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
      const next = reopenIfGone(ctx, file);
      // A new ledger starts from the spool, so the spool is read whole again.
      if (next !== file) everything(changes);
      file = next;
      more = pass(ctx, changes);
    } catch (err) {
      // Only a new ledger the journal refuses throws this mid-run: the sentinel stops, as at start.
      if (err instanceof ConfigError) {
        running = false;
        halt(err);
        return;
      }
      // The next pass starts from the spool again, whatever this one left half done.
      everything(changes);
      ctx.throttled('error', `pass:${(err as Error).message}`, 'sentinel pass failed; retrying on the next one', {
        error: (err as Error).message,
        stack: (err as Error).stack,
      });
    }
    running = false;
    if (more || again) {
      again = false;
      schedule();
    }
  };

  const onChange = (dir: string, name: string | null) => {
    if (dir === l.pending) {
      if (name === null) changes.listingPending = true;
      else changes.pending.add(name);
    } else if (dir === l.results) changes.results = true;
    else if (dir === l.control) changes.control = true;
    else noteSlotsEntry(changes.slots, name);
    schedule();
  };
  const wake = watchForChanges([l.pending, l.results, l.control, l.slots], onChange, (dir, err) =>
    log.warn('cannot watch a directory; periodic scans continue', { dir, error: err.message }),
  );
  const metrics = metricsFile(ctx, file.path);
  const timers = [
    ...metrics.timers,
    setInterval(() => {
      everything(changes);
      schedule();
    }, cfg.sentinel.scan_interval_ms),
    setInterval(() => {
      try {
        beat(published(ctx));
      } catch (err) {
        ctx.throttled('warn', 'beat', 'cannot refresh sentinel.json; retrying', { error: (err as Error).message });
      }
    }, 1000),
    setInterval(() => housekeeping(ctx), 60_000),
  ];
  schedule();

  const quiesce = async () => {
    stopping = true;
    for (const t of timers) clearInterval(t);
    wake.close();
    while (running) await new Promise((r) => setTimeout(r, 10));
  };
  const leave = async () => {
    ctx.journal?.close();
    removeSentinelInfo(l);
    await lock.release().catch(() => undefined);
  };
  return new Promise((resolve, reject) => {
    const stop = async (signal: string) => {
      if (stopping) return;
      log.info('sentinel stopping', { signal }, signal);
      await quiesce();
      ctx.ledger.record({ type: 'sentinel_stopped', actor: `${ctx.host}:${process.pid}`, detail: { signal } });
      flushLedger(ctx);
      metrics.stopped();
      ctx.db.close();
      await leave();
      resolve(0);
    };
    // The refused ledger is closed already: there is nothing to record the stop in.
    halt = (err) => {
      if (stopping) return;
      log.error('the new ledger disagrees with the journal; stopping', { error: err.message });
      void quiesce()
        .then(leave)
        .then(() => reject(err));
    };
    signals.handle((signal) => void stop(signal));
  });
}
