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
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
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
