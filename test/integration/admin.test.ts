// Acceptance: job administration. Bulk actions select by filter, and their --dry-run lists
// exactly what the real run changes; they ask first (on a terminal) or need --yes; purge
// removes the spool files and logs of old finished jobs and keeps their history; `jobs log -f`
// follows a running job to its end; `status` shows jobs by age and why pending jobs wait.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selfCommand } from '../../src/paths.js';
import { allDone, doneIds, exitedWithin, makeSpool, manifest, until, type Proc, type TestSpool } from '../helpers/spool.js';

const HOUR_MS = 3_600_000;

/** The ids of a `jobs` table printed for people (list, --dry-run): the first column. */
function tableIds(stdout: string): string[] {
  const lines = stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^ID\s+STATE/);
  return lines
    .slice(1, -1)
    .map((l) => l.split(/\s+/)[0]!)
    .sort();
}

/** The ids a real bulk run reports as changed: "<id>: <action>ed (...)". */
function changedIds(stdout: string, past: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.includes(`: ${past} (`))
    .map((l) => l.split(':')[0]!)
    .sort();
}

function listIds(t: TestSpool, args: string[]): string[] {
  const r = t.run(['jobs', 'list', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: string }[]).map((j) => j.id).sort();
}

/**
 * Makes jobs look as old as a week-old spool's: their ledger times, which nothing but the
 * age filters and `status` reads back, moved into the past.
 */
function age(t: TestSpool, ids: string[], ms: number): void {
  const db = new Database(join(t.dir, 'ledger', 'ledger.db'));
  try {
    db.pragma('busy_timeout = 10000');
    const at = new Date(Date.now() - ms).toISOString();
    const stmt = db.prepare(
      'UPDATE jobs SET submitted_at = @at, finished_at = iif(finished_at IS NULL, NULL, @at), updated_at = @at WHERE id = @id',
    );
    for (const id of ids) stmt.run({ at, id });
  } finally {
    db.close();
  }
}

