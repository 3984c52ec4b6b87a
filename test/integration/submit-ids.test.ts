// Acceptance (ids on the command line): `submit --id` refuses an id the spool already has, in
// whatever state, naming that state and publishing nothing; it refuses an invalid id, or one
// starting with "-", as a usage error; a job dropped with such an id through the file API still
// works, and every command that takes ids takes it after "--" and says so in its help.
import { describe, expect, it } from 'vitest';
import { allDone, exitedWithin, makeSpool, manifest, until, type TestSpool } from '../helpers/spool.js';

const FAST = '[worker]\nheartbeat_ms = 200\nstale_after_ms = 3000\nstop_timeout_ms = 500\n';
const DASH_HINT = "Ids that start with '-' go after '--'";
const ID_COMMANDS = ['show', 'log', 'requeue', 'hold', 'release', 'cancel', 'purge'];

const stateOf = (t: TestSpool, id: string) => t.job(id)?.state;

function expectRefused(t: TestSpool, id: string, state: string) {
  const pendingBefore = t.files('pending').sort();
  const r = t.run(['submit', '--plugin', 'noop', '--id', id]);
  expect.soft(r.code, r.stderr).toBe(1);
  expect.soft(r.stdout).toBe('');
  expect.soft(r.stderr).toBe(`spoolctl: job ${id} already exists (${state}): choose another id.\n`);
  expect.soft(t.files('pending').sort()).toEqual(pendingBefore);
  expect.soft(t.files('tmp').filter((n) => n.startsWith(id))).toEqual([]);
}

describe('submit --id with an id the spool already has', () => {
  it('exits 1 naming where the job is, in every state, and publishes nothing', async () => {
    const t = makeSpool(FAST);
    // Dropped while no sentinel runs: the ledger does not know it yet, pending/ does.
    t.drop('early.json', manifest('early', 'noop'));
    expectRefused(t, 'early', 'pending');

    const sentinel = t.sentinel();
    const worker = t.worker();
    for (const id of ['d1', 'd2']) t.drop(`${id}.json`, manifest(id, 'noop'));
    t.drop('f1.json', manifest('f1', 'fail', { params: { code: 3 }, max_attempts: 1 }));
    t.drop('r1.json', manifest('r1', 'no-such-plugin'));
    await until(
      'done, failed and rejected',
      () => allDone(t, ['early', 'd1', 'd2']) && stateOf(t, 'f1') === 'failed' && stateOf(t, 'r1') === 'rejected',
      30_000,
    );
    // The only worker stays busy with c1, so the jobs dropped after it stay pending.
    t.drop('c1.json', manifest('c1', 'work', { params: { ms: 60_000 } }));
    await until('c1 claimed', () => stateOf(t, 'c1') === 'claimed');
    for (const id of ['p1', 'h1']) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('p1 and h1 pending', () => stateOf(t, 'p1') === 'pending' && stateOf(t, 'h1') === 'pending');
    expect(t.run(['jobs', 'hold', 'h1']).code).toBe(0);
    expect(t.run(['jobs', 'purge', 'd1']).code).toBe(0);
    expect(stateOf(t, 'h1')).toBe('held');
    expect(stateOf(t, 'd1')).toBe('purged');

    // With the sentinel gone nothing moves: a file published by mistake would stay in pending/.
    sentinel.child.kill('SIGKILL');
    await exitedWithin(sentinel, 10_000, 'after SIGKILL');
    const states: [string, string][] = [
      ['p1', 'pending'],
      ['c1', 'claimed'],
      ['d2', 'done'],
      ['f1', 'failed'],
      ['h1', 'held'],
      ['r1', 'rejected'],
      ['d1', 'purged'],
    ];
    for (const [id, state] of states) expectRefused(t, id, state);

    worker.child.kill('SIGTERM');
    await exitedWithin(worker, 20_000, 'after SIGTERM');
  });
});

describe('submit --id with an id it cannot take', () => {
  it('exits 2 with one sentence for an invalid id or one starting with "-", and publishes nothing', () => {
    const t = makeSpool(FAST);
    for (const args of [
      ['--id', 'a.b'],
      ['--id', ''],
      ['--id', 'x'.repeat(65)],
    ]) {
      const r = t.run(['submit', '--plugin', 'noop', ...args]);
      expect.soft(r.code, r.stderr).toBe(2);
      expect.soft(r.stdout).toBe('');
      expect.soft(r.stderr.trim().split('\n')).toHaveLength(1);
      expect.soft(r.stderr).toContain('--id takes 1-64 letters, digits, "_" or "-"');
    }
    for (const args of [['--id', '-abc'], ['--id=-abc'], ['--id', '--']]) {
      const r = t.run(['submit', '--plugin', 'noop', ...args]);
      expect.soft(r.code, r.stderr).toBe(2);
      expect.soft(r.stdout).toBe('');
      expect.soft(r.stderr.trim().split('\n')).toHaveLength(1);
      expect.soft(r.stderr).toContain('cannot start with "-"');
    }
    expect(t.run(['run', '--plugin', 'noop', '--id', '-abc']).code).toBe(2);
    expect(t.files('pending')).toEqual([]);
    expect(t.files('tmp')).toEqual([]);
  });
});

describe('ids that start with "-"', () => {
  it('a job dropped with one runs, and every command that takes ids takes it after "--"', async () => {
    const t = makeSpool(FAST);
    t.sentinel();
    t.worker();
    t.drop('-dash.json', manifest('-dash', 'echo-args', { input: 'hello', params: { a: 'b' } }));
    await until('-dash done', () => allDone(t, ['-dash']));

    const show = t.run(['jobs', 'show', '--', '-dash']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^id {8}-dash$/m);
    const log = t.run(['jobs', 'log', '--', '-dash']);
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout).toContain('hello');

    const mistaken = t.run(['jobs', 'show', '-dash']);
    expect(mistaken.code).toBe(2);
    expect.soft(mistaken.stderr).toContain(DASH_HINT);

    const requeue = t.run(['jobs', 'requeue', '--', '-dash']);
    expect(requeue.code, requeue.stderr).toBe(0);
    await until('-dash done again', () => t.events('-dash').filter((e) => e.type === 'done').length === 2);
    const purge = t.run(['jobs', 'purge', '--', '-dash']);
    expect(purge.code, purge.stderr).toBe(0);
    expect(stateOf(t, '-dash')).toBe('purged');

    for (const cmd of ID_COMMANDS) {
      const help = t.run(['jobs', cmd, '--help']);
      expect.soft(help.code).toBe(0);
      expect.soft(help.stdout, `jobs ${cmd} --help`).toContain(DASH_HINT);
    }
  });
});
