// Acceptance: a crash at every failpoint, then recovery, leaves a spool that `verify`
// passes, with every job done exactly once.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAILPOINTS, type FailpointName } from '../../src/faults/points.js';
import {
  CRASH_POINTS,
  HALF,
  FAST,
  acks,
  armed,
  crashed,
  expectSound,
  requests,
  scenarioFor,
  stopAll,
} from '../helpers/failpoint-scenarios.js';
import { allDone, exitedWithin, isDone, makeSpool, manifest, type Proc, until } from '../helpers/spool.js';

describe('crash at every failpoint', () => {
  it('lists every failpoint with one line each', () => {
    const t = makeSpool();
    const out = t.run(['failpoints']).stdout;
    for (const name of Object.keys(FAILPOINTS)) expect(out).toMatch(new RegExp(`^${name.replace('.', '\\.')}\\s+\\S`, 'm'));
  });

  // The other half runs in failpoints-crash.test.ts, beside this file.
  it.each(CRASH_POINTS.slice(0, HALF))('%s=crash: recovery leaves a spool that verify passes', async (point) => {
    await scenarioFor(point)(point);
  });

  it.each(['ENOENT', 'EIO', 'ESTALE'])(
    'takes a rename that succeeded but reported %s as done (spool-layout.md rule 4): every job done once',
    async (code) => {
      const t = makeSpool(FAST);
      const s = t.sentinel({ SPOOLCTL_FAILPOINTS: `rename.reply-lost=error(${code})` });
      const w = t.worker();
      const ids = ['amb-a', 'amb-b', 'amb-c', 'amb-d'];
      for (const id of ids) t.drop(`${id}.json`, manifest(id, 'work', { params: { ms: 50 } }));
      await until('all done', () => allDone(t, ids));
      expect(s.output()).toContain('failpoint fired');
      expect(s.output()).not.toContain('"level":"error"');
      await stopAll(w, s);
      expectSound(t, ids);
    },
  );
});

describe('a control request cut short by a crash is applied once', () => {
  it.each(['control.after-move', 'control.before-ack', 'control.after-ack'] as FailpointName[])(
    'cancel, crash at %s: acknowledged as applied, not refused as already cancelled',
    async (point) => {
      const t = makeSpool(FAST);
      const s1 = t.sentinel(armed(point));
      t.drop('fp-c.json', manifest('fp-c', 'noop'));
      await until('admitted', () => t.job('fp-c'));
      expect(t.run(['jobs', 'cancel', 'fp-c', '--no-wait']).code).toBe(0);
      await crashed(s1);
      expect(t.files('cancelled')).toEqual(['fp-c.json']);
      const s2 = t.sentinel();
      await until('request acknowledged', () => requests(t).length === 0 && acks(t).length === 1);
      expect(acks(t)[0]!.items).toEqual([{ target: 'fp-c', ok: true, from: 'pending', to: 'cancelled' }]);
      await until('recorded', () => t.job('fp-c')?.state === 'cancelled');
      expect(t.events('fp-c').filter((e) => e.type === 'cancelled' || e.type === 'failed')).toHaveLength(1);
      await stopAll(s2);
      const v = t.run(['verify', '--json']);
      expect(JSON.parse(v.stdout).violations, v.stdout).toEqual([]);
    },
  );
});

/** The state letter of a process in /proc (R, S, T for stopped, ...). */
function procState(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
  } catch {
    return undefined;
  }
}

function fired(p: Proc): { failpoint: string; hit: number }[] {
  return p
    .output()
    .split('\n')
    .filter((l) => l.includes('"failpoint fired"'))
    .map((l) => JSON.parse(l) as { failpoint: string; hit: number });
}

