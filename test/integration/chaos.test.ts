// `spoolctl chaos`: a small seeded run of kills, pauses and failpoint crashes (the sentinel's
// included) ends with nothing lost, nothing completed twice and no two attempts of a job at
// once, as the plugin's own records tell; the seed alone fixes the schedule.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePluginCommand } from '../../src/demo/spool.js';
import { makeSpool, until } from '../helpers/spool.js';

const SEED = 3;
const ARGS = ['chaos', '--jobs', '40', '--kills', '4', '--sentinel'];
// The scratch spool's settings (chaos keeps a given spool's own spool.toml).
const TOML =
  '[worker]\nstale_after_ms = 1500\nheartbeat_ms = 200\nkill_grace_ms = 200\nstop_timeout_ms = 500\n[jobs]\nmax_attempts = 25\n[sentinel]\nscan_interval_ms = 200\n';

interface Plan {
  seed: number;
  schedule: string;
  jobs: { id: string; fails: boolean }[];
  disruptions: { kind: string }[];
}

function plan(seed: number, extra: string[] = []): Plan {
  const r = makeSpool().run([...ARGS, ...extra, '--seed', String(seed), '--dry-run', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Plan;
}

describe('spoolctl chaos', () => {
  it("runs jobs through kills, pauses and failpoint crashes, loses none, completes none twice, and follows the seed's schedule each time", () => {
    const t = makeSpool(TOML);
    const expected = plan(SEED);
    const r = t.run([...ARGS, '--seed', String(SEED), '--json']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      seed: SEED,
      schedule: expected.schedule,
      submitted: 40,
      lost: 0,
      completed_twice: 0,
      ran_concurrently: 0,
      verify_ok: true,
      violations: [],
    });
    expect(r.stderr).toContain(`schedule ${expected.schedule}`);
    const kinds = (k: string) => expected.disruptions.filter((d) => d.kind === k).length;
    expect(report.done + report.failed).toBe(40);
    expect(report.failed).toBe(expected.jobs.filter((j) => j.fails).length);
    // Kills always happen as scheduled; a pause or an arming is skipped on a worker already paused.
    expect(report.worker_kills).toBe(kinds('kill-worker'));
    expect(report.sentinel_kills).toBe(kinds('kill-sentinel'));
    expect(report.pauses).toBeLessThanOrEqual(kinds('pause-worker'));
    expect(report.failpoints_armed).toBeLessThanOrEqual(kinds('arm-worker') + kinds('arm-sentinel'));
    expect(report.worker_kills + report.sentinel_kills + report.pauses + report.failpoints_armed).toBeGreaterThan(0);
    for (const k of ['reclaims', 'fenced', 'failpoints_fired']) expect(Number.isInteger(report[k]) && report[k] >= 0, k).toBe(true);
    // The text report carries the same fields.
    const again = makeSpool(TOML).run([...ARGS, '--seed', String(SEED)]);
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(again.stdout).toContain(`seed                         ${SEED} (schedule ${expected.schedule})`);
    for (const row of [
      'submitted                    40',
      'lost (must be 0)             0',
      'completed twice (must be 0)  0',
      'ran concurrently (must be 0) 0',
      'verify                       OK',
    ])
      expect(again.stdout).toContain(row);
    for (const row of ['done', 'failed', 'worker kills', 'pauses', 'sentinel kills', 'reclaims', 'fenced results'])
      expect(again.stdout).toMatch(new RegExp(`^${row} +\\d+$`, 'm'));
  }, 120_000);

  it('prints the same schedule for the same seed, and another for another seed', () => {
    const a = plan(SEED);
    expect(a.schedule).toMatch(/^[0-9a-f]{16}$/);
    expect(plan(SEED)).toEqual(a);
    const b = plan(SEED + 1);
    expect(b.schedule).not.toBe(a.schedule);
    expect(b.disruptions).not.toEqual(a.disruptions);
    expect(plan(SEED, ['--workers', '2']).schedule).not.toBe(a.schedule);
    const text = makeSpool().run([...ARGS, '--seed', String(SEED), '--dry-run']);
    expect(text.stdout).toContain(`seed ${SEED} (schedule ${a.schedule})`);
    expect(text.stdout.trim().split('\n')).toHaveLength(1 + a.disruptions.length);
  });

  it('drops jobs through the file API while it kills a worker every half second and the sentinel twice', () => {
    const t = makeSpool(TOML);
    const run = [
      'chaos',
      '--jobs',
      '60',
      '--kills',
      '0',
      '--kill-every',
      '500',
      '--sentinel-kills',
      '2',
      '--arrivals',
      '--seed',
      String(SEED),
    ];
    const r = t.run([...run, '--json']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ submitted: 60, lost: 0, completed_twice: 0, ran_concurrently: 0, verify_ok: true, sentinel_kills: 2 });
    expect(report.worker_kills).toBeGreaterThan(0);
    const plan = JSON.parse(t.run([...run, '--dry-run', '--json']).stdout);
    expect(plan.jobs.filter((j: { arrive_ms: number }) => j.arrive_ms > 0).length).toBeGreaterThan(50);
  }, 120_000);

  it('keeps the scheduling rules through kills of workers and the sentinel: timed, dependent and limited jobs', () => {
    const t = makeSpool(TOML);
    const run = ['chaos', '--jobs', '60', '--kills', '4', '--sentinel', '--sentinel-kills', '2', '--arrivals', '--scheduling'];
    const r = t.run([...run, '--seed', String(SEED), '--json']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      submitted: 60,
      lost: 0,
      completed_twice: 0,
      ran_concurrently: 0,
      ran_before_dependency: 0,
      verify_ok: true,
    });
    expect(report.limited_at_once).toBeGreaterThan(0);
    expect(report.limited_at_once).toBeLessThanOrEqual(2);
    // The plan has each kind of job the rules apply to.
    const jobs = JSON.parse(t.run([...run, '--seed', String(SEED), '--dry-run', '--json']).stdout).jobs as Record<string, unknown>[];
    for (const field of ['delay_ms', 'after', 'limited'])
      expect(
        jobs.some((j) => j[field] !== undefined),
        field,
      ).toBe(true);
  }, 120_000);

  it("its plugin records an attempt that starts while an earlier one, or that one's child, still runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spoolctl-attempts-'));
    const [node, ...args] = fixturePluginCommand('attempt.mjs', dir) as [string, ...string[]];
    const env = (attempt: number) => ({ ...process.env, SPOOLCTL_JOB_ID: 'j', SPOOLCTL_ATTEMPT: String(attempt) });
    const lines = () =>
      readFileSync(join(dir, 'j.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { attempt: number; event: string; with_attempt?: number });
    const first = spawn(node, [...args, '30000'], { env: env(1), stdio: 'ignore' });
    await until('the first attempt recorded', () => lines().some((l) => l.event === 'start'));
    expect(spawnSync(node, [...args, '10'], { env: env(2) }).status).toBe(0);
    expect(lines().filter((l) => l.event === 'overlap')).toMatchObject([{ attempt: 2, with_attempt: 1 }]);
    // The plugin dies but its child runs on: still an attempt alive.
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(spawnSync(node, [...args, '10'], { env: env(3) }).status).toBe(0);
    expect(
      lines()
        .filter((l) => l.event === 'overlap')
        .map((l) => l.attempt),
    ).toEqual([2, 3]);
    const sleeper = (lines()[0] as unknown as { procs: { pid: number }[] }).procs[1]!.pid;
    process.kill(sleeper, 'SIGKILL');
    await until('the child gone', () => spawnSync('kill', ['-0', String(sleeper)]).status !== 0);
    expect(spawnSync(node, [...args, '10'], { env: env(4) }).status).toBe(0);
    expect(
      lines()
        .filter((l) => l.event === 'overlap')
        .map((l) => l.attempt),
    ).toEqual([2, 3]);
  });
});
