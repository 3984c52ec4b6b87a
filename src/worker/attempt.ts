/**
 * One attempt of a claimed job: read the claimed manifest, find the plugin and its
 * environment, build the argv, run the plugin into the job's log, and say how it ended. The
 * worker (./worker.ts) publishes that report as the claim's result.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { fail } from '../faults/failpoints.js';
import type { Logger } from '../log.js';
import { claimPath, envsDirOf, jobLogPath, type ClaimName, type Layout } from '../spool/layout.js';
import { readManifest, type Manifest } from '../spool/manifest.js';
import type { PluginRegistry } from '../spool/plugins.js';
import type { JobResult, Outcome } from '../spool/results.js';
import { buildArgv, MissingPlaceholderError } from './argv.js';
import type { OutputCapture } from './capture.js';
import { JobLog } from './job-log.js';
import type { NativeSpawner } from './native-spawn.js';
import type { Reaper } from './reaper.js';
import type { RunAs } from './run-as.js';
import { startPlugin, type RunningPlugin } from './runner.js';

/** What a worker keeps for its attempts, made once. */
export interface AttemptTools {
  l: Layout;
  cfg: Config;
  log: Logger;
  host: string;
  runAs: RunAs | undefined;
  plugins: PluginRegistry;
  output: OutputCapture;
  progress: OutputCapture;
  env: NodeJS.ProcessEnv;
  spawner: NativeSpawner | undefined;
  reaper: Reaper;
}

/** The job a worker runs, as the attempt goes on. */
export interface Job {
  claim: ClaimName;
  startedAtMs: number;
  plugin?: RunningPlugin;
  /** Largest resident size of the plugin's process group seen so far (worker.max_rss_mb). */
  peakRss: number;
  /** Why the worker stopped the plugin, when it did: the job is handed back. */
  stopReason?: string;
}

/** What the attempt tells the worker as it goes, for the heartbeat. */
export interface AttemptReport {
  plugin(name: string): void;
  started(pid: number): void;
  progress(progress: number | undefined, message: string | undefined): void;
}

export type Report = Omit<JobResult, 'token' | 'host' | 'pid'>;

export async function runAttempt(tools: AttemptTools, job: Job, report: AttemptReport): Promise<Report> {
  const { l, cfg, log, host, runAs } = tools;
  const { claim } = job;
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
    job.plugin = running;
    if (running.pid !== undefined) report.started(running.pid);
    fail('run.after-spawn');
    if (job.stopReason) running.stop();
    const out = await running.done;
    const tail = jobLog.tailText();
    if (out.spawnError) {
      jobLog.note(`[spoolctl: ${out.spawnError}]`);
      return outcome('failed_permanently', { error: out.spawnError, log_tail: tail });
    }
    if (job.stopReason) {
      jobLog.note(`[spoolctl: stopped: ${job.stopReason}]`);
      return outcome('handed_back', { error: job.stopReason, exit_code: out.exitCode, signal: out.signal, log_tail: tail });
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
