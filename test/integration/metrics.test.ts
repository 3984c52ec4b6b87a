// Acceptance (README, "Metrics"): `spoolctl metrics` and the sentinel's textfile are
// OpenMetrics that the Prometheus parser accepts, and their numbers are the spool's: jobs by
// state as `status --json` counts them, outcomes and attempt durations by plugin as the jobs
// ran, slots, the sentinel up (and down after it stops), the ledger's size.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderOpenMetrics } from '../../src/metrics/openmetrics.js';
import { parseOpenMetrics, sampleValue, type ParsedFamily } from '../helpers/openmetrics.js';
import { exitedWithin, makeSpool, manifest, until } from '../helpers/spool.js';

const STATES = ['pending', 'claimed', 'done', 'failed', 'held', 'rejected', 'cancelled'];

function matchesStatus(m: ParsedFamily[], st: { counts: Record<string, number>; slots: { condition: string }[] }) {
  for (const state of STATES) expect(sampleValue(m, 'spoolctl_jobs', { state }), state).toBe(st.counts[state]);
  expect(sampleValue(m, 'spoolctl_jobs_scheduled')).toBe(st.counts.scheduled);
  for (const condition of ['free', 'idle', 'busy', 'draining', 'stale', 'dead'])
    expect(sampleValue(m, 'spoolctl_slots', { condition }), condition).toBe(st.slots.filter((x) => x.condition === condition).length);
}

