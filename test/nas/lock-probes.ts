/**
 * Readers for the slot and sentinel locks, shared by the local-disk and the sshfs lock tests.
 * `serverDir` is the spool as the file server holds it (the export, for sshfs): its mtimes
 * are the server's own, with no client cache in between.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { until, type Proc, type TestSpool } from '../helpers/spool.js';

export interface HeartbeatSeen {
  host: string;
  pid: number;
  token: string;
}

export function heartbeatOf(dir: string, slot: number): HeartbeatSeen | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'slots', `slot-${slot}.json`), 'utf8')) as HeartbeatSeen;
  } catch {
    return undefined;
  }
}

/** The file server's clock: the mtime of a file written in `dir` (on the server's disk) just now. */
export function serverNow(dir: string): number {
  const probe = join(dir, '.clock-probe-test');
  writeFileSync(probe, 'test');
  return statSync(probe).mtimeMs;
}

export const slotLock = (dir: string, slot: number) => join(dir, 'slots', `slot-${slot}.lock`);
export const sentinelLock = (dir: string) => join(dir, 'sentinel.lock');

export interface LockSeen {
  /** The holder's file in the lock: `held.<token>`, rewritten in place on each refresh. */
  name: string;
  token: string;
  holder: { host: string; pid: number };
  /** When the lock was made: the directory's birth time, by the file server's clock. */
  madeMs: number;
  /** The last refresh: the file's mtime, set by the file server. */
  refreshedMs: number;
}

export function lockOf(lockDir: string): LockSeen | undefined {
  try {
    const name = readdirSync(lockDir).find((n) => n.startsWith('held.'));
    if (!name) return undefined;
    const holder = JSON.parse(readFileSync(join(lockDir, name), 'utf8')) as { host: string; pid: number };
    const madeMs = statSync(lockDir).birthtimeMs;
    if (!madeMs) throw new Error(`${lockDir}: this filesystem reports no birth time; the lock tests need one`);
    return { name, token: name.slice('held.'.length), holder, madeMs, refreshedMs: statSync(join(lockDir, name)).mtimeMs };
  } catch (err) {
    if ((err as Error).message.includes('no birth time')) throw err;
    return undefined;
  }
}

/** Waits until the lock has been refreshed for more than `ms` (by the server's clock) since `fromMs`. */
export async function refreshedPast(lockDir: string, fromMs: number, ms: number, what: string): Promise<void> {
  await until(what, () => (lockOf(lockDir)?.refreshedMs ?? 0) > fromMs + ms, 30_000, 100);
}

/**
 * Starts workers for `slot` through `t` until one takes it; each one refused must say the slot
 * is taken. Returns the worker that holds the slot.
 */
export async function workerTakingSlot(
  t: TestSpool,
  serverDir: string,
  slot: number,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 40_000,
): Promise<Proc> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const w = t.worker(['--slot', String(slot)], env);
    const held = await until(
      `a worker for slot ${slot} starts or is refused`,
      () => (w.child.exitCode !== null ? 'refused' : heartbeatOf(serverDir, slot)?.pid === w.pid ? 'held' : undefined),
      20_000,
      50,
    );
    if (held === 'held') return w;
    if (!w.output().includes(`Slot ${slot} is taken by another worker`))
      throw new Error(`the worker for slot ${slot} failed otherwise:\n${w.output()}`);
    if (Date.now() > deadline) throw new Error(`slot ${slot} was never taken over within ${timeoutMs} ms`);
    // Paces the retries (each starts a worker process); what is awaited is the takeover above.
    await new Promise((r) => setTimeout(r, 200));
  }
}
