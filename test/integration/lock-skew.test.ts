// Locks are judged by the file server's clock, not by the holder's or the checker's
// (spool-layout.md rule 5): a live holder whose clock is 30 s off is never displaced, a dead one's
// lock is taken over once it is older than the stale threshold (not sooner, not never), and a
// displaced holder never removes its successor's lock. Hosts are SPOOLCTL_HOST ids on this
// machine; clocks are skewed with SPOOLCTL_CLOCK_SKEW_MS.
import { describe, expect, it } from 'vitest';
import { exitedWithin, makeSpool, until } from '../helpers/spool.js';
import { refreshEveryMs } from '../../src/locks.js';
import { heartbeatOf, lockOf, refreshedPast, sentinelLock, serverNow, slotLock, workerTakingSlot } from '../nas/lock-probes.js';

const STALE_MS = 3000;
const TOML = `[worker]\nheartbeat_ms = 250\nstale_after_ms = ${STALE_MS}\nmax_workers = 2\n`;
const SKEWS = [30_000, -30_000];

describe('locks judged by the file server clock', () => {
  it.each(SKEWS)('a live worker whose clock is off by %i ms keeps its slot against a worker on another host', async (skew) => {
    const t = makeSpool(TOML);
    const skewed = t.worker(['--slot', '1'], { SPOOLCTL_HOST: 'h1', SPOOLCTL_CLOCK_SKEW_MS: String(skew) });
    const hb = await until('the skewed worker holds slot 1', () =>
      heartbeatOf(t.dir, 1)?.pid === skewed.pid ? heartbeatOf(t.dir, 1) : undefined,
    );
    const first = await until('its lock', () => lockOf(slotLock(t.dir, 1)));
    expect(first.holder).toMatchObject({ host: 'h1', pid: skewed.pid });

    const rival = t.worker(['--slot', '1'], { SPOOLCTL_HOST: 'h2' });
    expect(await exitedWithin(rival, 20_000, 'asking for a held slot')).not.toBe(0);
    expect(rival.output()).toContain('Slot 1 is taken by another worker');
    // With no --slot it tries slot 1 first, finds it held, and takes slot 2.
    const other = t.worker([], { SPOOLCTL_HOST: 'h2' });
    await until('the other worker on slot 2', () => heartbeatOf(t.dir, 2)?.pid === other.pid);

    // Longer than the stale threshold by the server's clock, and still held.
    await refreshedPast(slotLock(t.dir, 1), first.refreshedMs, 2 * STALE_MS, 'slot 1 refreshed for two stale periods');
    const again = t.worker(['--slot', '1'], { SPOOLCTL_HOST: 'h2' });
    expect(await exitedWithin(again, 20_000, 'asking for a held slot')).not.toBe(0);
    expect(again.output()).toContain('Slot 1 is taken by another worker');

    expect(skewed.child.exitCode).toBeNull();
    expect(heartbeatOf(t.dir, 1)).toMatchObject({ pid: skewed.pid, token: hb.token });
    expect(lockOf(slotLock(t.dir, 1))?.token).toBe(first.token);
    expect(skewed.output()).not.toContain('slot lock lost');
    // Its own release removes its lock.
    skewed.child.kill('SIGTERM');
    expect(await exitedWithin(skewed, 20_000, 'after SIGTERM')).toBe(0);
    expect(lockOf(slotLock(t.dir, 1))).toBeUndefined();
  });

  it.each(SKEWS)(
    'the slot of a worker killed with -9 whose clock is off by %i ms is taken over after the stale threshold',
    async (skew) => {
      const t = makeSpool(TOML);
      const skewed = t.worker(['--slot', '1'], { SPOOLCTL_HOST: 'h1', SPOOLCTL_CLOCK_SKEW_MS: String(skew) });
      await until('the skewed worker holds slot 1', () => heartbeatOf(t.dir, 1)?.pid === skewed.pid && lockOf(slotLock(t.dir, 1)));
      skewed.child.kill('SIGKILL');
      await skewed.exited;
      const diedMs = serverNow(t.dir);
      const dead = lockOf(slotLock(t.dir, 1))!;
      expect(dead.holder.pid).toBe(skewed.pid);

      // Not never: well within the time a +30 s clock would have added.
      const heir = await workerTakingSlot(t, t.dir, 1, { SPOOLCTL_HOST: 'h2' }, 20_000);
      const taken = await until('the new lock', () => lockOf(slotLock(t.dir, 1)));
      expect(taken.holder).toMatchObject({ host: 'h2', pid: heir.pid });
      // Not sooner: the new lock was made more than the stale threshold after the last refresh,
      // which came at most one refresh interval before the death (both by the server's clock).
      expect(taken.madeMs - dead.refreshedMs).toBeGreaterThan(STALE_MS);
      expect(taken.madeMs - diedMs).toBeGreaterThan(STALE_MS - refreshEveryMs(STALE_MS));
      expect(heir.child.exitCode).toBeNull();
    },
  );

  it.each(SKEWS)('a live sentinel whose clock is off by %i ms is not displaced by a second sentinel', async (skew) => {
    const t = makeSpool(TOML);
    const first = t.sentinel({ SPOOLCTL_HOST: 'h1', SPOOLCTL_CLOCK_SKEW_MS: String(skew) });
    const lock = await until('the first sentinel holds the lock', () =>
      lockOf(sentinelLock(t.dir))?.holder.pid === first.pid ? lockOf(sentinelLock(t.dir)) : undefined,
    );
    const second = t.sentinel({ SPOOLCTL_HOST: 'h2' });
    expect(await exitedWithin(second, 20_000, 'with a live sentinel')).toBe(1);
    expect(second.output()).toContain(`already has a sentinel: pid ${first.pid} on host h1`);

    await refreshedPast(sentinelLock(t.dir), lock.refreshedMs, 2 * STALE_MS, 'the sentinel lock refreshed for two stale periods');
    const third = t.sentinel({ SPOOLCTL_HOST: 'h2' });
    expect(await exitedWithin(third, 20_000, 'with a live sentinel')).toBe(1);
    expect(third.output()).toContain(`already has a sentinel: pid ${first.pid} on host h1`);

    expect(first.child.exitCode).toBeNull();
    expect(lockOf(sentinelLock(t.dir))?.token).toBe(lock.token);
    expect(first.output()).not.toContain('taken over');
  });

  it('a worker displaced while paused does not remove the lock of the worker that took its slot', async () => {
    const t = makeSpool(TOML);
    const paused = t.worker(['--slot', '1'], { SPOOLCTL_HOST: 'h1' });
    await until('the first worker holds slot 1', () => heartbeatOf(t.dir, 1)?.pid === paused.pid && lockOf(slotLock(t.dir, 1)));
    process.kill(paused.pid, 'SIGSTOP');
    const heir = await workerTakingSlot(t, t.dir, 1, { SPOOLCTL_HOST: 'h2' });
    const taken = await until('the new lock', () => lockOf(slotLock(t.dir, 1)));
    process.kill(paused.pid, 'SIGCONT');
    expect(await exitedWithin(paused, 20_000, 'after finding its slot taken')).toBe(1);
    // The heir keeps refreshing its own lock after the displaced worker is gone.
    const after = lockOf(slotLock(t.dir, 1));
    expect(after?.token).toBe(taken.token);
    await refreshedPast(slotLock(t.dir, 1), after!.refreshedMs, STALE_MS, 'the heir refreshes its lock');
    expect(lockOf(slotLock(t.dir, 1))?.token).toBe(taken.token);
    expect(heir.child.exitCode).toBeNull();
    expect(heartbeatOf(t.dir, 1)?.pid).toBe(heir.pid);
    expect(heir.output()).not.toContain('slot lock lost');
  });
});
