/**
 * Starting and stopping spoolctl's own processes (sentinel, workers) as children, each in
 * its own process group (a Ctrl-C in the parent's terminal does not reach them: the parent
 * decides how they stop) and each logging to a file. Also finds the spoolctl workers of a
 * spool that run on this host but are not our children (for `workers cleanup`), through /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, existsSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { selfCommand } from '../paths.js';
import { pidsInProc, procId, signalQuietly, sleep, statFields, stillRunning, type ProcId } from '../proc.js';

export interface Child {
  role: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

export function startRole(role: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): Child {
  const [node, script] = selfCommand() as [string, string];
  const fd = openSync(logFile, 'a');
  const proc = spawn(node, [script, ...args], { stdio: ['ignore', fd, fd], detached: true, env });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { role, proc, exited };
}

function signal(c: Child, sig: NodeJS.Signals): void {
  if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill(sig);
}

interface Stoppable {
  signal(sig: NodeJS.Signals): void;
  exited: Promise<unknown>;
}

/**
 * Graceful stop: SIGTERM; after `handBackMs` a second SIGTERM (a worker hands its job back);
 * after `killMs` SIGKILL. Resolves when every target has exited.
 */
async function stopAll(targets: Stoppable[], handBackMs: number, killMs: number): Promise<void> {
  if (targets.length === 0) return;
  for (const t of targets) t.signal('SIGTERM');
  const all = Promise.all(targets.map((t) => t.exited));
  const again = setTimeout(() => targets.forEach((t) => t.signal('SIGTERM')), handBackMs);
  const kill = setTimeout(() => targets.forEach((t) => t.signal('SIGKILL')), killMs);
  await all;
  clearTimeout(again);
  clearTimeout(kill);
}

export async function stopChildren(children: Child[], handBackMs = 1500, killMs = 10_000): Promise<void> {
  const alive = children.filter((c) => c.proc.exitCode === null && c.proc.signalCode === null);
  await stopAll(
    alive.map((c) => ({ signal: (sig) => signal(c, sig), exited: c.exited })),
    handBackMs,
    killMs,
  );
}

export interface Stopped {
  pid: number;
  /** SIGKILL was needed: the process ignored SIGTERM (paused, or stuck). */
  killed: boolean;
  /** Plugin process groups it had started, killed with it (a killed worker cannot stop them). */
  pluginGroups: number[];
}

/**
 * Stops processes that are not our children, the way stopChildren does. Each is known by
 * pid and start time, so a pid reused by another process is never signalled.
 */
export async function stopProcesses(ids: ProcId[], handBackMs = 1500, killMs = 10_000): Promise<Stopped[]> {
  const out = new Map<number, Stopped>(ids.map((id) => [id.pid, { pid: id.pid, killed: false, pluginGroups: [] }]));
  const targets = ids.filter(stillRunning).map((id) => ({
    signal(sig: NodeJS.Signals) {
      if (!stillRunning(id)) return;
      if (sig === 'SIGKILL') {
        const o = out.get(id.pid)!;
        o.killed = true;
        o.pluginGroups = childGroupLeaders(id.pid);
        for (const g of o.pluginGroups) signalQuietly(-g, 'SIGKILL');
      }
      signalQuietly(id.pid, sig);
    },
    exited: (async () => {
      while (stillRunning(id)) await sleep(100);
    })(),
  }));
  await stopAll(targets, handBackMs, killMs);
  return [...out.values()];
}

/** Children of `pid` that lead their own process group: how a worker starts its plugins. */
function childGroupLeaders(pid: number): number[] {
  return pidsInProc().filter((p) => {
    const f = statFields(p);
    return f !== undefined && Number(f[1]) === pid && Number(f[2]) === p;
  });
}

/**
 * The `spoolctl worker` processes on this host (by host id, SPOOLCTL_HOST included) whose
 * spool is `root`, found through /proc. Only what can be verified counts: the script must be
 * a spoolctl launcher, the role `worker`, the spool resolved as the worker itself resolves it
 * (--spool, else SPOOLCTL_SPOOL, else the nearest parent of its cwd with spool.toml), and its
 * environment readable. A process that cannot be read, or a command line with an option this
 * does not know, is left out rather than guessed at.
 */
export function localWorkersOf(root: string, host: string): ProcId[] {
  const spool = realpathSync(root);
  const out: ProcId[] = [];
  for (const pid of pidsInProc()) {
    if (pid === process.pid) continue;
    try {
      const w = readWorker(pid);
      const id = w && w.host === host && w.spool === spool ? procId(pid) : null;
      if (id) out.push(id);
    } catch {
      // exited while being read, or not ours to read
    }
  }
  return out;
}

/** Options a worker's command line may hold, and whether each takes a value. */
const KNOWN_OPTIONS = new Map([
  ['--spool', true],
  ['--set', true],
  ['--slot', true],
  ['-v', false],
  ['--verbose', false],
]);

function readWorker(pid: number): { host: string; spool: string } | undefined {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  const cwd = readlinkSync(`/proc/${pid}/cwd`);
  if (argv.length < 3 || !isSpoolctlLauncher(resolve(cwd, argv[1]!))) return undefined;
  const operands: string[] = [];
  let spoolFlag: string | undefined;
  for (let i = 2; i < argv.length; i += 1) {
    const a = argv[i]!;
    if (!a.startsWith('-')) {
      operands.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const takesValue = KNOWN_OPTIONS.get(name);
    if (takesValue === undefined || (eq > 0 && !takesValue)) return undefined;
    const value = eq > 0 ? a.slice(eq + 1) : takesValue ? argv[++i] : undefined;
    if (name === '--spool') spoolFlag = value;
  }
  if (operands.length !== 1 || operands[0] !== 'worker') return undefined;
  const env = new Map(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const named = spoolFlag ?? (env.get('SPOOLCTL_SPOOL') || undefined);
  const dir = named !== undefined ? resolve(cwd, named) : nearestSpool(cwd);
  if (!dir) return undefined;
  return { host: env.get('SPOOLCTL_HOST') || hostname(), spool: realpathSync(dir) };
}

function nearestSpool(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'spool.toml'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** bin/spoolctl.js of a package named spoolctl, reached directly or through a link (npx, npm -g). */
function isSpoolctlLauncher(script: string): boolean {
  const real = realpathSync(script);
  if (basename(real) !== 'spoolctl.js' || basename(dirname(real)) !== 'bin') return false;
  const pkg = JSON.parse(readFileSync(join(dirname(dirname(real)), 'package.json'), 'utf8')) as { name?: string };
  return pkg.name === 'spoolctl';
}

/** Waits until `check` holds, polling; false on timeout. */
export async function waitFor(check: () => boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(everyMs);
  }
  return check();
}
