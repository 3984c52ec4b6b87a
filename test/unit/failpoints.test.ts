// The SPOOLCTL_FAILPOINTS parser and the firing rules (counts, seeded probabilities), in process.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { configureFailpoints, fail, parseFailpoints, seededRandom } from '../../src/faults/failpoints.js';
import { FAILPOINTS, type FailpointName } from '../../src/faults/points.js';

afterEach(() => {
  configureFailpoints(undefined, undefined);
  vi.restoreAllMocks();
});

/** Which of `n` passes through `point` fired, with stderr (the "failpoint fired" line) muted. */
function firings(point: FailpointName, n: number): boolean[] {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return Array.from({ length: n }, () => fail(point));
}

describe('parseFailpoints', () => {
  it('parses every action with its argument, probability and count', () => {
    const p = parseFailpoints(
      'claim.before-rename=crash; run.before-spawn=exit(3);result.before-append=20%3*sleep(500);complete.before-move=error(ENOSPC);heartbeat.before-write=pause;intake.after-read=off',
    );
    expect(p.get('claim.before-rename')).toMatchObject({ action: { kind: 'crash' }, probability: 1, remaining: Infinity });
    expect(p.get('run.before-spawn')).toMatchObject({ action: { kind: 'exit', code: 3 } });
    expect(p.get('result.before-append')).toMatchObject({ action: { kind: 'sleep', ms: 500 }, probability: 0.2, remaining: 3 });
    expect(p.get('complete.before-move')).toMatchObject({ action: { kind: 'error', code: 'ENOSPC' } });
    expect(p.get('heartbeat.before-write')).toMatchObject({ action: { kind: 'pause' } });
    expect(p.get('intake.after-read')).toMatchObject({ action: { kind: 'off' } });
  });

  it('gives exit, sleep and error their defaults', () => {
    const p = parseFailpoints('run.before-spawn=exit;result.before-append=sleep;complete.before-move=error;complete.after-move=error()');
    expect(p.get('run.before-spawn')!.action).toEqual({ kind: 'exit', code: 1 });
    expect(p.get('result.before-append')!.action).toEqual({ kind: 'sleep', ms: 100 });
    expect(p.get('complete.before-move')!.action).toEqual({ kind: 'error', code: 'EIO' });
    expect(p.get('complete.after-move')!.action).toEqual({ kind: 'error', code: 'EIO' });
  });

  it('accepts every listed failpoint, the control ones included', () => {
    for (const name of Object.keys(FAILPOINTS)) expect(parseFailpoints(`${name}=crash`).has(name as FailpointName)).toBe(true);
    for (const name of ['control.before-apply', 'control.after-move', 'control.before-ack', 'control.after-ack'])
      expect(FAILPOINTS).toHaveProperty([name]);
  });

  it.each([
    ['claim.before-rename', 'no "="'],
    ['=crash', 'name before "=" is empty'],
    ['claim.before-renam=crash', 'unknown failpoint "claim.before-renam"'],
    ['toString=crash', 'unknown failpoint "toString"'],
    ['claim.before-rename=explode', 'unknown action "explode"'],
    ['claim.before-rename=crash(5)', 'crash takes no argument'],
    ['claim.before-rename=pause(1)', 'pause takes no argument'],
    ['claim.before-rename=exit(abc)', 'exit takes an exit code from 0 to 255 (got "abc")'],
    ['claim.before-rename=exit(300)', 'exit takes an exit code from 0 to 255 (got "300")'],
    ['claim.before-rename=sleep(-5)', 'sleep takes a whole number of milliseconds (got "-5")'],
    ['claim.before-rename=sleep(1s)', 'sleep takes a whole number of milliseconds (got "1s")'],
    ['claim.before-rename=error(eio)', 'error takes an errno code such as EIO or ENOSPC (got "eio")'],
    ['claim.before-rename=150%crash', 'the probability "150%" is over 100%'],
    ['claim.before-rename=3*20%crash', 'cannot parse the action "3*20%crash"'],
    ['claim.before-rename=sleep(5', 'cannot parse the action "sleep(5"'],
    ['claim.before-rename=', 'cannot parse the action ""'],
  ])('refuses "%s" with an error naming the bad part (%s)', (spec, what) => {
    let err: unknown;
    try {
      parseFailpoints(`run.before-spawn=crash;${spec}`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('SPOOLCTL_FAILPOINTS');
    expect(msg).toContain(`"${spec}"`);
    expect(msg).toContain(what);
    expect(msg).not.toContain('run.before-spawn');
  });

  it('refuses a seed that is not a whole number', () => {
    expect(() => configureFailpoints('run.before-spawn=off', 'abc')).toThrow(
      /SPOOLCTL_FAILPOINTS_SEED must be a whole number \(got "abc"\)/,
    );
  });
});

describe('fail', () => {
  it('does nothing when no failpoint is configured, or for a point that is not armed', () => {
    configureFailpoints(undefined, undefined);
    expect(firings('claim.before-rename', 3)).toEqual([false, false, false]);
    configureFailpoints('run.before-spawn=error(EIO)', undefined);
    expect(firings('claim.before-rename', 3)).toEqual([false, false, false]);
  });

  it('throws an errno-coded error for error(CODE), naming the point', () => {
    configureFailpoints('complete.before-move=error(ESTALE)', undefined);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let err: unknown;
    try {
      fail('complete.before-move');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'ESTALE' });
    expect((err as Error).message).toContain('complete.before-move');
  });

  it('fires N* times, then no more', () => {
    configureFailpoints('result.before-append=3*sleep(0)', undefined);
    expect(firings('result.before-append', 6)).toEqual([true, true, true, false, false, false]);
  });

  it('never fires off, nor 0*', () => {
    configureFailpoints('result.before-append=off;run.before-spawn=0*sleep(0)', undefined);
    expect(firings('result.before-append', 3)).toEqual([false, false, false]);
    expect(firings('run.before-spawn', 3)).toEqual([false, false, false]);
  });

  it('logs each firing with the point, which pass fired and the action', () => {
    configureFailpoints('result.before-append=50%sleep(0)', '7');
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((b: string | Uint8Array) => (lines.push(String(b)), true));
    const fired = Array.from({ length: 20 }, () => fail('result.before-append'));
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; failpoint: string; hit: number; action: unknown });
    expect(logged.map((l) => l.hit)).toEqual(fired.flatMap((f, i) => (f ? [i + 1] : [])));
    for (const l of logged)
      expect(l).toMatchObject({ msg: 'failpoint fired', failpoint: 'result.before-append', action: { kind: 'sleep', ms: 0 } });
  });

  it('with a probability, fires the same sequence for the same seed and another for another seed', () => {
    const run = (seed: string) => {
      configureFailpoints('result.before-append=30%sleep(0)', seed);
      return firings('result.before-append', 64);
    };
    const a = run('42');
    expect(run('42')).toEqual(a);
    expect(run('43')).not.toEqual(a);
    const n = a.filter(Boolean).length;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(64);
  });

  it('combines a probability with a count: at most N firings, at the same passes for a seed', () => {
    const run = () => {
      configureFailpoints('result.before-append=50%2*sleep(0)', '9');
      return firings('result.before-append', 40);
    };
    const a = run();
    expect(a.filter(Boolean)).toHaveLength(2);
    expect(run()).toEqual(a);
  });

  it('draws from mulberry32, so a seed means the same numbers everywhere', () => {
    const r = seededRandom(1);
    const xs = [r(), r(), r()];
    const again = seededRandom(1);
    expect([again(), again(), again()]).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});
