// Acceptance (workers list / cleanup): live workers shown with the right states; after kill -9
// of two busy workers, cleanup frees their slots and their jobs complete once elsewhere; the
// plan alone changes nothing; a paused worker past the stale limit is killed with its plugin.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkerRow } from '../../src/api/workers.js';
import { hostId } from '../../src/config/identity.js';
import { localWorkersOf } from '../../src/fleet/processes.js';
import { selfCommand } from '../../src/paths.js';
import { procId, stillRunning } from '../../src/proc.js';
import { allDone, doneIds, exitedWithin, makeSpool, manifest, until, type TestSpool } from '../helpers/spool.js';

const FAST = '[worker]\nheartbeat_ms = 200\nstale_after_ms = 3000\nkill_grace_ms = 500\n';

function list(t: TestSpool): WorkerRow[] {
  const r = t.run(['workers', 'list', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { slots: WorkerRow[] }).slots;
}

const stateOf = (t: TestSpool, slot: number) => list(t).find((r) => r.slot === slot)?.state;
const slotFiles = (t: TestSpool) =>
  readdirSync(join(t.dir, 'slots'))
    .filter((n) => n.startsWith('slot-'))
    .sort();

/** Pids of processes whose environment names this spool: the plugins its workers run. */
function pluginsOf(t: TestSpool): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((pid) => {
      try {
        const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        return env.includes(`SPOOLCTL_SPOOL=${t.dir}`) && env.some((e) => e.startsWith('SPOOLCTL_JOB_ID='));
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('workers list', () => {
  it('shows every slot with its state, holder, job and counters', async () => {
    const t = makeSpool(FAST);
    t.sentinel();
    const a = t.worker(['--slot', '1']);
    const b = t.worker(['--slot', '2']);
    const c = t.worker(['--slot', '3']);
    await until('three idle workers', () => [1, 2, 3].every((s) => stateOf(t, s) === 'idle'));
    t.drop('quick.json', manifest('quick', 'noop'));
    await until('quick done', () => allDone(t, ['quick']));
    t.drop('long.json', manifest('long', 'work', { params: { ms: 20000 } }));
    const busy = await until('one worker busy with long', () =>
      list(t).find((r) => r.state === 'busy' && r.job === 'long' && (r.progress ?? 0) > 0),
    );
    c.child.kill('SIGKILL');
    await c.exited;
    const rows = list(t);
    expect(rows.map((r) => r.slot)).toEqual([1, 2, 3, 4]);
    expect(rows.find((r) => r.pid === c.pid)?.state).toBe('dead');
    expect(rows.find((r) => r.slot === 4)).toEqual({
      slot: 4,
      state: 'free',
      host: null,
      pid: null,
      job: null,
      progress: null,
      jobs_done: null,
      jobs_failed: null,
      started_at: null,
      uptime_s: null,
      heartbeat_age_ms: null,
      tags: null,
      reason: null,
    });
    const live = rows.filter((r) => r.pid === a.pid || r.pid === b.pid);
    expect(live.map((r) => r.state).sort()).toEqual(['busy', 'idle']);
    for (const r of live) {
      expect(r.host).toBeTruthy();
      expect(r.started_at).toBeTruthy();
      expect(r.uptime_s).toBeGreaterThanOrEqual(0);
      expect(r.heartbeat_age_ms).toBeGreaterThanOrEqual(0);
      expect(r.jobs_failed).toBe(0);
    }
    expect(live.reduce((n, r) => n + (r.jobs_done ?? 0), 0) + (rows.find((r) => r.pid === c.pid)?.jobs_done ?? 0)).toBe(1);

    expect(t.run(['workers', 'drain', String(busy.slot)]).code).toBe(0);
    await until('the busy slot draining', () => stateOf(t, busy.slot) === 'draining');

    const human = t.run(['workers', 'list']);
    expect(human.code).toBe(0);
    for (const line of human.stdout.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(human.stdout).toMatch(/dead: worker pid \d+ on .* is not running/);
  });
});

describe('workers cleanup', () => {
  it('frees the slots of two busy workers killed with -9; their jobs complete once on other workers', async () => {
    const t = makeSpool(FAST);
    t.sentinel();
    const a = t.worker(['--slot', '1']);
    const b = t.worker(['--slot', '2']);
    await until('both idle', () => stateOf(t, 1) === 'idle' && stateOf(t, 2) === 'idle');
    t.drop('x.json', manifest('x', 'work', { params: { ms: 6000 } }));
    t.drop('y.json', manifest('y', 'work', { params: { ms: 6000 } }));
    await until('both busy', () => stateOf(t, 1) === 'busy' && stateOf(t, 2) === 'busy');
    a.child.kill('SIGKILL');
    b.child.kill('SIGKILL');
    await Promise.all([a.exited, b.exited]);
    expect(stateOf(t, 1)).toBe('dead');
    expect(stateOf(t, 2)).toBe('dead');

    const before = slotFiles(t);
    expect(before).toEqual(expect.arrayContaining(['slot-1.json', 'slot-1.lock', 'slot-2.json', 'slot-2.lock']));
    const plan = t.run(['workers', 'cleanup']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(`slot 1: remove the lock and heartbeat of dead worker`);
    expect(plan.stdout).toContain(`:${a.pid}`);
    expect(plan.stdout).toContain(`slot 2: remove the lock and heartbeat of dead worker`);
    expect(plan.stderr).toContain('--yes');
    expect(slotFiles(t)).toEqual(before);

    const done = t.run(['workers', 'cleanup', '--yes']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('slot 1: freed');
    expect(done.stdout).toContain('slot 2: freed');
    expect(slotFiles(t)).toEqual([]);
    expect([stateOf(t, 1), stateOf(t, 2)]).toEqual(['free', 'free']);

    t.worker(['--slot', '3']);
    t.worker(['--slot', '4']);
    await until('x and y done', () => allDone(t, ['x', 'y']), 60_000);
    expect(doneIds(t).sort()).toEqual(['x', 'y']);
    for (const id of ['x', 'y']) {
      const types = t.events(id).map((e) => e.type);
      expect(types.filter((e) => e === 'done')).toHaveLength(1);
      expect(types).toContain('reclaimed');
      // Reclaimed as lost workers (the attempt counts), not handed back as if they had left cleanly.
      expect(t.job(id)).toMatchObject({ state: 'done', attempts: 2 });
    }
    const verify = t.run(['verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('waits for a sentinel on another host to reclaim a lost job before freeing its slot, so the attempt counts', async () => {
    const t = makeSpool(FAST);
    // That sentinel cannot see that the pid is gone: it waits for the heartbeat to go stale.
    t.sentinel({ SPOOLCTL_HOST: 'sentinel-host' });
    const a = t.worker(['--slot', '1']);
    await until('worker idle', () => stateOf(t, 1) === 'idle');
    t.drop('z.json', manifest('z', 'work', { params: { ms: 20000 } }));
    await until('z running', () => stateOf(t, 1) === 'busy');
    a.child.kill('SIGKILL');
    await a.exited;
    const r = t.run(['workers', 'cleanup', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('The sentinel took back 1 job from the lost slots before they were freed.');
    expect(r.stdout).toContain('slot 1: freed');
    const reclaimed = t.events('z').find((e) => e.type === 'reclaimed');
    expect(String(reclaimed?.detail.reason)).toMatch(/heartbeat .* old/);
    expect(t.job('z')).toMatchObject({ state: 'pending', attempts: 1 });
    await until('the cleanup recorded in the ledger', () =>
      t.events().some((e) => e.type === 'worker_left' && String(e.detail.reason).includes('workers cleanup')),
    );
  });

  it('kills a paused worker past the stale limit, with its plugin, and leaves live workers and other spools alone', async () => {
    const t = makeSpool(FAST);
    const other = makeSpool(FAST);
    t.sentinel();
    const a = t.worker(['--slot', '1']);
    const b = t.worker(['--slot', '2']);
    const elsewhere = other.worker(['--slot', '1']);
    await until('workers idle', () => stateOf(t, 1) === 'idle' && stateOf(t, 2) === 'idle' && stateOf(other, 1) === 'idle');
    t.drop('p.json', manifest('p', 'work', { params: { ms: 40000 } }));
    const running = await until('p running', () => list(t).find((r) => r.job === 'p' && (r.progress ?? 0) > 0));
    const [victim, survivor] = running.pid === a.pid ? [a, b] : [b, a];
    const [plugin] = pluginsOf(t);
    expect(plugin).toBeDefined();
    process.kill(victim.pid, 'SIGSTOP');
    await until('slot stale', () => stateOf(t, running.slot) === 'stale', 20_000);

    const r = t.run(['workers', 'cleanup', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`slot ${running.slot}: remove the lock and heartbeat of stale worker`);
    expect(r.stdout).toContain(`kill orphaned local worker process ${victim.pid}`);
    expect(r.stdout).toContain(`process ${victim.pid}: killed with SIGKILL`);
    await exitedWithin(victim, 10_000, 'after cleanup');
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(existsSync(join(t.dir, 'slots', `slot-${running.slot}.json`))).toBe(false);
    await until('its plugin gone', () => !stillRunning(procId(plugin!)));

    expect(survivor.child.exitCode).toBeNull();
    expect(elsewhere.child.exitCode).toBeNull();
    expect(stateOf(other, 1)).toBe('idle');
    await until('p reclaimed', () => t.events('p').some((e) => e.type === 'reclaimed'));
    expect(t.run(['jobs', 'cancel', 'p']).code).toBe(0);
    await until('p settled', () => t.job('p')?.state === 'cancelled' && t.files(`claimed/slot-${survivor === a ? 1 : 2}`).length === 0);
    expect(t.events('p').filter((e) => e.type === 'done')).toHaveLength(0);
    const verify = t.run(['verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    const again = t.run(['workers', 'cleanup']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to clean up');
  });

  it('finds the workers of this spool on this host, however they were pointed at it, and no others', async () => {
    const t = makeSpool(FAST);
    const other = makeSpool(FAST);
    const [node, script] = selfCommand() as [string, string];
    const env = { ...process.env, SPOOLCTL_SPOOL: '', SPOOLCTL_HOST: '' };
    const start = (args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}) => {
      const child = spawn(node, [script, ...args], { cwd, env: { ...env, ...extra }, stdio: 'ignore' });
      return { child, exited: new Promise((r) => child.once('exit', r)) };
    };
    const byFlag = start(['--spool', '.', 'worker', '--slot', '1'], t.dir);
    const byEnv = start(['worker', '--slot', '2'], other.dir, { SPOOLCTL_SPOOL: t.dir });
    const byCwd = start(['-v', 'worker', '--slot', '3'], join(t.dir, 'plugins'));
    const otherHost = start(['worker', '--slot', '4'], t.dir, { SPOOLCTL_HOST: 'some-other-host' });
    const otherSpool = start(['worker'], other.dir);
    const all = [byFlag, byEnv, byCwd, otherHost, otherSpool];
    try {
      await until('five workers up', () => list(t).filter((r) => r.state === 'idle').length === 4 && stateOf(other, 1) === 'idle');
      const found = localWorkersOf(t.dir, hostId())
        .map((p) => p.pid)
        .sort();
      expect(found).toEqual([byFlag, byEnv, byCwd].map((p) => p.child.pid!).sort());
    } finally {
      for (const p of all) p.child.kill('SIGKILL');
      await Promise.all(all.map((p) => p.exited));
    }
  });
});
