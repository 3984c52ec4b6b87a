// A checker that keeps its looks at a lock (a standby sentinel) takes a stale lock on the look
// that finds it stale, when an earlier look saw it unchanged at least the confirmation moment
// before; a lock refreshed since that look is held, whatever the watch remembers. Real lock
// directories in a temp dir, aged with utimes; the holder is on another host id, so only the
// file server's clock can judge it.
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge, type LockWatch } from '../../src/lock-staleness.js';
import { sleep } from '../../src/proc.js';

const STALE_MS = 2000;

function lockAgedBy(ms: number): { dir: string; age: (ms: number) => void; refresh: () => void } {
  const dir = join(mkdtempSync(join(tmpdir(), 'spoolctl-lock-watch-')), 'sentinel.lock');
  mkdirSync(dir);
  const file = join(dir, 'held.tok1');
  const refresh = () => writeFileSync(file, JSON.stringify({ host: 'elsewhere', pid: 1, token: 'tok1' }));
  const age = (by: number) => utimesSync(file, (Date.now() - by) / 1000, (Date.now() - by) / 1000);
  refresh();
  age(ms);
  return { dir, age, refresh };
}

const judged = (dir: string, watch?: LockWatch) =>
  judge(
    dir,
    STALE_MS,
    'here',
    () => undefined,
    () => false,
    watch,
  );

describe('a lock watched by a checker that looks again and again', () => {
  it('is taken on the look that finds it stale, without a second look, once seen unchanged long enough', async () => {
    const lock = lockAgedBy(STALE_MS - 800);
    const watch: LockWatch = new Map();
    expect((await judged(lock.dir, watch)).kind).toBe('held');
    await sleep(1000);
    // A refresh landing just after the verdict would have been seen by a second look; with the
    // watch, the look that found the lock stale decides.
    const refreshing = setTimeout(() => lock.refresh(), 50);
    const verdict = await judged(lock.dir, watch);
    clearTimeout(refreshing);
    expect(verdict).toEqual({ kind: 'stale', token: 'tok1' });
  });

  it('is held when it was refreshed after the watch last saw it, however old it looked then', async () => {
    const lock = lockAgedBy(STALE_MS - 800);
    const watch: LockWatch = new Map();
    expect((await judged(lock.dir, watch)).kind).toBe('held');
    await sleep(1000);
    lock.refresh();
    expect((await judged(lock.dir, watch)).kind).toBe('held');
  });

  it('without a watch, or first seen stale, takes a second look that a refresh meanwhile turns to held', async () => {
    for (const watch of [undefined, new Map() as LockWatch]) {
      const lock = lockAgedBy(3 * STALE_MS);
      const refreshing = setTimeout(() => lock.refresh(), 50);
      expect((await judged(lock.dir, watch)).kind).toBe('held');
      clearTimeout(refreshing);
      lock.age(3 * STALE_MS);
      expect((await judged(lock.dir, watch)).kind).toBe('stale');
    }
  });
});
