// Acceptance: `cancelled` is a final state of its own, with its own directory, ledger state,
// count and listing; `--state failed` never selects a cancelled job, a requeue by id brings
// one back (recorded as coming from cancelled), and a rebuilt ledger and `verify` know it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selfCommand } from '../../src/paths.js';
import { exitedWithin, isDone, makeSpool, manifest, until, type TestSpool } from '../helpers/spool.js';

function ids(t: TestSpool, args: string[]): string[] {
  const r = t.run(['jobs', 'list', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: string }[]).map((j) => j.id).sort();
}

function counts(t: TestSpool): Record<string, number> {
  return (JSON.parse(t.run(['status', '--json']).stdout) as { counts: Record<string, number> }).counts;
}

describe('cancelled jobs', () => {
  it('end in cancelled/, pending, held or running, and are never failed ones', async () => {
    const t = makeSpool();
    const sentinel = t.sentinel();
    t.worker();
    t.drop('long.json', manifest('long', 'work', { params: { ms: 20000 } }));
    await until('running', () => t.job('long')?.state === 'claimed');
    t.drop('queued.json', manifest('queued', 'noop'));
    t.drop('parked.json', manifest('parked', 'noop'));
    t.drop('broken.json', manifest('broken', 'fail', { params: { code: 3 }, max_attempts: 1 }));
    await until('admitted', () => t.job('queued') && t.job('parked') && t.job('broken'));
    expect(t.run(['jobs', 'hold', 'parked', 'queued', 'broken']).code).toBe(0);
    expect(t.run(['jobs', 'release', 'broken']).code).toBe(0);

    const r = t.run(['jobs', 'cancel', 'long', 'queued', 'parked']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('long: cancelled (claimed -> cancelled)');
    expect(r.stdout).toContain('queued: cancelled (held -> cancelled)');
    // The running job's claim is withdrawn: the worker stops the plugin and its late result is fenced.
    await until('late result fenced', () => t.events('long').some((e) => e.type === 'fenced'), 30_000);
    await until('broken failed', () => t.job('broken')?.state === 'failed', 30_000);

    expect(t.files('cancelled').sort()).toEqual(['long.1.json', 'parked.json', 'queued.json']);
    expect(t.files('failed')).toEqual(['broken.1.json']);
    const why = JSON.parse(readFileSync(join(t.dir, 'cancelled', 'long.1.error.json'), 'utf8')) as { reason: string };
    expect(why.reason).toMatch(/^cancelled by /);
    expect(t.job('long')).toMatchObject({ state: 'cancelled', file: 'cancelled/long.1.json' });
    expect(String(t.job('long')!.last_error)).toMatch(/^cancelled by /);
    expect(t.events('long').map((e) => e.type)).toEqual(['submitted', 'claimed', 'cancelled', 'fenced']);
    expect(t.events('parked').map((e) => e.type)).toEqual(['submitted', 'held', 'cancelled']);

    expect(counts(t)).toMatchObject({ cancelled: 3, failed: 1 });
    expect(ids(t, ['--state', 'cancelled'])).toEqual(['long', 'parked', 'queued']);
    expect(ids(t, ['--state', 'failed'])).toEqual(['broken']);
    const dry = t.run(['jobs', 'requeue', '--state', 'failed', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('1 job would be requeued');
    expect(dry.stdout).not.toMatch(/\b(long|parked|queued)\b/);
    // Cancelling again has nothing to do.
    const again = t.run(['jobs', 'cancel', 'parked']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('parked: cancelled (already cancelled)');

    // A requeue by id brings a cancelled job back, and says where from.
    const requeue = t.run(['jobs', 'requeue', 'queued']);
    expect(requeue.code, requeue.stderr).toBe(0);
    expect(requeue.stdout).toContain('queued: requeued (cancelled -> pending)');
    await until('queued done', () => isDone(t, 'queued'));
    expect(t.events('queued').find((e) => e.type === 'requeued')?.detail).toMatchObject({ from: 'cancelled', to: 'pending' });
    expect(existsSync(join(t.dir, 'cancelled', 'queued.error.json'))).toBe(false);

    // The ledger rebuilt from the spool finds the cancelled jobs in cancelled/; verify agrees.
    sentinel.child.kill('SIGTERM');
    await exitedWithin(sentinel, 30_000, 'after SIGTERM');
    const rebuilt = t.run(['ledger', 'rebuild']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(t.job('long')).toMatchObject({ state: 'cancelled', file: 'cancelled/long.1.json' });
    expect(ids(t, ['--state', 'cancelled'])).toEqual(['long', 'parked']);
    const verify = t.run(['verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    // Purge takes cancelled jobs too.
    t.sentinel();
    await until('the sentinel up', () => t.status().sentinel.up);
    const purge = t.run(['jobs', 'purge', '--state', 'cancelled', '--yes']);
    expect(purge.code, purge.stdout + purge.stderr).toBe(0);
    expect(readdirSync(join(t.dir, 'cancelled'))).toEqual([]);
  });

  it('works on a spool made before cancelled/ existed, and init makes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spoolctl-test-'));
    const t = makeSpool('', dir);
    expect(existsSync(join(dir, 'cancelled'))).toBe(true);
    rmdirSync(join(dir, 'cancelled'));
    t.sentinel();
    t.drop('old.json', manifest('old', 'noop'));
    await until('admitted', () => t.job('old')?.state === 'pending');
    expect(counts(t).cancelled).toBe(0);
    const r = t.run(['jobs', 'cancel', 'old']);
    expect(r.code, r.stderr).toBe(0);
    expect(t.files('cancelled')).toEqual(['old.json']);
    // The acknowledgement comes within the pass; the ledger's commit ends it.
    await until('cancel recorded', () => t.job('old')?.state === 'cancelled');

    const fresh = join(dir, 'another');
    const [exe, ...pre] = selfCommand() as [string, ...string[]];
    const init = spawnSync(exe, [...pre, 'init', fresh], { encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    expect(existsSync(join(fresh, 'cancelled'))).toBe(true);
  });
});
