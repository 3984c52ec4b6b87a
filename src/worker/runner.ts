/**
 * Runs one plugin process: argv only (no shell), its own process group (so a timeout or a
 * cancel stops the whole tree), stdout and stderr into the worker's output file and from
 * there into the job's bounded log, progress as JSON lines on file descriptor 3 (the
 * worker's progress file). A plugin that never writes to fd 3 works the same. Both files are
 * read every PROGRESS_READ_MS while the plugin runs and once when it ends.
 *
 * Plugins start with the spawn addon when it is built (./native-spawn.ts), and with
 * child_process.spawn when it is not. The worker's reaper (./reaper.ts) is told each plugin's
 * group, so that the group dies with the worker.
 */
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { exists } from '../spool/atomic.js';
import type { OutputCapture } from './capture.js';
import { JobLog } from './job-log.js';
import type { NativeSpawner } from './native-spawn.js';
import type { Reaper } from './reaper.js';

export interface RunSpec {
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** Run as this user (the worker must be root). */
  user?: { uid: number; gid: number };
  cwd: string;
  log: JobLog;
  output: OutputCapture;
  progress: OutputCapture;
  timeoutMs?: number;
  killGraceMs: number;
  onProgress: (progress: number | undefined, message: string | undefined) => void;
  /** Starts the plugin without a fork of the worker. */
  spawner?: NativeSpawner;
  /** Kills the plugin's group should the worker die while it runs. */
  reaper?: Reaper;
}

export interface RunOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stopped: boolean;
  spawnError?: string;
}

export interface RunningPlugin {
  pid: number | undefined;
  done: Promise<RunOutcome>;
  /** Stops the process group: SIGTERM, then SIGKILL after the grace period. */
  stop(): void;
}

/** How often a running job's progress and output are read; the heartbeat carries progress as often. */
export const PROGRESS_READ_MS = 250;

export function startPlugin(spec: RunSpec): RunningPlugin {
  spec.output.reset();
  spec.progress.reset();
  const child = launch(spec);
  if (child.pid !== undefined) spec.reaper?.watch(child.pid);
  let timedOut = false;
  let stopped = false;
  let killTimer: NodeJS.Timeout | undefined;

  const signalGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // the group is already gone
    }
  };
  const stop = () => {
    if (stopped) return;
    stopped = true;
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), spec.killGraceMs);
  };

  const progressLines = progressReader(spec.onProgress);
  const read = () => {
    try {
      spec.output.drain((b) => spec.log.write(b));
      spec.progress.drain(progressLines);
    } catch {
      // like a log that cannot be written, output that cannot be read never stops the job
    }
  };
  const reader = setInterval(read, PROGRESS_READ_MS);

  const timeout = spec.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        stop();
      }, spec.timeoutMs)
    : undefined;

  const done = child.exited.then(({ code, signal }) => {
    clearInterval(reader);
    read();
    if (timeout) clearTimeout(timeout);
    if (killTimer) clearTimeout(killTimer);
    // Leftover children of the plugin, if any, go with its group.
    if (code !== null || signal !== null) signalGroup('SIGKILL');
    spec.reaper?.clear();
    return { exitCode: code, signal, timedOut, stopped: stopped && !timedOut, spawnError: child.spawnError };
  });
  return { pid: child.pid, done, stop };
}

interface Launched {
  pid: number | undefined;
  exited: Promise<{ code: number | null; signal: string | null }>;
  spawnError?: string;
}

function launch(spec: RunSpec): Launched {
  const [cmd, ...args] = spec.argv as [string, ...string[]];
  const failed = (code: string | undefined, message: string): string =>
    code === 'ENOENT'
      ? exists(spec.cwd)
        ? `command not found: ${cmd}`
        : `working directory not found: ${spec.cwd}`
      : `cannot start ${cmd}: ${message}`;
  const cannot = (spawnError: string): Launched => ({ pid: undefined, exited: Promise.resolve({ code: null, signal: null }), spawnError });
  // No exec takes a NUL byte; child_process would throw here, out of the job.
  if (spec.argv.some((a) => a.includes('\0'))) return cannot(failed(undefined, 'an argument holds a NUL byte'));
  if (spec.spawner) {
    try {
      return spec.spawner.spawn(spec.argv, spec.env, spec.cwd, spec.output.fd, spec.progress.fd, spec.user);
    } catch (err) {
      return cannot(failed((err as NodeJS.ErrnoException).code, (err as Error).message));
    }
  }
  const child = spawn(cmd, args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['ignore', spec.output.fd, spec.output.fd, spec.progress.fd],
    detached: true,
    ...(spec.user ?? {}),
  });
  const launched: Launched = {
    pid: child.pid,
    exited: new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal }))),
  };
  child.once('error', (err: NodeJS.ErrnoException) => {
    launched.spawnError = failed(err.code, err.message);
  });
  return launched;
}

/** Turns the bytes a plugin wrote to fd 3 into progress reports, a JSON line at a time. */
function progressReader(onProgress: RunSpec['onProgress']): (chunk: Buffer) => void {
  const utf8 = new StringDecoder('utf8');
  let buf = '';
  return (chunk) => {
    buf += utf8.write(chunk);
    if (buf.length > 1 << 20) buf = buf.slice(-65536);
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      try {
        const msg = JSON.parse(line) as { progress?: unknown; message?: unknown };
        const p = typeof msg.progress === 'number' && Number.isFinite(msg.progress) ? Math.min(1, Math.max(0, msg.progress)) : undefined;
        const m = typeof msg.message === 'string' ? msg.message.slice(0, 200) : undefined;
        if (p !== undefined || m !== undefined) onProgress(p, m);
      } catch {
        // not a progress line: ignored, as the plugin contract says
      }
    }
  };
}
