import { readdirSync, readFileSync } from 'node:fs';
/** Process facts that liveness checks need. Meaningful only for pids on this host id. */

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface HeldSignals {
  /** The first signal that came before `handle`, if any. */
  readonly held: NodeJS.Signals | undefined;
  /** From now on the signals go to `on`; one held before is given to it at once. */
  handle(on: (signal: NodeJS.Signals) => void): void;
  /** Stops listening for `signal` (every one when omitted): its default action applies again. */
  release(signal?: NodeJS.Signals): void;
}

/**
 * Listens for stop signals before the code that acts on them is ready. A process killed by a
 * signal's default action runs no cleanup, so a slot lock it made or children it started stay
 * behind; the first signal that comes early is kept for `handle`.
 */
export function holdSignals(signals: NodeJS.Signals[]): HeldSignals {
  let held: NodeJS.Signals | undefined;
  let on: ((signal: NodeJS.Signals) => void) | undefined;
  const listeners = new Map(signals.map((signal) => [signal, () => (on ? on(signal) : (held ??= signal))]));
  for (const [signal, listener] of listeners) process.on(signal, listener);
  return {
    get held() {
      return held;
    },
    handle(next) {
      on = next;
      if (held) next(held);
    },
    release(signal) {
      for (const [s, listener] of listeners) if (signal === undefined || s === signal) process.off(s, listener);
    },
  };
}

/**
 * Milliseconds on a monotonic clock that SPOOLCTL_CLOCK_SKEW_MS does not skew: the clock of
 * performance.now(), read without loading node:perf_hooks into every sentinel and worker.
 */
export function monotonicMs(): number {
  return process.uptime() * 1000;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Fields of /proc/<pid>/stat after the command name (field 3 on), or undefined when gone. */
export function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

export function pidsInProc(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

/** A process named by pid and kernel start time: a pid reused by another process never matches. */
export interface ProcId {
  pid: number;
  /** /proc/<pid>/stat field 22: clock ticks after boot. */
  start: string;
}

export function procId(pid: number): ProcId | null {
  const start = statFields(pid)?.[19];
  return start ? { pid, start } : null;
}

/** True only if `id` is still the very process that was recorded (and not a zombie). */
export function stillRunning(id: ProcId | null): id is ProcId {
  if (!id) return false;
  const f = statFields(id.pid);
  return f !== undefined && f[19] === id.start && f[0] !== 'Z';
}

/** Sends `sig` to `pid`; a process that exited meanwhile is no error. */
export function signalQuietly(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // exited meanwhile
  }
}

/**
 * Kills with SIGKILL every process left of the group that `leader` led (a plugin and all it
 * started; the leader may be gone already). A group id is not given to a new process while
 * any member lives, so members are those with that group id started no earlier than the
 * leader; a live leader with another start time means the id was reused, and nothing is
 * killed. Returns the pids killed.
 */
export function killGroup(leader: ProcId): number[] {
  const members: number[] = [];
  for (const pid of pidsInProc()) {
    const f = statFields(pid);
    if (!f || Number(f[2]) !== leader.pid || f[0] === 'Z') continue;
    if (pid === leader.pid && f[19] !== leader.start) return [];
    if (Number(f[19]) >= Number(leader.start)) members.push(pid);
  }
  for (const pid of members) signalQuietly(pid, 'SIGKILL');
  return members;
}
