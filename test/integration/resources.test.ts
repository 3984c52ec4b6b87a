// Acceptance: disk full during submit, claim/result and ledger write; a ledger locked by
// another process; a corrupt or deleted ledger and `ledger rebuild`. A clear error, no torn
// manifest, no lost job.
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { doneIds, exitedWithin, makeSpool, manifest, smallDisk, until, type Proc, type TestSpool } from '../helpers/spool.js';

function verifyOk(t: TestSpool) {
  const v = t.run(['verify', '--json']);
  expect(JSON.parse(v.stdout).violations, v.stdout).toEqual([]);
}

async function stop(...ps: Proc[]) {
  for (const p of ps) p.child.kill('SIGTERM');
  await Promise.all(ps.map((p) => p.exited));
}

describe('disk full', () => {
  it('refuses a submission with a clear error and leaves no torn manifest', () => {
    const disk = smallDisk(1024);
    const t = makeSpool('', join(disk.dir, 'spool'));
    disk.fill();
    const r = t.run(['submit', '--plugin', 'noop', '--id', 'full']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no space left on the device');
    expect(t.files('pending')).toEqual([]);
    expect(t.files('tmp')).toEqual([]);
    disk.free();
    expect(t.run(['submit', '--plugin', 'noop', '--id', 'full']).code).toBe(0);
    expect(JSON.parse(readFileSync(join(t.dir, 'pending', 'full.json'), 'utf8')).id).toBe('full');
  });

  it('claims a job on a full disk, starts it only once its start is recorded, then completes it once', async () => {
    const disk = smallDisk(2048);
    const t = makeSpool('', join(disk.dir, 'spool'));
    const s = t.sentinel();
    const w = t.worker();
    // Both must be running before the disk fills: this test is about a full disk mid-run.
    await until('sentinel up and worker idle', () => {
      const st = JSON.parse(t.run(['status', '--json']).stdout);
      return st.sentinel.up && st.slots[0].state === 'idle';
    });
    writeFileSync(join(t.dir, 'tmp', 'tight.json'), JSON.stringify(manifest('tight', 'work', { params: { ms: 800 } })));
    disk.fill();
    renameSync(join(t.dir, 'tmp', 'tight.json'), join(t.dir, 'pending', 'tight.json'));
    await until('claimed on the full disk', () => t.files('claimed/slot-1').length === 1, 10_000);
    await until('start line refused', () => w.output().includes("cannot record the job's start"), 10_000);
    // No plugin runs before its start is in the worker's journal: its output would be logged.
    expect(t.files('logs')).not.toContain('tight.log');
    expect(doneIds(t)).toEqual([]);
    disk.free();
    await until('done', () => doneIds(t).includes('tight'), 15_000);
    expect(readFileSync(join(t.dir, 'logs', 'tight.log'), 'utf8').match(/^=== attempt /gm)).toHaveLength(1);
    expect(s.child.exitCode).toBeNull();
    await stop(w, s);
    expect(t.events('tight').filter((e) => e.type === 'done')).toHaveLength(1);
    verifyOk(t);
  });

  it('keeps ledger records in memory while the ledger disk is full, then writes them', async () => {
    const disk = smallDisk(4096);
    const t = makeSpool(`[ledger]\npath = "${join(disk.dir, 'ledger.db')}"\n`);
    const s = t.sentinel();
    const w = t.worker();
    t.drop('warm.json', manifest('warm', 'noop'));
    await until('warm done', () => doneIds(t).includes('warm'));
    disk.fill();
    const ids = ['l1', 'l2', 'l3', 'l4', 'l5'];
    for (const id of ids) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('jobs done in the spool', () => ids.every((id) => doneIds(t).includes(id)));
    await until('ledger failure reported', () => s.output().includes('cannot write the ledger'), 10_000);
    disk.free();
    const db = () => new Database(join(disk.dir, 'ledger.db'), { readonly: true });
    await until(
      'ledger caught up',
      () => {
        const d = db();
        try {
          return ids.every(
            (id) => (d.prepare("SELECT count(*) AS n FROM events WHERE job = ? AND type = 'done'").get(id) as { n: number }).n === 1,
          );
        } finally {
          d.close();
        }
      },
      15_000,
    );
    await stop(w, s);
    verifyOk(t);
  });
});

/**
 * Another program holding the ledger so that the sentinel cannot even read it: a node child
 * with better-sqlite3 in exclusive locking mode inside BEGIN EXCLUSIVE (in WAL mode a plain
 * BEGIN EXCLUSIVE still lets readers in). Killing the child releases the lock.
 */
async function lockLedgerElsewhere(path: string): Promise<ChildProcess> {
  const script =
    "const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.pragma('locking_mode = EXCLUSIVE'); db.exec('BEGIN EXCLUSIVE'); db.prepare('SELECT count(*) FROM events').get(); process.stdout.write('locked\\n'); setInterval(() => {}, 1000);";
  const child = spawn(process.execPath, ['-e', script, path], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  holders.push(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  await until('the ledger locked by another process', () => out.includes('locked') || child.exitCode !== null);
  expect(child.exitCode, 'the lock holder died').toBeNull();
  return child;
}

const holders: ChildProcess[] = [];
afterEach(() => {
  for (const h of holders.splice(0)) h.kill('SIGKILL');
});

async function released(holder: ChildProcess) {
  const gone = new Promise((r) => holder.once('exit', r));
  holder.kill('SIGTERM');
  await gone;
}

describe('ledger locked by another process at start-up', () => {
  const LOCKED = 'the ledger is locked by another program; waiting';

  it('retries with backoff, then starts once the lock is released, and writes its records', async () => {
    const t = makeSpool('[ledger]\nbusy_timeout_ms = 100\n');
    const s1 = t.sentinel();
    await until('ledger created', () => t.events().some((e) => e.type === 'sentinel_started'));
    await stop(s1);
    const holder = await lockLedgerElsewhere(join(t.dir, 'ledger', 'ledger.db'));
    const s2 = t.sentinel();
    await until(
      'a retry logged',
      () =>
        s2
          .output()
          .split('\n')
          .filter((l) => l.includes(LOCKED)).length >= 2,
      15_000,
    );
    expect(s2.output()).toContain(join(t.dir, 'ledger', 'ledger.db'));
    const delays = s2
      .output()
      .split('\n')
      .filter((l) => l.includes(LOCKED))
      .map((l) => JSON.parse(l).retry_in_ms as number);
    expect(delays[1]).toBeGreaterThan(delays[0]!); // backoff
    expect(s2.output()).not.toContain('sentinel started');
    await released(holder);
    await until('started after the release', () => s2.output().includes('sentinel started'), 20_000);
    const w = t.worker();
    t.drop('after-lock.json', manifest('after-lock', 'noop'));
    await until(
      'done and recorded',
      () => t.job('after-lock')?.state === 'done' && t.events().filter((e) => e.type === 'sentinel_started').length === 2,
      15_000,
    );
    await stop(w, s2);
    verifyOk(t);
  });

  it('gives up with a clear error naming the file when the lock is never released', async () => {
    const t = makeSpool('[ledger]\nbusy_timeout_ms = 100\n');
    const s1 = t.sentinel();
    await until('ledger created', () => t.events().some((e) => e.type === 'sentinel_started'));
    await stop(s1);
    const path = join(t.dir, 'ledger', 'ledger.db');
    const holder = await lockLedgerElsewhere(path);
    const s2 = t.sentinel();
    const code = await exitedWithin(s2, 60_000, 'after giving up on the locked ledger');
    expect(code).toBe(1);
    const out = s2.output();
    expect(out.split('\n').filter((l) => l.includes(LOCKED)).length).toBeGreaterThanOrEqual(2);
    expect(out).toContain(`The ledger ${path} is locked by another program`);
    expect(out).toContain('start the sentinel again');
    expect(out).not.toContain('sentinel started');
    expect(out).not.toMatch(/^\s+at /m); // a sentence, not a stack trace
    await released(holder);
    expect(JSON.parse(t.run(['status', '--json']).stdout).sentinel.up).toBe(false);
  }, 90_000);
});

describe('ledger trouble', () => {
  it('waits for a ledger locked by another process, then writes what it kept', async () => {
    const t = makeSpool('[ledger]\nbusy_timeout_ms = 100\n');
    const s = t.sentinel();
    const w = t.worker();
    t.drop('first.json', manifest('first', 'noop'));
    await until('first done', () => doneIds(t).includes('first'));
    const holder = new Database(join(t.dir, 'ledger', 'ledger.db'));
    holder.exec('BEGIN EXCLUSIVE');
    for (const id of ['k1', 'k2']) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('jobs done while the ledger is locked', () => doneIds(t).includes('k1') && doneIds(t).includes('k2'));
    await until('lock reported', () => /cannot write the ledger.*SQLITE_BUSY|database is locked/.test(s.output()), 10_000);
    holder.exec('ROLLBACK');
    holder.close();
    await until('ledger caught up', () => t.job('k1')?.state === 'done' && t.job('k2')?.state === 'done', 10_000);
    await stop(w, s);
    verifyOk(t);
  });

  it('starts on a ledger locked at start-up and writes its records once it is released', async () => {
    const t = makeSpool('[ledger]\nbusy_timeout_ms = 100\n');
    const s1 = t.sentinel();
    await until('ledger created', () => t.events().some((e) => e.type === 'sentinel_started'));
    await stop(s1);
    const holder = new Database(join(t.dir, 'ledger', 'ledger.db'));
    holder.exec('BEGIN EXCLUSIVE');
    const s2 = t.sentinel();
    const w = t.worker();
    t.drop('early.json', manifest('early', 'noop'));
    await until('done while locked', () => doneIds(t).includes('early'));
    await until('lock reported', () => s2.output().includes('cannot write the ledger'), 10_000);
    holder.exec('ROLLBACK');
    holder.close();
    await until(
      'caught up',
      () => t.job('early')?.state === 'done' && t.events().filter((e) => e.type === 'sentinel_started').length === 2,
      10_000,
    );
    await stop(w, s2);
    verifyOk(t);
  });

  it('refuses a corrupt ledger, and `ledger rebuild` restores the jobs from the spool', async () => {
    // Without the journal on the share, the spool is all a rebuild has (test/integration/journal.test.ts rebuilds from the journal).
    const t = makeSpool('[journal]\nenabled = false\n');
    const s = t.sentinel();
    const w = t.worker();
    for (const id of ['c1', 'c2']) t.drop(`${id}.json`, manifest(id, 'noop'));
    t.drop('c3.json', manifest('c3', 'fail', { params: { code: 1 }, max_attempts: 1 }));
    await until('settled', () => doneIds(t).length === 2 && t.job('c3')?.state === 'failed');
    await stop(w, s);
    for (const suffix of ['-wal', '-shm']) rmSync(join(t.dir, 'ledger', `ledger.db${suffix}`), { force: true });
    writeFileSync(join(t.dir, 'ledger', 'ledger.db'), 'this is not a database, it was overwritten by mistake'.repeat(100));
    const refused = t.sentinel();
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(/The ledger .* is corrupt .*spoolctl ledger rebuild/);
    t.drop('c4.json', manifest('c4', 'noop'));
    const r = t.run(['ledger', 'rebuild']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('from the spool: 4 jobs (');
    expect(r.stdout).toContain("What was lost: each job's event history before now");
    expect(r.stdout).toMatch(/kept aside as .*ledger\.db\.before-rebuild-/);
    expect(t.job('c1')).toMatchObject({ state: 'done' });
    expect(t.job('c3')).toMatchObject({ state: 'failed' });
    expect(t.job('c4')).toMatchObject({ state: 'pending' });
    expect(t.run(['ledger', 'verify']).code).toBe(0);
    const s2 = t.sentinel();
    const w2 = t.worker();
    await until('c4 done', () => doneIds(t).includes('c4'));
    await stop(w2, s2);
    verifyOk(t);
  });

  it('refuses to rebuild while a sentinel runs', async () => {
    const t = makeSpool();
    const s = t.sentinel();
    await until('up', () => t.status().sentinel.up || undefined);
    const r = t.run(['ledger', 'rebuild']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already has a sentinel');
    await stop(s);
  });

  it('notices a ledger deleted under it and starts a new one from the spool', async () => {
    const t = makeSpool();
    const s = t.sentinel();
    const w = t.worker();
    t.drop('d1.json', manifest('d1', 'noop'));
    await until('d1 done', () => doneIds(t).includes('d1'));
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(t.dir, 'ledger', `ledger.db${suffix}`), { force: true });
    await until('reported', () => s.output().includes('the ledger file was deleted or replaced'), 10_000);
    t.drop('d2.json', manifest('d2', 'noop'));
    await until('d2 done', () => doneIds(t).includes('d2') && t.job('d2')?.state === 'done');
    expect(t.job('d1')).toMatchObject({ state: 'done' });
    await stop(w, s);
    verifyOk(t);
  });
});
