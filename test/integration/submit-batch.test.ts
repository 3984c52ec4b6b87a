// Many jobs in one submission: `submit --inputs-from` (a line, a job) and `--manifests-from`
// (a JSON manifest a line) check every line before publishing any; one bad line publishes
// nothing, exits 2 and names its line. 10,000 lines from stdin become 10,000 jobs in one
// process, which the sentinel takes in; shared flags apply to every job.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selfCommand } from '../../src/paths.js';
import { allDone, makeSpool, until, type TestSpool } from '../helpers/spool.js';

const FAST = '[sentinel]\nscan_interval_ms = 200\n[worker]\nheartbeat_ms = 200\nstale_after_ms = 3000\n';

function submit(t: TestSpool, args: string[], stdin: string) {
  const [exe, ...pre] = selfCommand() as [string, ...string[]];
  const r = spawnSync(exe, [...pre, '--spool', t.dir, 'submit', ...args], { input: stdin, encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const pendingJob = (t: TestSpool, id: string) =>
  JSON.parse(readFileSync(join(t.dir, 'pending', `${id}.json`), 'utf8')) as Record<string, unknown>;

describe('submit --inputs-from and --manifests-from', () => {
  it('turns 10,000 lines of stdin into 10,000 jobs in input order, which the sentinel takes in', async () => {
    const t = makeSpool(FAST);
    const lines = Array.from({ length: 10_000 }, (_, i) => `in-${i + 1}`);
    const r = submit(t, ['--plugin', 'noop', '--inputs-from', '-', '--priority', '4', '--requires', 'gpu'], `${lines.join('\n')}\n`);
    expect(r.code, r.stderr).toBe(0);
    const ids = r.stdout.trim().split('\n');
    expect(ids).toHaveLength(10_000);
    expect(new Set(ids).size).toBe(10_000);
    expect(t.files('pending')).toHaveLength(10_000);
    expect(t.files('tmp')).toEqual([]);
    expect(pendingJob(t, ids[0]!)).toMatchObject({ input: 'in-1', priority: 4, requires: ['gpu'] });
    expect(pendingJob(t, ids[9_999]!)).toMatchObject({ input: 'in-10000', priority: 4 });

    t.sentinel();
    await until(
      'the sentinel took in every job',
      () => {
        const db = t.ledger();
        try {
          return (db.prepare("SELECT count(*) AS n FROM events WHERE type = 'submitted'").get() as { n: number }).n === 10_000;
        } catch {
          return false; // the ledger is being created
        } finally {
          db.close();
        }
      },
      120_000,
      1000,
    );
  }, 180_000);

  it('publishes nothing when one line is bad, naming the line and the problem (exit 2)', () => {
    const t = makeSpool();
    const bad = (args: string[], stdin: string, message: string) => {
      const r = submit(t, args, stdin);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(message);
      expect(t.files('pending')).toEqual([]);
      expect(t.files('tmp')).toEqual([]);
    };
    const m = (o: Record<string, unknown>) => JSON.stringify(o);
    const from = ['--plugin', 'noop', '--manifests-from', '-'];
    bad(from, `${m({ id: 'a' })}\n{"id": "b"\n`, 'stdin line 2: not valid JSON');
    bad(
      from,
      `${m({ id: 'a' })}\n\n${m({ id: 'b', priority: 'high' })}\n`,
      'stdin line 3: the job fails the manifest schema: /priority must be integer',
    );
    bad(from, `${m({ id: 'a', plugin: 'nope' })}\n`, 'stdin line 1: unknown plugin "nope"');
    bad(from, `${m({ id: 'a' })}\n${m({ id: 'a' })}\n`, 'stdin line 2: the id "a" is also the id of the job on stdin line 1');
    bad(
      from,
      `${m({ id: 'a', after: ['b'] })}\n${m({ id: 'b', after: ['c'] })}\n${m({ id: 'c', after: ['a'] })}\n`,
      '"after" makes a cycle (a -> b -> c -> a)',
    );
    bad(from, `${m({ id: 'a', after: ['a'] })}\n`, 'job a names itself in "after"');
    bad(from, `${m({ id: 'a', after: ['ghost'] })}\n`, 'stdin line 1: "after" names ghost, which is no job');
    bad(from, '[1]\n', 'stdin line 1: not a JSON object');
    bad(
      from,
      `${m({ id: 'a' })}\n${m({ id: 'big', meta: { blob: 'x'.repeat(1_100_000) } })}\n`,
      "stdin line 2: the job's manifest is 1100",
    );
    bad(['--plugin', 'noop', '--inputs-from', '-', '--max-attempts', '0'], 'x\n', 'stdin line 1: the job fails the manifest schema');
    bad(['--inputs-from', '-'], 'x\n', '--inputs-from needs --plugin');
    bad(['--plugin', 'noop', '--inputs-from', '-', '--input', 'x'], 'x\n', '--input names one job');
    bad(['--plugin', 'noop', '--inputs-from', '-'], '\n \n', 'has no jobs');
    bad(['--plugin', 'noop', '--inputs-from', '/no/such/file'], '', '--inputs-from /no/such/file: cannot read it');

    const ok = submit(t, ['--plugin', 'noop', '--id', 'old'], '');
    expect(ok.code).toBe(0);
    const taken = submit(t, from, `${m({ id: 'new' })}\n${m({ id: 'old' })}\n`);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('stdin line 2: job old already exists (pending)');
    expect(t.files('pending')).toEqual(['old.json']);
  });

  it('resolves after within the batch and the spool, keeps a line over the shared flags, and the jobs run', async () => {
    const t = makeSpool(FAST);
    expect(submit(t, ['--plugin', 'noop', '--id', 'base'], '').code).toBe(0);
    const lines = [
      JSON.stringify({ id: 'one', after: ['base'] }),
      '',
      JSON.stringify({ after: ['one'], priority: 9, input: 'generated' }),
      JSON.stringify({ id: 'three', plugin: 'echo-args', input: 'hi', params: { a: 'b' } }),
    ];
    const r = submit(t, ['--plugin', 'noop', '--manifests-from', '-', '--priority', '2', '--json'], lines.join('\n'));
    expect(r.code, r.stderr).toBe(0);
    const ids = JSON.parse(r.stdout) as string[];
    expect(ids).toHaveLength(3);
    expect(ids[0]).toBe('one');
    expect(ids[2]).toBe('three');
    expect(pendingJob(t, 'one')).toMatchObject({ plugin: 'noop', priority: 2, after: ['base'] });
    expect(pendingJob(t, ids[1]!)).toMatchObject({ plugin: 'noop', priority: 9, after: ['one'], input: 'generated' });
    expect(pendingJob(t, 'three')).toMatchObject({ plugin: 'echo-args', priority: 2, params: { a: 'b' } });
    t.sentinel();
    t.worker();
    await until('all done', () => allDone(t, ['base', ...ids]), 30_000);
  });
});
