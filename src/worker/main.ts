/**
 * `spoolctl worker`: takes a slot and runs a Worker (./worker.ts) in it. What is set up here
 * comes before the slot is taken when it can fail (a worker that cannot have it leaves no
 * slot files behind), and right after otherwise.
 */
import { nanoid } from 'nanoid';
import type { LoadedConfig } from '../config/load.js';
import { hostId } from '../config/identity.js';
import { normalTags, splitTags } from '../config/tags.js';
import { fail } from '../faults/failpoints.js';
import { killLeftPlugin } from '../slot-state.js';
import { makeLogger } from '../log.js';
import { holdSignals } from '../proc.js';
import { filesystemOf } from '../spool/filesystem.js';
import type { Layout } from '../spool/layout.js';
import { PluginRegistry } from '../spool/plugins.js';
import { readSlotFiles, type Heartbeat } from '../spool/slots.js';
import { WorkerJournalWriter } from '../spool/worker-journal.js';
import { VERSION } from '../version.js';
import { OutputCapture } from './capture.js';
import { HeartbeatWriter } from './heartbeat.js';
import { nativeSpawner } from './native-spawn.js';
import { Reaper } from './reaper.js';
import { resolveRunAs } from './run-as.js';
import { takeSlot } from './slot.js';
import { Worker } from './worker.js';

export interface WorkerOptions {
  slot?: number;
  /** `--tag` flags, checked by the caller; added to worker.tags. */
  tags?: string[];
  verbose?: boolean;
}

export async function runWorker(l: Layout, loaded: LoadedConfig, opts: WorkerOptions = {}): Promise<number> {
  const cfg = loaded.config;
  const host = hostId();
  const log = makeLogger('worker', opts.verbose);
  const runAs = resolveRunAs(cfg.worker.run_as, host, log);
  const output = new OutputCapture();
  const progress = new OutputCapture();
  // A stop signal while the slot is being taken (a fleet stopped as it starts) is acted on
  // once the worker runs, so that the lock is released.
  const signals = holdSignals(['SIGTERM', 'SIGINT']);
  let lockLost: Error | undefined;
  let taken: Awaited<ReturnType<typeof takeSlot>>;
  try {
    taken = await takeSlot(l, cfg, host, opts.slot, (err) => {
      lockLost = err;
    });
  } catch (err) {
    signals.release();
    throw err;
  }
  fail('slot.after-lock');
  const slot = taken.slot;
  // The slot's last holder on this host died: what its plugin left must not run beside the
  // job's next attempt, which may come here.
  const leftover = killLeftPlugin(readSlotFiles(l, slot).heartbeat, host);
  if (leftover.length > 0) log.warn("killed what was left of the slot's previous plugin", { slot, pids: leftover });
  const reaper = new Reaper(log);
  const token = nanoid(12);
  const startedAt = new Date().toISOString();
  const hb: Heartbeat = {
    slot,
    host,
    pid: process.pid,
    token,
    state: 'idle',
    started_at: startedAt,
    tags: normalTags(splitTags(cfg.worker.tags), opts.tags ?? []),
    journal: true,
    beat_at: startedAt,
    jobs_done: 0,
    jobs_failed: 0,
  };
  const journal = new WorkerJournalWriter(l, slot, token);
  try {
    journal.open();
  } catch (err) {
    log.warn('cannot create the journal yet; it is made with the first job', { error: (err as Error).message });
  }
  const heartbeat = new HeartbeatWriter(l, hb, log);
  heartbeat.now();

  const fs = filesystemOf(l.root);
  const native = process.env.SPOOLCTL_PLUGIN_SPAWN === 'child_process' ? {} : nativeSpawner();
  const spawnWith = native.spawner ? 'posix_spawn' : 'child_process';
  log.info(
    `slot ${slot} ready`,
    {
      slot,
      host,
      pid: process.pid,
      version: VERSION,
      spool: l.root,
      filesystem: fs.type,
      tags: hb.tags,
      plugins_start_with: spawnWith,
      // Where each of the ~30 settings came from: long, and wanted only when a setting surprises.
      ...(opts.verbose ? { config_origins: loaded.origins } : {}),
    },
    `${host}:${process.pid}, ${spawnWith}`,
  );
  if (native.error) {
    log.warn(
      'the spawn addon did not load (run `npm ci` to build it): plugins start with child_process.spawn, which costs the worker more CPU per job',
      {
        error: native.error,
      },
    );
  }
  if (fs.network)
    log.info(`the spool is on a network filesystem (${fs.type}): claims are also found by a scan every ${cfg.worker.heartbeat_ms} ms`);

  const worker = new Worker({
    l,
    cfg,
    log,
    slot,
    token,
    lock: taken.lock,
    heartbeat,
    journal,
    lockLost: () => lockLost,
    attempt: {
      l,
      cfg,
      log,
      host,
      runAs,
      plugins: new PluginRegistry(l),
      output,
      progress,
      // Copied once: reading process.env goes through the C++ environment on every key.
      env: { ...process.env },
      spawner: native.spawner,
      reaper,
    },
    close: () => {
      reaper.close();
      output.close();
      progress.close();
    },
  });
  return worker.run(signals);
}
