/**
 * proper-lockfile locks for the sentinel and the worker slots. A lock counts a holder and
 * tells liveness; it never alone guards job ownership (claim names and tokens do, because a
 * stale takeover can leave two processes believing they hold one lock). A lock whose holder
 * is recorded as a dead pid on this same host is broken at once instead of waiting for it
 * to go stale.
 */
import { rmSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { errnoOf } from './errors.js';
import { pidAlive } from './proc.js';

export interface Holder {
  host: string;
  pid: number;
}

export interface HeldLock {
  release(): Promise<void>;
}

export type LockResult = { ok: true; lock: HeldLock } | { ok: false; holder?: Holder };

export async function tryLock(
  target: string,
  opts: { staleMs: number; host: string; holder: () => Holder | undefined; onCompromised: (err: Error) => void },
): Promise<LockResult> {
  const stale = Math.max(opts.staleMs, 2000);
  const options = { realpath: false, stale, update: Math.max(1000, Math.floor(stale / 4)), retries: 0, onCompromised: opts.onCompromised };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const release = await lockfile.lock(target, options);
      return { ok: true, lock: { release } };
    } catch (err) {
      if (errnoOf(err) !== 'ELOCKED') throw err;
      const holder = opts.holder();
      if (attempt === 0 && holder && holder.host === opts.host && !pidAlive(holder.pid)) {
        rmSync(`${target}.lock`, { recursive: true, force: true });
        continue;
      }
      return { ok: false, holder };
    }
  }
  return { ok: false, holder: opts.holder() };
}
