// Acceptance: `jobs requeue|hold|release|cancel` go through the sentinel, wait for it, and
// the ledger names who asked; with the sentinel down the request is queued and says so.
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isDone, makeSpool, manifest, until } from '../helpers/spool.js';

const me = `${userInfo().username}@test-host`;
const env = { SPOOLCTL_HOST: 'test-host' };

describe('control channel', () => {
  it('requeues a failed job through the sentinel and records who asked', async () => {
    const t = makeSpool();
    t.sentinel(env);
    t.worker([], env);
    t.drop('broken.json', manifest('broken', 'fail', { params: { code: 4 }, max_attempts: 1 }));
    await until('job failed', () => t.job('broken')?.state === 'failed');
    // Fix the plugin, then requeue.
    t.plugin('fail', { command: ['true'] });
    const r = t.run(['jobs', 'requeue', 'broken'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('broken: requeued (failed -> pending)');
    await until('job done after requeue', () => isDone(t, 'broken'));
    const requeued = t.events('broken').find((e) => e.type === 'requeued')!;
    expect(requeued.actor).toBe(`${me} (uid ${process.getuid!()})`);
    expect(t.events('broken').map((e) => e.type)).toEqual(['submitted', 'claimed', 'failed', 'requeued', 'claimed', 'done']);
    expect(t.files('failed')).toEqual([]);
  });

  it('holds, releases and cancels, and refuses what does not apply', async () => {
    const t = makeSpool();
    t.sentinel(env);
    t.drop('a.json', manifest('a', 'noop'));
    t.drop('b.json', manifest('b', 'noop'));
    await until('both admitted', () => t.job('a') && t.job('b'));
    expect(t.run(['jobs', 'hold', 'a', 'b'], env).code).toBe(0);
    expect(t.files('held').sort()).toEqual(['a.json', 'b.json']);
    const cancel = t.run(['jobs', 'cancel', 'b'], env);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(t.files('cancelled')).toEqual(['b.json']);
    expect(t.files('failed')).toEqual([]);
    const bad = t.run(['jobs', 'release', 'b', 'nope'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('b: not released: it is cancelled');
    expect(bad.stderr).toContain('no job "nope"');
    expect(t.run(['jobs', 'release', 'a'], env).code).toBe(0);
    t.worker([], env);
    await until('a done', () => isDone(t, 'a'));
    expect(t.events('b').map((e) => e.type)).toEqual(['submitted', 'held', 'cancelled']);
    expect(t.job('b')).toMatchObject({ state: 'cancelled', last_error: `cancelled by ${me} (uid ${process.getuid!()})` });
    expect(t.run(['jobs', 'show', 'nope'], env).code).toBe(2);
  });

  it('cancels a running job: the plugin is stopped and its late result fenced', async () => {
    const t = makeSpool();
    t.sentinel(env);
    t.worker([], env);
    t.drop('long.json', manifest('long', 'work', { params: { ms: 20000 } }));
    await until('running', () => t.job('long')?.state === 'claimed');
    const r = t.run(['jobs', 'cancel', 'long'], env);
    expect(r.code, r.stderr).toBe(0);
    await until('late result fenced', () => t.events('long').some((e) => e.type === 'fenced'), 10_000);
    expect(t.job('long')).toMatchObject({ state: 'cancelled', file: 'cancelled/long.1.json' });
    expect(t.files('failed')).toEqual([]);
    expect(t.events('long').map((e) => e.type)).toEqual(['submitted', 'claimed', 'cancelled', 'fenced']);
    // The worker is free again.
    t.drop('next.json', manifest('next', 'noop'));
    await until('next done', () => isDone(t, 'next'));
  });

  it('says the sentinel is down and queues the request, applied when it starts', async () => {
    const t = makeSpool();
    t.drop('later.json', manifest('later', 'noop'));
    const r = t.run(['jobs', 'hold', 'later'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the sentinel is down: request \S+ is queued/);
    expect(t.files('control').filter((n) => n.endsWith('.json'))).toHaveLength(1);
    t.sentinel(env);
    await until('hold applied and recorded', () => t.files('held').includes('later.json') && t.job('later')?.state === 'held');
    expect(t.events('later').map((e) => e.type)).toEqual(['submitted', 'held']);
  });
});
