// spoolctl pause / resume with a real sentinel and workers: a pause claims nothing new while
// a running job finishes, says who paused, outlives a sentinel restart (paused.json), and a
// resume dispatches again. With the sentinel down the request is queued (exit 1).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allDone, isDone, makeSpool, manifest, until } from '../helpers/spool.js';

const FAST = '[sentinel]\nscan_interval_ms = 100\n[worker]\nheartbeat_ms = 200\nstale_after_ms = 3000\n';

describe('pause and resume', () => {
  it('claims nothing while paused, lets the running job finish, survives a sentinel restart, and resume dispatches again', async () => {
    const t = makeSpool(FAST);
    const sentinel = t.sentinel();
    t.worker(['--slot', '1']);
    t.worker(['--slot', '2']);
    t.drop('running.json', manifest('running', 'work', { params: { ms: 2500 } }));
    await until('running claimed', () => t.events('running').some((e) => e.type === 'claimed'));

    const paused = t.run(['pause', '--reason', 'disk swap']);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(
      /^Dispatch paused: dispatching -> paused \(by .+ at [\d-]+ [\d:]+ [+-]\d\d:\d\d, reason: disk swap\)\. Running jobs go on/,
    );
    expect(existsSync(join(t.dir, 'paused.json'))).toBe(true);
    const again = t.run(['pause', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ action: 'pause', outcome: 'applied', from: 'paused', to: 'paused', changed: false });
    expect(JSON.parse(again.stdout).paused.reason).toBe('disk swap');

    t.drop('waits.json', manifest('waits', 'noop'));
    await until('running done while paused', () => isDone(t, 'running'), 10_000);
    await new Promise((r) => setTimeout(r, 5000));
    expect(t.events('waits').map((e) => e.type)).toEqual(['submitted']);
    expect(t.files('pending')).toContain('waits.json');

    sentinel.child.kill('SIGTERM');
    await sentinel.exited;
    t.sentinel();
    await until('sentinel back', () => t.status().sentinel.up);
    await new Promise((r) => setTimeout(r, 1500));
    expect(t.events('waits').map((e) => e.type)).toEqual(['submitted']);

    const resumed = t.run(['resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(
      /^Dispatch resumed: paused -> dispatching; it had been paused \(by .+ at [\d-]+ [\d:]+ [+-]\d\d:\d\d, reason: disk swap\)\.$/m,
    );
    await until('waits done after resume', () => allDone(t, ['waits']));
    expect(existsSync(join(t.dir, 'paused.json'))).toBe(false);
    const types = t.events().map((e) => e.type);
    expect(types.filter((x) => x === 'paused')).toHaveLength(1);
    expect(types.filter((x) => x === 'resumed')).toHaveLength(1);
    const idle = t.run(['resume', '--json']);
    expect(JSON.parse(idle.stdout)).toMatchObject({ from: 'dispatching', to: 'dispatching', changed: false, paused: null });
    expect(t.run(['resume']).stdout).toBe('Dispatch was not paused; nothing changed.\n');
  });

  it('queues the request while the sentinel is down (exit 1) and applies it when the sentinel starts', async () => {
    const t = makeSpool(FAST);
    const queued = t.run(['pause', '--json']);
    expect(queued.code).toBe(1);
    expect(JSON.parse(queued.stdout)).toMatchObject({ outcome: 'queued', why: 'the sentinel is down' });
    expect(queued.stderr).toContain('queued in control/');
    t.sentinel();
    await until(
      'the queued pause applied',
      () => t.files('control').every((n) => !n.endsWith('.json')) && existsSync(join(t.dir, 'paused.json')),
    );
    const noWait = t.run(['resume', '--no-wait']);
    expect(noWait.code).toBe(0);
    expect(noWait.stderr).toContain('not waiting (--no-wait)');
    // paused.json goes first, the event follows in the same pass.
    await until('the resume applied', () => !existsSync(join(t.dir, 'paused.json')) && t.events().some((e) => e.type === 'resumed'));
    expect(
      t
        .events()
        .map((e) => e.type)
        .filter((x) => x === 'paused' || x === 'resumed'),
    ).toEqual(['paused', 'resumed']);
    expect(t.run(['pause', '--reason', 'x'.repeat(1001)]).code).toBe(2);
  });

  it('applies a pause and a resume queued while the sentinel was down in the order they were asked', async () => {
    const t = makeSpool(FAST);
    for (let i = 0; i < 5; i += 1) {
      expect(t.run(['pause', '--reason', `round ${i}`]).code).toBe(1);
      expect(t.run(['resume']).code).toBe(1);
    }
    const sentinel = t.sentinel();
    // The requests leave control/ before the pass that applied them commits its events.
    const turns = await until(
      'every request applied and recorded',
      () => {
        const seen = t.events().filter((e) => e.type === 'paused' || e.type === 'resumed');
        return t.files('control').filter((n) => n.endsWith('.json')).length === 0 && seen.length === 10 ? seen : undefined;
      },
      15_000,
    );
    expect(turns.map((e) => e.type)).toEqual(Array.from({ length: 5 }, () => ['paused', 'resumed']).flat());
    expect(existsSync(join(t.dir, 'paused.json'))).toBe(false);
    sentinel.child.kill('SIGTERM');
    await sentinel.exited;
  });
});
