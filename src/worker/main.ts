/**
 * A worker: holds one slot, heartbeats, and runs the jobs the sentinel claims into its slot
 * directory, one at a time. It never moves a manifest: it reports each claim's outcome in a
 * result file and the sentinel applies it.
 *
 * Safety rules it keeps (DESIGN §4 rule 5):
 * - it runs only claims carrying its own token;
 * - if its slot's heartbeat shows another token, another worker owns the slot: it kills its
 *   plugin and exits at once, touching nothing;
 * - if its claim disappears (cancelled, or reclaimed while it was paused) it stops the
 *   plugin and reports; the sentinel records that report as fenced.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import type { LoadedConfig } from '../config/load.js';
import { hostId } from '../config/identity.js';
import { fail } from '../faults/failpoints.js';
import { killLeftPlugin } from '../spool/slot-state.js';
import { makeLogger, makeThrottle, type Logger } from '../log.js';
import { holdSignals, procId } from '../proc.js';
import { exists } from '../spool/atomic.js';
import { filesystemOf } from '../spool/filesystem.js';
import {
  claimDir,
  claimFileName,
  claimPath,
  drainMarkerPath,
  envsDirOf,
  jobLogPath,
  type ClaimName,
  type Layout,
} from '../spool/layout.js';
import { readManifest, type Manifest } from '../spool/manifest.js';
import { PluginRegistry } from '../spool/plugins.js';
import { publishResult, type JobResult, type Outcome } from '../spool/results.js';
import { listClaims } from '../spool/scan.js';
import { watchForChanges, type WakeWatch } from '../spool/wake.js';
import { readSlotFiles, removeHeartbeat, writeHeartbeat, writeLeaveNote, type Heartbeat } from '../spool/slots.js';
import { VERSION } from '../version.js';
import { buildArgv, MissingPlaceholderError } from './argv.js';
import { OutputCapture } from './capture.js';
import { JobLog } from './job-log.js';
import { nativeSpawner, type NativeSpawner } from './native-spawn.js';
import { Reaper } from './reaper.js';
import { PROGRESS_READ_MS, startPlugin, type RunningPlugin } from './runner.js';
import { resolveRunAs, type RunAs } from './run-as.js';
import { groupRssBytes, RECYCLE_EXIT_CODE, recycleReason } from './recycle.js';
import { takeSlot } from './slot.js';

export interface WorkerOptions {
  slot?: number;
  verbose?: boolean;
}

interface Current {
  claim: ClaimName;
  plugin?: RunningPlugin;
  /** Largest resident size of the plugin's process group seen so far (worker.max_rss_mb). */
  peakRss: number;
  /** Why the worker stopped the plugin, when it did. */
  stopReason?: string;
}

