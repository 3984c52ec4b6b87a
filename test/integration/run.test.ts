// Acceptance (spoolctl run): a batch with a failing job exits 1 with a summary naming it and
// leaves no process it started; Ctrl-C stops what it started and loses no job; with a sentinel
// and workers already running it starts and stops nothing; a bad manifest submits nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selfCommand } from '../../src/paths.js';
import { allDone, doneIds, exitedWithin, makeSpool, manifest, until, type TestSpool } from '../helpers/spool.js';

const FAST = '[worker]\nheartbeat_ms = 200\nstale_after_ms = 3000\n[services]\nworkers = 2\n';

/** Manifest files outside the spool's state directories, as a user would keep them. */
function batch(t: TestSpool, jobs: Record<string, unknown>[]): string[] {
  const dir = join(t.dir, 'batch');
  mkdirSync(dir, { recursive: true });
  return jobs.map((m) => {
    const file = join(dir, `${String(m.id)}.json`);
    writeFileSync(file, JSON.stringify(m));
    return file;
  });
}

/** spoolctl processes of any role started with --spool <this spool>. */
function spoolctlProcesses(t: TestSpool): string[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmd.includes('spoolctl') && cmd.includes(`--spool\0${t.dir}\0`) ? [`${pid}: ${cmd.split('\0').join(' ')}`] : [];
      } catch {
        return [];
      }
    });
}

const heldSlots = (t: TestSpool) => [
  ...readdirSync(join(t.dir, 'slots')).filter((n) => n.startsWith('slot-')),
  ...(existsSync(join(t.dir, 'sentinel.lock')) ? ['sentinel.lock'] : []),
];

/** Where every job is, by directory: each must be in exactly one. */
function whereAre(t: TestSpool, ids: string[]): Record<string, string[]> {
  const at: Record<string, string[]> = {};
  const put = (dir: string, names: string[]) => names.forEach((n) => (at[n.split('.')[0]!] ??= []).push(dir));
  for (const d of ['pending', 'failed', 'held', 'rejected']) put(d, t.files(d));
  put('done', doneIds(t));
  for (let s = 1; s <= 8; s += 1) put('claimed', t.files(`claimed/slot-${s}`));
  return Object.fromEntries(ids.map((id) => [id, at[id] ?? []]));
}

describe('spoolctl run', () => {
  it('runs a batch with one failing job to the end: exit 1, a summary naming it, nothing left running', async () => {
    const t = makeSpool(FAST);
    const ids = ['ok-1', 'ok-2', 'ok-3', 'broken'];
    const files = batch(t, [
      manifest('ok-1', 'work', { params: { ms: 300 } }),
      manifest('ok-2', 'noop'),
      manifest('ok-3', 'echo-args', { input: 'hello', params: { a: 'b' } }),
      manifest('broken', 'fail', { params: { code: 3 }, max_attempts: 2 }),
    ]);
    const run = t.start(['run', ...files]);
    const code = await exitedWithin(run, 90_000, 'running the batch');
    const out = run.output();
    expect(code, out).toBe(1);
    expect(out).toContain('Submitted 4 jobs');
    expect(out).toMatch(/Started the sentinel \(pid \d+\); started 2 workers/);
    expect(out).toContain('4 jobs: 3 done, 1 failed.');
    expect(out).toMatch(/^ {2}broken failed: exited with code 3/m);
    expect(allDone(t, ['ok-1', 'ok-2', 'ok-3'])).toBe(true);
    expect(t.job('broken')).toMatchObject({ state: 'failed', attempts: 2 });
    expect(spoolctlProcesses(t)).toEqual([]);
    expect(heldSlots(t)).toEqual([]);
    expect(Object.values(whereAre(t, ids)).every((dirs) => dirs.length === 1)).toBe(true);
    expect(t.run(['verify']).code).toBe(0);
  });

  it('stops what it started on Ctrl-C, exits 130 and loses no job', async () => {
    const t = makeSpool(FAST);
    const ids = Array.from({ length: 5 }, (_, i) => `long-${i}`);
    const run = t.start([
      'run',
      ...batch(
        t,
        ids.map((id) => manifest(id, 'work', { params: { ms: 30000 } })),
      ),
    ]);
    await until('two jobs running', () => ids.filter((id) => t.job(id)?.state === 'claimed').length === 2, 30_000);
    run.child.kill('SIGINT');
    const code = await exitedWithin(run, 60_000, 'after Ctrl-C');
    const out = run.output();
    expect(code, out).toBe(130);
    expect(out).toContain('Ctrl-C: stopping the sentinel and 2 workers this run started');
    expect(out).toMatch(/5 of the 5 submitted jobs are unfinished and stay in the spool \(5 pending\)/);
    expect(spoolctlProcesses(t)).toEqual([]);
    expect(heldSlots(t)).toEqual([]);
    const where = whereAre(t, ids);
    for (const id of ids) expect(where[id], id).toEqual(['pending']);
    for (const id of ids) expect(t.job(id)?.state).toBe('pending');
    const verify = t.run(['verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('uses a sentinel and workers already running: starts nothing and stops nothing', async () => {
    const t = makeSpool(FAST);
    const sentinel = t.sentinel();
    const workers = [t.worker(), t.worker()];
    await until(
      'two live workers',
      () =>
        (JSON.parse(t.run(['workers', 'list', '--json']).stdout) as { slots: { state: string }[] }).slots.filter((s) => s.state === 'idle')
          .length === 2,
    );
    const before = spoolctlProcesses(t).sort();
    const run = t.start(['run', '--plugin', 'echo-args', '--input', 'hi', '--param', 'a=b', '--id', 'flagged']);
    const code = await exitedWithin(run, 60_000, 'running one job');
    const out = run.output();
    expect(code, out).toBe(0);
    expect(out).toContain('Using the sentinel already up; using the 2 live workers.');
    expect(out).not.toContain('Stopping');
    expect(out).toContain('1 job: 1 done, 0 failed.');
    expect(allDone(t, ['flagged'])).toBe(true);
    expect(spoolctlProcesses(t).sort()).toEqual(before);
    for (const p of [sentinel, ...workers]) expect(p.child.exitCode).toBeNull();
  });

  it('refuses a batch with a bad manifest before submitting anything, and a reused id', () => {
    const t = makeSpool(FAST);
    const good = batch(t, [manifest('fine', 'noop')]);
    const bad = batch(t, [{ id: 'nope', plugin: 'no-such-plugin' }]);
    const r = t.run(['run', ...good, ...bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(bad[0]);
    expect(r.stderr).toContain('unknown plugin "no-such-plugin"');
    expect(r.stderr).toContain('nothing was submitted');
    expect(t.files('pending')).toEqual([]);
    expect(existsSync(join(t.dir, 'sentinel.json'))).toBe(false);

    t.drop('fine.json', manifest('fine', 'noop'));
    const reused = t.run(['run', ...good]);
    expect(reused.code).toBe(1);
    expect(reused.stderr).toBe('spoolctl: job fine already exists (pending): choose another id.\n');
    expect(t.files('pending')).toEqual(['fine.json']);
    expect(t.run(['run', ...good, '--plugin', 'noop']).code).toBe(2);
    expect(t.run(['run']).code).toBe(2);
  });

  it('without a spool, errors with the init hint', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'spoolctl-nospool-'));
    try {
      const [node, script] = selfCommand() as [string, string];
      const env = { ...process.env };
      delete env.SPOOLCTL_SPOOL;
      const r = spawnSync(node, [script, 'run', '--plugin', 'noop'], { cwd, env, encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('spoolctl init DIR');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