describe('bulk actions by filter', () => {
  it('requeue --state failed --dry-run lists exactly what the real run requeues, and they complete', async () => {
    const t = makeSpool();
    t.sentinel();
    t.worker();
    for (const id of ['f1', 'f2', 'f3']) t.drop(`${id}.json`, manifest(id, 'fail', { params: { code: 3 }, max_attempts: 1 }));
    for (const id of ['ok1', 'ok2']) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('three failed, two done', () => listIds(t, ['--state', 'failed']).length === 3 && allDone(t, ['ok1', 'ok2']), 60_000);

    const dry = t.run(['jobs', 'requeue', '--state', 'failed', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(tableIds(dry.stdout)).toEqual(['f1', 'f2', 'f3']);
    expect(dry.stdout).toContain('3 jobs would be requeued; nothing was changed');
    expect(t.files('failed').sort()).toEqual(['f1.1.json', 'f2.1.json', 'f3.1.json']);
    expect(t.files('control').filter((n) => n.endsWith('.json'))).toEqual([]);

    // No terminal to ask on and no --yes: refused, and nothing is sent.
    const refused = t.run(['jobs', 'requeue', '--state', 'failed']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --yes');
    expect(t.files('failed')).toHaveLength(3);

    t.plugin('fail', { command: ['true'] });
    const real = t.run(['jobs', 'requeue', '--state', 'failed', '--yes']);
    expect(real.code, real.stderr).toBe(0);
    expect(changedIds(real.stdout, 'requeued')).toEqual(tableIds(dry.stdout));
    expect(real.stdout).toContain('3 jobs requeued.');
    await until('requeued jobs done', () => allDone(t, ['f1', 'f2', 'f3']), 60_000);
    expect(t.events('f1').map((e) => e.type)).toEqual(['submitted', 'claimed', 'failed', 'requeued', 'claimed', 'done']);
  });

  it('combines --state, --plugin, --older-than and --grep, in jobs list and in a bulk hold', async () => {
    const t = makeSpool();
    t.plugin('ocr', { command: ['true'] });
    t.sentinel();
    const old = new Date(Date.now() - 3 * HOUR_MS).toISOString();
    t.drop('scan-old-1.json', manifest('scan-old-1', 'ocr', { created_at: old }));
    t.drop('scan-old-2.json', manifest('scan-old-2', 'ocr', { created_at: old }));
    t.drop('scan-new.json', manifest('scan-new', 'ocr'));
    t.drop('mail-old.json', manifest('mail-old', 'ocr', { created_at: old }));
    t.drop('scan-old-noop.json', manifest('scan-old-noop', 'noop', { created_at: old }));
    // Admitted to the ledger: before the sentinel's first pass, `jobs list` lists the files of pending/.
    await until('all admitted', () =>
      ['scan-old-1', 'scan-old-2', 'scan-new', 'mail-old', 'scan-old-noop'].every((id) => t.job(id)?.state === 'pending'),
    );

    const filters = ['--plugin', 'ocr', '--older-than', '2h', '--grep', 'scan'];
    expect(listIds(t, ['--state', 'pending', ...filters])).toEqual(['scan-old-1', 'scan-old-2']);
    expect(listIds(t, ['--older-than', '2h'])).toEqual(['mail-old', 'scan-old-1', 'scan-old-2', 'scan-old-noop']);
    expect(listIds(t, ['--grep', 'old', '--plugin', 'noop'])).toEqual(['scan-old-noop']);

    const dry = t.run(['jobs', 'hold', ...filters, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(tableIds(dry.stdout)).toEqual(['scan-old-1', 'scan-old-2']);
    const hold = t.run(['jobs', 'hold', ...filters, '--yes']);
    expect(hold.code, hold.stderr).toBe(0);
    expect(changedIds(hold.stdout, 'held')).toEqual(['scan-old-1', 'scan-old-2']);
    expect(t.files('held').sort()).toEqual(['scan-old-1.json', 'scan-old-2.json']);
    expect(t.files('pending').sort()).toEqual(['mail-old.json', 'scan-new.json', 'scan-old-noop.json']);

    // Only states the action applies to are selected, and a state it does not apply to is refused.
    expect(t.run(['jobs', 'release', '--plugin', 'ocr', '--dry-run']).stdout).toContain('2 jobs would be released');
    const wrong = t.run(['jobs', 'release', '--state', 'pending', '--yes']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('release applies to held jobs, not pending ones');
    expect(t.run(['jobs', 'hold', 'scan-new', '--plugin', 'ocr']).code).toBe(2);
    expect(t.run(['jobs', 'hold']).code).toBe(2);
  });

  it('asks on a terminal, naming the count, and does nothing on No', async () => {
    const t = makeSpool();
    t.sentinel();
    t.drop('a.json', manifest('a', 'noop'));
    t.drop('b.json', manifest('b', 'noop'));
    await until('admitted', () => listIds(t, ['--state', 'pending']).length === 2);
    const command = [...selfCommand(), '--spool', t.dir, 'jobs', 'hold', '--state', 'pending'].map((a) => `'${a}'`).join(' ');
    // script(1) runs the command on a pseudo-terminal, so it sees a TTY on stdin.
    const ask = (answer: string) => spawnSync('script', ['-qec', command, '/dev/null'], { input: answer, encoding: 'utf8' });
    // Seen on this machine: the first bulk selection run under script(1) just after the jobs
    // are admitted can find none, when a plain run at the same moment finds both; wait until
    // the terminal run sees them (the issue notes say so).
    const dryRun = `${command} '--dry-run'`;
    await until(
      'both selectable from a terminal',
      () =>
        spawnSync('script', ['-qec', dryRun, '/dev/null'], { encoding: 'utf8', timeout: 10_000 }).stdout.includes('2 jobs would be held'),
      10_000,
      200,
    );
    const no = ask('n\n');
    expect(no.stdout).toContain('Hold 2 jobs (state pending)? [y/N]');
    expect(no.stdout).toContain('nothing was held');
    expect(t.files('held')).toEqual([]);
    const yes = ask('y\n');
    expect(yes.stdout).toContain('2 jobs held.');
    expect(t.files('held').sort()).toEqual(['a.json', 'b.json']);
  });
});

describe('jobs purge', () => {
  it('removes the files and logs of old finished jobs; history stays and verify passes', async () => {
    const t = makeSpool();
    const sentinel = t.sentinel();
    t.drop('keep.json', manifest('keep', 'noop'));
    await until('keep admitted', () => t.job('keep'));
    expect(t.run(['jobs', 'hold', 'keep']).code).toBe(0);
    const worker = t.worker();
    // A job that prints has a log to purge; a silent one has none.
    for (const id of ['old1', 'old2', 'young']) t.drop(`${id}.json`, manifest(id, 'work', { params: { ms: 1 } }));
    t.drop('oldfail.json', manifest('oldfail', 'fail', { params: { code: 2 }, max_attempts: 1 }));
    await until('done and failed', () => allDone(t, ['old1', 'old2', 'young']) && t.job('oldfail')?.state === 'failed', 60_000);
    age(t, ['old1', 'old2', 'oldfail', 'keep'], 8 * 24 * HOUR_MS);
    expect(existsSync(join(t.dir, 'logs', 'old1.log'))).toBe(true);

    const dry = t.run(['jobs', 'purge', '--state', 'done', '--older-than', '7d', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(tableIds(dry.stdout)).toEqual(['old1', 'old2']);
    expect(doneIds(t).sort()).toEqual(['old1', 'old2', 'young']);

    // Without --state: done, failed and rejected jobs; the old held job is never selected.
    const real = t.run(['jobs', 'purge', '--older-than', '7d', '--yes']);
    expect(real.code, real.stderr).toBe(0);
    expect(changedIds(real.stdout, 'purged')).toEqual(['old1', 'old2', 'oldfail']);
    expect(real.stdout).toContain('3 jobs purged.');
    expect(doneIds(t)).toEqual(['young']);
    expect(t.files('failed')).toEqual([]);
    expect(existsSync(join(t.dir, 'failed', 'oldfail.1.error.json'))).toBe(false);
    for (const id of ['old1', 'old2', 'oldfail']) expect(existsSync(join(t.dir, 'logs', `${id}.log`))).toBe(false);
    expect(existsSync(join(t.dir, 'logs', 'young.log'))).toBe(true);
    expect(t.files('held')).toEqual(['keep.json']);

    const shown = t.run(['jobs', 'show', 'old1', '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const detail = JSON.parse(shown.stdout) as { state: string; file: string | null; events: { type: string; from?: string }[] };
    expect(detail).toMatchObject({ state: 'purged', file: null });
    expect(detail.events.map((e) => e.type)).toEqual(['submitted', 'claimed', 'done', 'purged']);
    expect(detail.events.at(-1)).toMatchObject({ from: 'done' });
    expect(listIds(t, [])).toEqual(['keep', 'young']);
    expect(listIds(t, ['--state', 'purged'])).toEqual(['old1', 'old2', 'oldfail']);

    const held = t.run(['jobs', 'purge', '--state', 'held', '--yes']);
    expect(held.code).toBe(2);
    expect(held.stderr).toContain('purge applies to done, failed, cancelled or rejected jobs');
    const again = t.run(['jobs', 'requeue', 'old1']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('old1: not requeued: it was purged');
    expect(t.run(['jobs', 'log', 'old1']).stderr).toContain('was purged');

    worker.child.kill('SIGTERM');
    sentinel.child.kill('SIGTERM');
    await Promise.all([exitedWithin(worker, 30_000, 'after SIGTERM'), exitedWithin(sentinel, 30_000, 'after SIGTERM')]);
    const verify = t.run(['verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('a sentinel killed in the middle of a purge completes it when it starts again', async () => {
    const t = makeSpool();
    const first = t.sentinel();
    const worker = t.worker();
    for (const id of ['a', 'b']) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('done', () => allDone(t, ['a', 'b']));
    first.child.kill('SIGTERM');
    await exitedWithin(first, 30_000, 'after SIGTERM');
    const crashing = t.sentinel({ SPOOLCTL_FAILPOINTS: 'control.after-move=crash' });
    await until('sentinel up', () => t.run(['status', '--json']).stdout.includes('"up": true'));
    expect(t.run(['jobs', 'purge', '--state', 'done', '--yes', '--no-wait']).code).toBe(0);
    await exitedWithin(crashing, 30_000, 'at the failpoint');
    // One job's files are gone and the ledger never heard of it: the request is still queued.
    expect(doneIds(t)).toHaveLength(1);
    expect([t.job('a')?.state, t.job('b')?.state]).toEqual(['done', 'done']);
    expect(t.files('control').filter((n) => n.endsWith('.json'))).toHaveLength(1);

    const again = t.sentinel();
    await until('both purged', () => t.job('a')?.state === 'purged' && t.job('b')?.state === 'purged');
    expect(doneIds(t)).toEqual([]);
    worker.child.kill('SIGTERM');
    again.child.kill('SIGTERM');
    await Promise.all([exitedWithin(worker, 30_000, 'after SIGTERM'), exitedWithin(again, 30_000, 'after SIGTERM')]);
    const verify = t.run(['verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});

/** A job that runs until the test creates its gate file (so "still running" needs no timing), followed by `jobs log -f`. */
async function followGatedJob(id: string): Promise<{ t: TestSpool; gate: string; follow: Proc }> {
  const t = makeSpool();
  // The loop also ends when the test's spool is removed, so a failed test leaves no plugin behind.
  const script = 'echo started; while [ ! -e "$1" ] && [ -d "${1%/*}" ]; do sleep 0.1; done; echo finished';
  t.plugin('gate', { command: ['sh', '-c', script, 'gate', '{input}'] });
  t.sentinel();
  t.worker();
  const gate = join(t.dir, `${id}-gate`);
  t.drop(`${id}.json`, manifest(id, 'gate', { input: gate }));
  await until('running', () => t.job(id)?.state === 'claimed');
  const follow = t.start(['jobs', 'log', '-f', id]);
  await until('follower printed the start', () => /^started$/m.test(follow.output()));
  return { t, gate, follow };
}

describe('jobs log', () => {
  it('follows a running job and exits when it finishes', async () => {
    const { t, gate, follow } = await followGatedJob('long');
    expect(follow.child.exitCode).toBeNull();
    expect(follow.output()).not.toMatch(/^finished$/m);
    writeFileSync(gate, '');
    expect(await exitedWithin(follow, 60_000, 'after the job finished')).toBe(0);
    expect(follow.output()).toMatch(/^started\nfinished$/m);
    expect(t.job('long')?.state).toBe('done');

    const plain = t.run(['jobs', 'log', 'long']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^=== attempt 1 of long .*\nstarted\nfinished\n$/);
    const tail = t.run(['jobs', 'log', 'long', '--bytes', '9']);
    expect(tail.stdout).toBe('finished\n');
    expect(tail.stderr).toContain('--bytes N shows more');
    const unknown = t.run(['jobs', 'log', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No job "nope"');
  });

  it('exits 1 when the followed job is cancelled', async () => {
    const { t, follow } = await followGatedJob('stuck');
    expect(t.run(['jobs', 'cancel', 'stuck']).code).toBe(0);
    expect(await exitedWithin(follow, 60_000, 'after the job was cancelled')).toBe(1);
    expect(follow.output()).toMatch(/job stuck is cancelled, not done: cancelled by/);
    // The worker stops the plugin and its result is fenced: nothing outlives the test.
    await until('late result fenced', () => t.events('stuck').some((e) => e.type === 'fenced'), 30_000);
  });
});

describe('status', () => {
  it('reads a ledger a starting sentinel has created but not yet given its tables as no ledger yet', () => {
    const t = makeSpool();
    // What a reader finds between the sentinel's creating the file and committing its schema.
    const db = new Database(join(t.dir, 'ledger', 'ledger.db'));
    db.pragma('journal_mode = WAL');
    db.close();
    const status = t.run(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).not.toContain('no such table');
    const list = t.run(['jobs', 'list']);
    expect(list.stderr).toContain('has no ledger yet');
    expect(list.stderr).not.toContain('no such table');
  });

  it('shows jobs by age and why pending jobs wait, in 80 columns', async () => {
    const t = makeSpool();
    t.drop('fresh.json', manifest('fresh', 'noop'));
    t.drop('stale.json', manifest('stale', 'noop', { created_at: new Date(Date.now() - 3 * HOUR_MS).toISOString() }));
    const down = t.run(['status']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/waiting +the sentinel is down, so nothing is dispatched/);

    t.sentinel();
    await until('admitted', () => t.job('fresh') && t.job('stale'));
    const r = t.run(['status']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^AGE +<5m +5-30m +30m-2h +2-12h +12h-2d +>2d +TOTAL$/m);
    expect(r.stdout).toMatch(/^pending +1 +0 +0 +1 +0 +0 +2$/m);
    expect(r.stdout).toMatch(/^oldest +stale \(noop\), pending for 3h$/m);
    expect(r.stdout).toMatch(/^waiting +no worker is running: start one with `spoolctl worker`/m);
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);

    expect(t.run(['jobs', 'hold', 'fresh']).code).toBe(0);
    const json = JSON.parse(t.run(['status', '--json']).stdout) as {
      counts: Record<string, number>;
      ages: { buckets: string[]; counts: Record<string, number[]> };
      oldest_pending: { id: string };
      waiting: { reason: string }[];
    };
    expect(Object.keys(json.counts)).toEqual(['pending', 'claimed', 'done', 'failed', 'held', 'rejected', 'cancelled', 'scheduled']);
    expect(json.ages.counts.pending).toEqual([0, 0, 0, 1, 0, 0]);
    expect(json.ages.counts.held).toEqual([1, 0, 0, 0, 0, 0]);
    expect(json.oldest_pending.id).toBe('stale');
    expect(json.waiting.map((w) => w.reason)).toEqual(['no_live_worker', 'held']);
  });
});
