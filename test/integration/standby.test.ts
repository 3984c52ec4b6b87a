// A standby sentinel on a second host (`spoolctl sentinel --standby`): it waits while the
// active sentinel's lock is live, shows in `status`, takes over by itself when that sentinel
// dies, records the takeover naming both hosts, and never makes two sentinels active.
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allDone, makeSpool, manifest, until, type TestSpool } from '../helpers/spool.js';

const TOML = '[worker]\nheartbeat_ms = 200\nstale_after_ms = 2000\n[sentinel]\nscan_interval_ms = 200\n';
const A = { SPOOLCTL_HOST: 'host-a' };
const B = { SPOOLCTL_HOST: 'host-b' };

const sentinelOf = (t: TestSpool) => t.status().sentinel;
const standbyFiles = (t: TestSpool) => readdirSync(t.dir).filter((n) => n.startsWith('sentinel-standby-'));

describe('standby sentinel', () => {
  it('waits while the active sentinel lives, then takes over when it is killed, and the chain goes on', async () => {
    const t = makeSpool(TOML);
    const a = t.sentinel(A);
    await until('host-a active', () => sentinelOf(t).up && sentinelOf(t).host === 'host-a');
    const b = t.start(['sentinel', '--standby'], B);
    await until('host-b standing by', () => sentinelOf(t).standby.some((s: { host: string; up: boolean }) => s.host === 'host-b' && s.up));
    expect(t.run(['status']).stdout).toMatch(/^standby +pid \d+ on host-b, waiting since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d$/m);
    expect(b.output()).toContain('standing by: another sentinel is active');
    t.worker([], B);
    const first = ['s1', 's2', 's3'];
    for (const id of first) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('first jobs done', () => allDone(t, first));
    // Still one active sentinel: host-a's.
    expect(sentinelOf(t)).toMatchObject({ up: true, host: 'host-a' });

    a.child.kill('SIGKILL');
    await a.exited;
    await until('host-b active', () => sentinelOf(t).up && sentinelOf(t).host === 'host-b', 30_000);
    expect(standbyFiles(t)).toEqual([]);
    expect(sentinelOf(t).standby).toEqual([]);
    const later = ['s4', 's5'];
    for (const id of later) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('later jobs done', () => allDone(t, [...first, ...later]));
    const takeover = t.events().find((e) => e.type === 'sentinel_takeover');
    expect(takeover?.detail).toEqual({ from: `host-a:${a.pid}`, to: `host-b:${b.pid}` });
    for (const id of [...first, ...later]) expect(t.events(id).filter((e) => e.type === 'done')).toHaveLength(1);
    const verify = t.run(['ledger', 'verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('a standby stopped while it waits exits 0 and leaves nothing behind; the active sentinel goes on', async () => {
    const t = makeSpool(TOML);
    t.sentinel(A);
    await until('host-a active', () => sentinelOf(t).up);
    const b = t.start(['sentinel', '--standby'], B);
    await until('host-b standing by', () => standbyFiles(t).length === 1);
    b.child.kill('SIGTERM');
    expect(await b.exited, b.output()).toBe(0);
    expect(standbyFiles(t)).toEqual([]);
    expect(sentinelOf(t)).toMatchObject({ up: true, host: 'host-a' });
    expect(t.events().some((e) => e.type === 'sentinel_takeover')).toBe(false);
    expect(existsSync(`${t.dir}/sentinel.json`)).toBe(true);
  });

  it('start-services --standby on a second host runs a standby sentinel beside its workers, which takes over', async () => {
    const t = makeSpool(TOML);
    const a = t.sentinel(A);
    await until('host-a active', () => sentinelOf(t).up && sentinelOf(t).host === 'host-a');
    const started = t.run(['start-services', '--workers', '1', '--standby'], B);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/standby sentinel pid \d+/);
    await until('host-b standing by', () => sentinelOf(t).standby.some((s: { host: string; up: boolean }) => s.host === 'host-b' && s.up));
    a.child.kill('SIGKILL');
    await until('host-b active', () => sentinelOf(t).up && sentinelOf(t).host === 'host-b', 30_000);
    t.drop('after.json', manifest('after', 'noop'));
    await until('after done', () => allDone(t, ['after']));
    expect(t.run(['stop-services'], B).code).toBe(0);
  });

  it('a sentinel paused past the stale limit and replaced writes nothing when it wakes, and exits', async () => {
    const t = makeSpool(TOML);
    const a = t.sentinel(A);
    await until('host-a active', () => sentinelOf(t).up && sentinelOf(t).host === 'host-a');
    t.start(['sentinel', '--standby'], B);
    await until('host-b standing by', () => standbyFiles(t).length === 1);
    process.kill(a.pid, 'SIGSTOP');
    await until('host-b active', () => sentinelOf(t).up && sentinelOf(t).host === 'host-b', 30_000);
    t.worker([], B);
    t.drop('x.json', manifest('x', 'noop'));
    await until('x done', () => allDone(t, ['x']));
    process.kill(a.pid, 'SIGCONT');
    expect(await a.exited, a.output()).toBe(1);
    // The journal's chain and the ledger's are one: host-a's wake added nothing to either.
    const verify = t.run(['ledger', 'verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
