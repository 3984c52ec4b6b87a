// Acceptance: the worker cap, a single sentinel per spool, config errors that name the file
// and key, and `ledger verify` naming a tampered row.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSpool, manifest, until } from '../helpers/spool.js';

describe('limits and integrity', () => {
  it('refuses a fifth worker with max_workers = 4, naming the cap', async () => {
    const t = makeSpool('[worker]\nmax_workers = 4\n');
    for (let i = 0; i < 4; i += 1) t.worker();
    await until('4 slots held', () => t.status().slots.filter((s: { state: string }) => s.state === 'idle').length === 4);
    const fifth = t.worker();
    expect(await fifth.exited).toBe(1);
    expect(fifth.output()).toContain('All 4 worker slots are taken (worker.max_workers = 4, hard cap 8)');
    const slot9 = t.run(['worker', '--slot', '9']);
    expect(slot9.code).toBe(2);
    expect(slot9.stderr).toContain('hard cap');
  });

  it('rejects max_workers above 8 naming the key and the file', () => {
    const t = makeSpool('[worker]\nmax_workers = 9\n');
    const r = t.run(['worker']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(t.dir, 'spool.toml'));
    expect(r.stderr).toContain('worker.max_workers = 9 is above the hard cap of 8');
    const typo = makeSpool('[worker]\nmax_worker = 3\n');
    expect(typo.run(['status']).stderr).toContain('unknown key "worker.max_worker"');
    const wrongType = makeSpool('[jobs]\nmax_attempts = "three"\n');
    expect(wrongType.run(['status']).stderr).toContain('jobs.max_attempts must be an integer (got "three")');
  });

  it('allows one sentinel per spool and names the holder', async () => {
    const t = makeSpool();
    const first = t.sentinel({ SPOOLCTL_HOST: 'host-a' });
    await until('first sentinel up', () => t.status().sentinel.up === true || undefined);
    const second = t.sentinel({ SPOOLCTL_HOST: 'host-b' });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`already has a sentinel: pid ${first.pid} on host host-a`);
    // After kill -9 on the same host, a new sentinel takes over at once.
    first.child.kill('SIGKILL');
    await first.exited;
    const third = t.sentinel({ SPOOLCTL_HOST: 'host-a' });
    await until('third sentinel up', () => t.status().sentinel.pid === third.pid || undefined);
  });

  it('ledger verify names a tampered row', async () => {
    const t = makeSpool();
    const s = t.sentinel();
    t.worker();
    for (const id of ['t1', 't2', 't3']) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('all done', () => ['t1', 't2', 't3'].every((id) => t.job(id)?.state === 'done'));
    expect(t.run(['ledger', 'verify']).code).toBe(0);
    s.child.kill('SIGTERM');
    await s.exited;
    const db = new Database(join(t.dir, 'ledger', 'ledger.db'));
    const victim = db.prepare("SELECT seq FROM events WHERE type = 'done' AND job = 't2'").get() as { seq: number };
    db.exec('DROP TRIGGER events_append_only_update');
    db.prepare('UPDATE events SET detail = \'{"exit_code":1}\' WHERE seq = ?').run(victim.seq);
    db.close();
    const r = t.run(['ledger', 'verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`row ${victim.seq}: contents do not match its hash`);
  });
});