describe('metrics', () => {
  it('prints OpenMetrics whose counts are the spool’s, and the sentinel keeps a textfile of the same until it stops', async () => {
    const textfiles = mkdtempSync(join(tmpdir(), 'spoolctl-textfile-'));
    const t = makeSpool(`[metrics]\ntextfile_dir = "${textfiles}"\ninterval_s = 1\n`);
    const sentinel = t.sentinel();
    t.worker();
    t.drop('ok-1.json', manifest('ok-1', 'noop'));
    t.drop('ok-2.json', manifest('ok-2', 'noop'));
    t.drop('bad-1.json', manifest('bad-1', 'fail', { params: { code: 3 }, max_attempts: 2 }));
    t.drop('later.json', manifest('later', 'noop', { not_before: new Date(Date.now() + 3_600_000).toISOString() }));
    t.drop('broken.json', '{not json');
    await until('settled', () => t.job('ok-2')?.state === 'done' && t.job('ok-1')?.state === 'done' && t.job('bad-1')?.state === 'failed');
    await until('the broken file rejected', () => t.status().counts.rejected === 1);

    const printed = t.run(['metrics']);
    expect(printed.code, printed.stderr).toBe(0);
    const m = parseOpenMetrics(printed.stdout);
    matchesStatus(m, t.status());
    expect(sampleValue(m, 'spoolctl_jobs', { state: 'pending' })).toBe(1);
    expect(sampleValue(m, 'spoolctl_jobs_scheduled')).toBe(1);
    expect(sampleValue(m, 'spoolctl_jobs_completed_total', { plugin: 'noop' })).toBe(2);
    expect(sampleValue(m, 'spoolctl_jobs_failed_total', { plugin: 'fail' })).toBe(1);
    expect(sampleValue(m, 'spoolctl_attempts_retried_total', { plugin: 'fail' })).toBe(1);
    expect(sampleValue(m, 'spoolctl_jobs_completed_total', { plugin: 'fail' })).toBe(0);
    // Two noop attempts and two of fail, each counted once, in cumulative buckets.
    expect(sampleValue(m, 'spoolctl_attempt_duration_seconds_count', { plugin: 'noop' })).toBe(2);
    expect(sampleValue(m, 'spoolctl_attempt_duration_seconds_count', { plugin: 'fail' })).toBe(2);
    expect(sampleValue(m, 'spoolctl_attempt_duration_seconds_bucket', { plugin: 'fail', le: '+Inf' })).toBe(2);
    const buckets = m.find((f) => f.name === 'spoolctl_attempt_duration_seconds')!.samples.filter((s) => s.name.endsWith('_bucket'));
    for (const plugin of ['noop', 'fail']) {
      const values = buckets.filter((s) => s.labels.plugin === plugin).map((s) => s.value);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
    expect(sampleValue(m, 'spoolctl_attempt_duration_seconds_sum', { plugin: 'noop' })).toBeGreaterThan(0);
    const oldest = sampleValue(m, 'spoolctl_oldest_pending_age_seconds')!;
    expect(oldest).toBeGreaterThan(0);
    expect(oldest).toBeLessThan(120);
    expect(sampleValue(m, 'spoolctl_sentinel_up')).toBe(1);
    const ledger = join(t.dir, 'ledger', 'ledger.db');
    expect(sampleValue(m, 'spoolctl_ledger_size_bytes')).toBeGreaterThanOrEqual(statSync(ledger).size);
    expect(sampleValue(m, 'spoolctl_ledger_events_total')).toBe(Math.max(...t.events().map((e) => e.seq)));
    expect(sampleValue(m, 'spoolctl_build_info')).toBe(1);

    // The sentinel's textfile: the same numbers, counted by its own tally as events arrive.
    const file = join(textfiles, 'spoolctl.prom');
    t.drop('ok-3.json', manifest('ok-3', 'noop'));
    await until('ok-3 done', () => t.job('ok-3')?.state === 'done');
    const fromFile = await until('the textfile counts ok-3', () => {
      if (!existsSync(file)) return undefined;
      const f = parseOpenMetrics(readFileSync(file, 'utf8'));
      return sampleValue(f, 'spoolctl_jobs_completed_total', { plugin: 'noop' }) === 3 ? f : undefined;
    });
    matchesStatus(fromFile, t.status());
    expect(sampleValue(fromFile, 'spoolctl_attempts_retried_total', { plugin: 'fail' })).toBe(1);
    expect(sampleValue(fromFile, 'spoolctl_sentinel_up')).toBe(1);

    sentinel.child.kill('SIGTERM');
    await exitedWithin(sentinel, 15_000, 'after SIGTERM');
    const last = parseOpenMetrics(readFileSync(file, 'utf8'));
    expect(sampleValue(last, 'spoolctl_sentinel_up')).toBe(0);
    expect(sampleValue(last, 'spoolctl_jobs_completed_total', { plugin: 'noop' })).toBe(3);
    const after = parseOpenMetrics(t.run(['metrics']).stdout);
    expect(sampleValue(after, 'spoolctl_sentinel_up')).toBe(0);
  });

  it('says why it cannot write the textfile, and keeps dispatching', async () => {
    const missing = join(tmpdir(), `spoolctl-no-such-dir-${process.pid}`);
    const t = makeSpool(`[metrics]\ntextfile_dir = "${missing}"\ninterval_s = 1\n`);
    const sentinel = t.sentinel();
    t.worker();
    t.drop('ok-1.json', manifest('ok-1', 'noop'));
    await until('done', () => t.job('ok-1')?.state === 'done');
    const warning = await until('the warning', () =>
      sentinel
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; file?: string; error?: string })
        .find((l) => l.msg === 'cannot write the metrics file; retrying'),
    );
    expect(warning.file).toBe(join(missing, 'spoolctl.prom'));
    expect(warning.error).toMatch(/ENOENT/);
  });

  it('escapes label values and help text as the format requires, which the parser reads back', () => {
    const odd = 'a "quoted" back\\slash\nnewline';
    const text = renderOpenMetrics([
      { name: 'x_things', type: 'counter', help: `help with ${odd}`, samples: [{ suffix: '_total', labels: { v: odd }, value: 3 }] },
      { name: 'x_level', type: 'gauge', help: 'a float', samples: [{ value: 0.1 + 0.2 }] },
    ]);
    const parsed = parseOpenMetrics(text);
    expect(parsed[0]).toMatchObject({ name: 'x_things', type: 'counter', help: `help with ${odd}` });
    expect(sampleValue(parsed, 'x_things_total', { v: odd })).toBe(3);
    expect(sampleValue(parsed, 'x_level')).toBeCloseTo(0.3, 12);
    // The parser is strict: a counter without _total is refused, so the checks above can fail.
    expect(() => parseOpenMetrics('# TYPE y counter\ny 1\n# EOF\n')).toThrow(/not valid OpenMetrics/);
  });
});