describe('failpoint actions', () => {
  it('exit(code): submit exits with that code before publishing anything', () => {
    const t = makeSpool();
    const r = t.run(['submit', '--plugin', 'noop', '--id', 'ex-a'], { SPOOLCTL_FAILPOINTS: 'submit.before-publish=exit(7)' });
    expect(r.code, r.stderr).toBe(7);
    expect(r.stderr).toContain('failpoint fired');
    expect(t.files('pending')).toEqual([]);
  });

  it('exit(code): a worker exits with that code at run.before-spawn, and another runs the job once', async () => {
    const t = makeSpool(FAST);
    const s = t.sentinel();
    const w1 = t.worker([], { SPOOLCTL_FAILPOINTS: 'run.before-spawn=exit(5)' });
    t.drop('ex-b.json', manifest('ex-b', 'noop'));
    expect(await exitedWithin(w1, 20_000, 'at run.before-spawn')).toBe(5);
    expect(w1.output()).toContain('"failpoint":"run.before-spawn"');
    const w2 = t.worker();
    await until('done', () => isDone(t, 'ex-b'));
    await stopAll(w2, s);
    expectSound(t, ['ex-b']);
  });

  it('sleep(ms): submit holds between writing tmp/ and publishing into pending/, then publishes', async () => {
    const t = makeSpool();
    const p = t.start(['submit', '--plugin', 'noop', '--id', 'sl-a'], { SPOOLCTL_FAILPOINTS: 'submit.after-write=sleep(3000)' });
    await until('sleeping with the manifest written in tmp/', () => p.output().includes('failpoint fired') && t.files('tmp').length === 1);
    expect(t.files('pending')).toEqual([]);
    expect(await exitedWithin(p, 20_000, 'after its sleep')).toBe(0);
    expect(t.files('pending')).toEqual(['sl-a.json']);
    expect(t.files('tmp')).toEqual([]);
  });

  it('error(EIO) at submit.after-write: submit fails with a clear error and publishes nothing', () => {
    const t = makeSpool();
    const r = t.run(['submit', '--plugin', 'noop', '--id', 'eio-a'], { SPOOLCTL_FAILPOINTS: 'submit.after-write=error(EIO)' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('EIO');
    expect(t.files('pending')).toEqual([]);
  });

  it.each([
    ['sentinel', 'complete.before-move'],
    ['sentinel', 'claim.before-rename'],
    ['sentinel', 'journal.before-append'],
    ['sentinel', 'ledger.before-commit'],
    ['worker', 'run.before-start-line'],
    ['worker', 'result.mid-append'],
    ['worker', 'result.before-append'],
    ['worker', 'heartbeat.before-write'],
  ] as const)('error(EIO) once in the %s at %s: every job done exactly once', async (who, point) => {
    const t = makeSpool(FAST);
    const env = { SPOOLCTL_FAILPOINTS: `${point}=1*error(EIO)` };
    const s = t.sentinel(who === 'sentinel' ? env : {});
    const w = t.worker([], who === 'worker' ? env : {});
    const ids = ['eio-b', 'eio-c', 'eio-d'];
    for (const id of ids) t.drop(`${id}.json`, manifest(id, 'work', { params: { ms: 300 } }));
    const armedProc = who === 'sentinel' ? s : w;
    await until('fired', () => fired(armedProc).length === 1);
    // The sentinel must ride it out. A worker may stop on it (these two points sit outside the
    // worker's own retry of a failed write today); a supervisor then starts another, and the
    // job must still be done once.
    const procs: Proc[] = [s, w];
    await until('all done, or the worker gone', () => allDone(t, ids) || w.child.exitCode !== null || w.child.signalCode !== null);
    if (!allDone(t, ids)) {
      procs.push(t.worker());
      await until('all done with a fresh worker', () => allDone(t, ids));
    }
    expect(s.child.exitCode, s.output()).toBeNull();
    await stopAll(...procs);
    expect(fired(armedProc)).toHaveLength(1);
    expectSound(t, ids);
  });

  it('pause: the worker stops itself at run.before-spawn, and SIGCONT resumes it', async () => {
    const t = makeSpool();
    const s = t.sentinel();
    const w = t.worker([], { SPOOLCTL_FAILPOINTS: 'run.before-spawn=1*pause' });
    t.drop('pz-a.json', manifest('pz-a', 'noop'));
    await until('stopped by itself', () => w.output().includes('"failpoint":"run.before-spawn"') && procState(w.pid) === 'T');
    expect(t.files('claimed/slot-1')).toHaveLength(1);
    expect(isDone(t, 'pz-a')).toBe(false);
    process.kill(w.pid, 'SIGCONT');
    await until('done after SIGCONT', () => isDone(t, 'pz-a'));
    expect(procState(w.pid)).not.toBe('T');
    await stopAll(w, s);
    expectSound(t, ['pz-a']);
  });

  it('N*: fires N times, then no more', async () => {
    const t = makeSpool(FAST);
    const s = t.sentinel({ SPOOLCTL_FAILPOINTS: 'claim.before-rename=2*sleep(1)' });
    const w = t.worker();
    const ids = ['n-a', 'n-b', 'n-c', 'n-d', 'n-e'];
    for (const id of ids) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('all done', () => allDone(t, ids));
    await stopAll(w, s);
    expect(fired(s).map((f) => f.hit)).toEqual([1, 2]);
    expectSound(t, ids);
  });

  it('P% with SPOOLCTL_FAILPOINTS_SEED: the same seed fires at the same passes, another seed at others', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `p-${i}`);
    const runOnce = async (seed: string) => {
      const t = makeSpool(FAST);
      for (const id of ids) t.drop(`${id}.json`, manifest(id, 'noop'));
      const s = t.sentinel({ SPOOLCTL_FAILPOINTS: 'intake.after-read=50%sleep(1)', SPOOLCTL_FAILPOINTS_SEED: seed });
      await until('all admitted', () => ids.every((id) => t.job(id)));
      await stopAll(s);
      return fired(s)
        .filter((f) => f.failpoint === 'intake.after-read' && f.hit <= ids.length)
        .map((f) => f.hit);
    };
    const [a, b, c] = await Promise.all([runOnce('1234'), runOnce('1234'), runOnce('98765')]);
    expect(a.length).toBeGreaterThan(0);
    expect(a.length).toBeLessThan(ids.length);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('refuses a malformed SPOOLCTL_FAILPOINTS with an error naming the bad part, and runs nothing', () => {
    const t = makeSpool();
    const r = t.run(['submit', '--plugin', 'noop', '--id', 'bad-fp'], {
      SPOOLCTL_FAILPOINTS: 'submit.before-publish=crash;claim.after-rename=sleep(soon)',
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('SPOOLCTL_FAILPOINTS');
    expect(r.stderr).toContain('"claim.after-rename=sleep(soon)"');
    expect(r.stderr).toContain('sleep takes a whole number of milliseconds');
    expect(t.files('pending')).toEqual([]);
    const u = t.run(['status'], { SPOOLCTL_FAILPOINTS: 'claim.after-renam=crash' });
    expect(u.code).not.toBe(0);
    expect(u.stderr).toContain('unknown failpoint "claim.after-renam"');
  });
});
