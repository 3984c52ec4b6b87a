import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA } from '../../src/config/schema.js';
import { groupRssBytes, recycleReason } from '../../src/worker/recycle.js';
import { until } from '../helpers/spool.js';

const worker = (over: Partial<Record<'max_jobs' | 'max_age_s' | 'max_rss_mb', number>>) =>
  ({ ...Object.fromEntries(Object.entries(CONFIG_SCHEMA.worker).map(([k, v]) => [k, v.default])), ...over }) as never;
const MB = 1024 * 1024;

describe('recycleReason', () => {
  it('never recycles with the defaults', () => {
    expect(recycleReason(worker({}), { jobs: 1e6, startedAtMs: 0, lastPeakRss: 1e12 }, 1e12)).toBeUndefined();
  });

  it('names the limit that was reached', () => {
    expect(recycleReason(worker({ max_jobs: 5 }), { jobs: 5, startedAtMs: 0, lastPeakRss: 0 }, 0)).toBe(
      'recycled after 5 jobs (worker.max_jobs = 5)',
    );
    expect(recycleReason(worker({ max_jobs: 5 }), { jobs: 4, startedAtMs: 0, lastPeakRss: 0 }, 0)).toBeUndefined();
    expect(recycleReason(worker({ max_age_s: 60 }), { jobs: 0, startedAtMs: 0, lastPeakRss: 0 }, 61_000)).toBe(
      'recycled after running 61 s (worker.max_age_s = 60)',
    );
    expect(recycleReason(worker({ max_rss_mb: 100 }), { jobs: 0, startedAtMs: 0, lastPeakRss: 150 * MB }, 0)).toContain(
      'grew to 150 MB resident (worker.max_rss_mb = 100)',
    );
    expect(recycleReason(worker({ max_rss_mb: 100 }), { jobs: 0, startedAtMs: 0, lastPeakRss: 99 * MB }, 0)).toBeUndefined();
  });
});

describe('groupRssBytes', () => {
  it('sums the resident size of a live process group and is 0 for an empty one', async () => {
    const child = spawn(process.execPath, ['-e', 'const b = Buffer.alloc(64 * 1024 * 1024, 1); setTimeout(() => b.length, 30000)'], {
      detached: true,
      stdio: 'ignore',
    });
    try {
      await until('the buffer resident', () => groupRssBytes(child.pid!) > 64 * MB);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
    expect(groupRssBytes(2 ** 22 + 17)).toBe(0);
  });
});