export async function runWorker(l: Layout, loaded: LoadedConfig, opts: WorkerOptions = {}): Promise<number> {
  const cfg = loaded.config;
  const host = hostId();
  const log = makeLogger('worker', opts.verbose);
  const runAs = resolveRunAs(cfg.worker.run_as, host, log);
  let compromised: Error | undefined;
  // Before the slot is taken: a worker that cannot have them leaves no slot files behind.
  const output = new OutputCapture();
  const progress = new OutputCapture();
  // A stop signal while the slot is being taken (a fleet stopped as it starts) is acted on
  // once the loop runs, so that the lock is released.
  const signals = holdSignals(['SIGTERM', 'SIGINT']);
  let taken: Awaited<ReturnType<typeof takeSlot>>;
  try {
    taken = await takeSlot(l, cfg, host, opts.slot, (err) => {
      compromised = err;
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
    beat_at: startedAt,
    jobs_done: 0,
    jobs_failed: 0,
  };
  writeHeartbeat(l, hb);
  const fs = filesystemOf(l.root);
  const native = process.env.SPOOLCTL_PLUGIN_SPAWN === 'child_process' ? {} : nativeSpawner();
  const spawner = native.spawner;
  log.info('worker started', {
    slot,
    host,
    pid: process.pid,
    version: VERSION,
    spool: l.root,
    filesystem: fs.type,
    plugins_start_with: spawner ? 'posix_spawn' : 'child_process',
    config_origins: loaded.origins,
  });
  if (native.error)
    log.warn(
      'the spawn addon did not load (run `npm ci` to build it): plugins start with child_process.spawn, which costs the worker more CPU per job',
      { error: native.error },
    );
  if (fs.network)
    log.info(`the spool is on a network filesystem (${fs.type}): claims are also found by a scan every ${cfg.worker.heartbeat_ms} ms`);

  const plugins = new PluginRegistry(l);
  // Copied once: reading process.env goes through the C++ environment on every key.
  const env = { ...process.env };
  const finished = new Set<string>();
  let current: Current | undefined;
  let stopping: string | undefined;
  let lastBeat = 0;
  let scanning = false;

  const throttled = makeThrottle(log);
  let beatTimer: NodeJS.Timeout | undefined;
  let beating = true;
  const write = () => {
    if (beatTimer) clearTimeout(beatTimer);
    beatTimer = undefined;
    if (!beating) return;
    lastBeat = Date.now();
    hb.beat_at = new Date().toISOString();
    try {
      fail('heartbeat.before-write');
      writeHeartbeat(l, hb);
    } catch (err) {
      // A missed beat is retried on the next tick; only a long run of them makes the slot stale.
      throttled('warn', 'heartbeat', 'cannot write the heartbeat; retrying', { slot, error: (err as Error).message });
    }
  };
  /**
   * 'now' writes at once (the tick, draining: the sentinel must see those); 'soon' (a job
   * starting or ending) within BEAT_COALESCE_MS, so a flood of short jobs costs a few writes
   * a second instead of two per job; 'progress' at most as often as the plugin's progress is read.
   */
  const beat = (when: 'now' | 'soon' | 'progress') => {
    if (when === 'now') return write();
    if (beatTimer) return;
    const gap = when === 'soon' ? BEAT_COALESCE_MS : Math.max(0, PROGRESS_READ_MS - (Date.now() - lastBeat));
    beatTimer = setTimeout(write, gap);
  };

  return new Promise<number>((resolve) => {
    let wake: WakeWatch | undefined;
    let ticker: NodeJS.Timeout | undefined;
    let stopTimer: NodeJS.Timeout | undefined;

    const exit = async (code: number, why: string, keepSlotFiles = false) => {
      if (ticker) clearInterval(ticker);
      if (stopTimer) clearTimeout(stopTimer);
      // A deferred beat written after the heartbeat is removed would show a gone worker as live.
      beating = false;
      if (beatTimer) clearTimeout(beatTimer);
      wake?.close();
      // A plugin still running (a worker displaced from its slot) dies with the reaper's end.
      reaper.close();
      output.close();
      progress.close();
      // A worker displaced while paused must not remove the new holder's slot files.
      if (!keepSlotFiles && stillOwner()) {
        removeHeartbeat(l, slot);
        await taken.lock.release().catch(() => undefined);
      }
      log.info('worker stopped', {
        slot,
        reason: why,
        jobs_done: hb.jobs_done,
        jobs_failed: hb.jobs_failed,
        uptime_s: Math.round((Date.parse(new Date().toISOString()) - Date.parse(startedAt)) / 1000),
      });
      resolve(code);
    };

    /** Makes way for a fresh worker: the note tells the sentinel (and the ledger) why. */
    const recycle = (reason: string) => {
      log.info('recycling: exiting so that a fresh worker takes over', { slot, reason });
      try {
        writeLeaveNote(l, { slot, host, pid: process.pid, reason, at: new Date().toISOString() });
      } catch (err) {
        log.warn('cannot write the leave note; the ledger will not say why this worker left', { error: (err as Error).message });
      }
      void exit(RECYCLE_EXIT_CODE, reason);
    };
    const usage = (lastPeakRss: number) => ({ jobs: hb.jobs_done + hb.jobs_failed, startedAtMs: Date.parse(startedAt), lastPeakRss });

    /** False when this worker no longer owns its slot; true when that cannot be read now. */
    const stillOwner = (): boolean => {
      try {
        const onDisk = readSlotFiles(l, slot).heartbeat;
        return !onDisk || onDisk.token === token;
      } catch {
        return true;
      }
    };

    const tick = () => {
      try {
        checkIn();
      } catch (err) {
        throttled('warn', 'tick', 'cannot read the slot files; retrying', { slot, error: (err as Error).message });
      }
    };

    const checkIn = () => {
      if (!stillOwner()) {
        log.error(`another worker now holds slot ${slot}; stopping at once without touching the job`, { slot });
        current?.plugin?.stop();
        void exit(1, 'slot taken over by another worker', true);
        return;
      }
      if (current && !exists(claimPath(l, current.claim)) && !current.stopReason) {
        current.stopReason = 'the claim was withdrawn by the sentinel (cancelled or reclaimed)';
        log.warn('claim withdrawn; stopping the plugin', { job: current.claim.id, slot });
        current.plugin?.stop();
      }
      const draining = readSlotFiles(l, slot).draining;
      if (draining && hb.state !== 'draining') {
        hb.state = 'draining';
        log.info('draining: finishing the current job, taking no more', { slot });
      }
      if (!current && (draining || compromised)) {
        void exit(compromised ? 1 : 0, compromised ? `slot lock lost: ${compromised.message}` : 'drained');
        return;
      }
      if (current?.plugin?.pid && cfg.worker.max_rss_mb > 0) current.peakRss = Math.max(current.peakRss, groupRssBytes(current.plugin.pid));
      const aged = !current && !stopping && recycleReason(cfg.worker, usage(0));
      if (aged) return recycle(aged);
      beat('now');
      scan();
    };

    const scan = () => {
      if (current || stopping || scanning || hb.state === 'draining' || compromised) return;
      scanning = true;
      try {
        const listed = new Map(
          listClaims(l, slot)
            .claims.filter((c) => c.token === token)
            .map((c) => [claimFileName(c), c]),
        );
        // A finished claim stays listed until the sentinel applies its result; once it is
        // gone it is forgotten, so a worker that runs for months keeps no list of them.
        for (const name of finished) if (!listed.has(name)) finished.delete(name);
        const mine = [...listed].find(([name]) => !finished.has(name))?.[1];
        if (mine) void runClaim(mine);
      } catch (err) {
        throttled('warn', 'scan', 'cannot list the slot directory; retrying', { slot, error: (err as Error).message });
      } finally {
        scanning = false;
      }
    };

    const runClaim = async (claim: ClaimName) => {
      current = { claim, peakRss: 0 };
      hb.state = 'busy';
      hb.job = claim.id;
      hb.claim = claimFileName(claim);
      hb.progress = 0;
      hb.message = undefined;
      hb.job_started_at = new Date().toISOString();
      // The job's heartbeat is asked for once the manifest names the plugin (execute's plugin
      // report), so it carries both the claim and the plugin; a job over by then is never shown.
      const result = await execute(l, cfg, { plugins, output, progress, env, spawner, reaper }, current, log, host, runAs, {
        plugin: (name) => {
          hb.plugin = name;
          beat('soon');
        },
        started: (pid) => {
          hb.plugin_group = procId(pid) ?? undefined;
          beat('soon');
        },
        progress: (p, m) => {
          if (p !== undefined) hb.progress = p;
          if (m !== undefined) hb.message = m;
          beat('progress');
        },
      });
      finished.add(claimFileName(claim));
      if (!stillOwner()) {
        log.error(`another worker now holds slot ${slot}; its result is discarded`, { job: claim.id });
        return exit(1, 'slot taken over by another worker', true);
      }
      // The result is the only record of the run: keep trying until it is written, or until a
      // stop has waited stop_timeout_ms (or come twice): a worker that cannot stop holds up
      // stop-services and its slot. Its claim stays, and the sentinel takes it back as handed
      // back once the slot is free, so the job runs again rather than being lost.
      for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
        try {
          fail('result.before-publish');
          publishResult(l, claim, { ...result, token, host, pid: process.pid });
          break;
        } catch (err) {
          throttled('error', 'result', 'cannot write the job result; retrying', { job: claim.id, error: (err as Error).message });
          if (stopping && current.stopReason) {
            log.error(
              'stopping without the job result, which could not be written: the sentinel will put the job back once this slot is free',
              { job: claim.id, outcome: result.outcome, error: (err as Error).message },
            );
            return exit(1, `${stopping} while the job result could not be written`);
          }
          await new Promise((r) => setTimeout(r, delay));
          if (!stillOwner()) return exit(1, 'slot taken over by another worker', true);
        }
      }
      fail('result.after-publish');
      if (result.outcome === 'done') hb.jobs_done += 1;
      else if (result.outcome !== 'handed_back') hb.jobs_failed += 1;
      log.info('job finished', {
        job: claim.id,
        attempt: claim.attempt,
        outcome: result.outcome,
        exit_code: result.exit_code,
        error: result.error,
      });
      const peakRss = current.peakRss;
      current = undefined;
      hb.state = stopping || exists(drainMarkerPath(l, slot)) ? 'draining' : 'idle';
      hb.job = hb.plugin = hb.claim = hb.message = hb.job_started_at = hb.plugin_group = undefined;
      hb.progress = undefined;
      beat(hb.state === 'draining' ? 'now' : 'soon');
      if (stopping || compromised || hb.state === 'draining')
        return exit(compromised ? 1 : 0, stopping ?? (compromised ? `slot lock lost: ${compromised.message}` : 'drained'));
      const worn = recycleReason(cfg.worker, usage(peakRss));
      if (worn) return recycle(worn);
      scan();
    };

    const onSignal = (signal: string) => {
      if (!stopping) {
        stopping = signal;
        if (!current) return void exit(0, signal);
        // Tell the sentinel at once to send nothing more to this slot.
        hb.state = 'draining';
        beat('now');
        log.info('stopping after the current job', { signal, job: current.claim.id, hand_back_after_ms: cfg.worker.stop_timeout_ms });
        stopTimer = setTimeout(() => handBack(`worker stopping (${signal})`), cfg.worker.stop_timeout_ms);
      } else {
        handBack(`worker stopping (second ${signal})`);
      }
    };
    const handBack = (reason: string) => {
      if (!current || current.stopReason) return;
      current.stopReason = reason;
      current.plugin?.stop();
    };
    signals.handle(onSignal);
    if (stopping) return;

    wake = watchForChanges(
      [claimDir(l, slot)],
      () => scan(),
      (dir, err) => log.warn('cannot watch the slot directory; periodic scans continue', { dir, error: err.message }),
    );
    ticker = setInterval(tick, cfg.worker.heartbeat_ms);
    scan();
  });
}

/** How long a job's start or end may wait to be told in the heartbeat. */
const BEAT_COALESCE_MS = 100;

type Report = Omit<JobResult, 'token' | 'host' | 'pid'>;

async function execute(
  l: Layout,
  cfg: LoadedConfig['config'],
  tools: {
    plugins: PluginRegistry;
    output: OutputCapture;
    progress: OutputCapture;
    env: NodeJS.ProcessEnv;
    spawner: NativeSpawner | undefined;
    reaper: Reaper;
  },
  current: Current,
  log: Logger,
  host: string,
  runAs: RunAs | undefined,
  report: {
    plugin(name: string): void;
    started(pid: number): void;
    progress(progress: number | undefined, message: string | undefined): void;
  },
): Promise<Report> {
  const { claim } = current;
  const started = new Date().toISOString();
  const outcome = (kind: Outcome, extra: Partial<Report> = {}): Report => ({
    outcome: kind,
    started_at: started,
    finished_at: new Date().toISOString(),
    ...extra,
  });

  let manifest: Manifest;
  try {
    manifest = readManifest(claimPath(l, claim), claim.id, cfg.jobs.max_manifest_bytes);
  } catch (err) {
    if (!existsSync(claimPath(l, claim))) return outcome('handed_back', { error: 'the claim was withdrawn before the job started' });
    return outcome('failed_permanently', { error: `cannot read the claimed manifest: ${(err as Error).message}` });
  }
  report.plugin(manifest.plugin);
  const found = tools.plugins.lookup(manifest.plugin);
  if (!found.ok) return outcome('failed_permanently', { error: found.reason });
  const plugin = found.plugin;
  const envsDir = envsDirOf(l, cfg.worker.envs_dir);
  const envDir = plugin.env_hash ? join(envsDir, plugin.env_hash) : '';
  if (plugin.env_hash && !existsSync(envDir)) {
    return outcome('failed_permanently', {
      error: `environment ${plugin.env_hash} (plugin "${plugin.name}") is not installed on ${host}: expected ${envDir}`,
    });
  }
  let argv: string[];
  try {
    argv = buildArgv(plugin.command, { manifest, attempt: claim.attempt, envDir });
  } catch (err) {
    if (err instanceof MissingPlaceholderError) return outcome('failed_permanently', { error: err.message });
    throw err;
  }

  const jobLog = new JobLog(
    jobLogPath(l, claim.id),
    cfg.worker.log_max_bytes,
    `=== attempt ${claim.attempt} of ${claim.id} on ${host} slot ${claim.slot} at ${started}: ${JSON.stringify(argv)}\n`,
  );
  try {
    fail('run.before-spawn');
    const running = startPlugin({
      argv,
      // An unprivileged plugin user may not be able to enter the spool directory.
      cwd: runAs ? '/' : l.root,
      user: runAs ? { uid: runAs.uid, gid: runAs.gid } : undefined,
      env: {
        ...tools.env,
        SPOOLCTL_JOB_ID: claim.id,
        SPOOLCTL_ATTEMPT: String(claim.attempt),
        SPOOLCTL_SPOOL: l.root,
        ...(envDir ? { SPOOLCTL_ENV_DIR: envDir } : {}),
      },
      log: jobLog,
      output: tools.output,
      progress: tools.progress,
      timeoutMs: plugin.timeout_s ? plugin.timeout_s * 1000 : undefined,
      killGraceMs: cfg.worker.kill_grace_ms,
      onProgress: report.progress,
      spawner: tools.spawner,
      reaper: tools.reaper,
    });
    current.plugin = running;
    if (running.pid !== undefined) report.started(running.pid);
    fail('run.after-spawn');
    if (current.stopReason) running.stop();
    const out = await running.done;
    const tail = jobLog.tailText();
    if (out.spawnError) {
      jobLog.note(`[spoolctl: ${out.spawnError}]`);
      return outcome('failed_permanently', { error: out.spawnError, log_tail: tail });
    }
    if (current.stopReason) {
      jobLog.note(`[spoolctl: stopped: ${current.stopReason}]`);
      return outcome('handed_back', { error: current.stopReason, exit_code: out.exitCode, signal: out.signal, log_tail: tail });
    }
    if (out.timedOut) {
      jobLog.note(`[spoolctl: timed out after ${plugin.timeout_s}s]`);
      return outcome('failed', {
        error: `timed out after ${plugin.timeout_s}s`,
        exit_code: out.exitCode,
        signal: out.signal,
        log_tail: tail,
      });
    }
    if (out.exitCode === 0) return outcome('done', { exit_code: 0 });
    const error = out.signal ? `killed by ${out.signal}` : `exited with code ${out.exitCode}`;
    jobLog.note(`[spoolctl: ${error}]`);
    return outcome('failed', { error, exit_code: out.exitCode, signal: out.signal, log_tail: tail });
  } finally {
    jobLog.close();
    log.debug('plugin ended', { job: claim.id });
  }
}
