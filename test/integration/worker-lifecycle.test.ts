// Workers stop gracefully: SIGTERM lets the running job finish, or hands it back (the attempt
// not counted) after worker.stop_timeout_ms; the slot is released. `workers drain` empties a slot.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePluginCommand } from '../../src/demo/spool.js';
import { doneIds, exitedWithin, isDone, makeSpool, manifest, until } from '../helpers/spool.js';

const slotState = (t: ReturnType<typeof makeSpool>, slot: number) =>
  JSON.parse(t.run(['status', '--json']).stdout).slots[slot - 1].state as string;

describe('worker lifecycle', () => {
  it('finishes the running job on SIGTERM, then releases its slot and exits 0', async () => {
    const t = makeSpool();
    t.sentinel();
    const w = t.worker();
    t.drop('finish.json', manifest('finish', 'work', { params: { ms: 1200 } }));
    await until('running', () => t.job('finish')?.state === 'claimed');
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    await until('done', () => isDone(t, 'finish'));
    expect(existsSync(join(t.dir, 'slots', 'slot-1.lock'))).toBe(false);
    expect(existsSync(join(t.dir, 'slots', 'slot-1.json'))).toBe(false);
    expect(slotState(t, 1)).toBe('free');
  });

  it('stopped while it takes its slot, it still releases the slot and exits 0', async () => {
    const t = makeSpool();
    // The worker holds its lock and sleeps before it serves: a fleet stopped as it starts.
    const w = t.worker([], { SPOOLCTL_FAILPOINTS: 'slot.after-lock=sleep(1500)' });
    await until('lock taken', () => existsSync(join(t.dir, 'slots', 'slot-1.lock')));
    w.child.kill('SIGTERM');
    expect(await w.exited, w.output()).toBe(0);
    expect(w.output()).toContain('"msg":"worker stopped"');
    expect(t.files('slots')).toEqual([]);
  });

  it('refuses to start, naming the directory, when its temp directory cannot take the plugin output files', async () => {
    const t = makeSpool();
    const w = t.worker([], { TMPDIR: join(t.dir, 'no-such-dir') });
    expect(await w.exited).toBe(1);
    expect(w.output()).toContain(`The worker cannot create its plugin output file in ${join(t.dir, 'no-such-dir')}`);
    expect(w.output()).toContain('set TMPDIR to a writable directory on a local disk');
    expect(t.files('slots')).toEqual([]);
  });

  it('hands the job back after stop_timeout_ms without counting the attempt', async () => {
    const t = makeSpool('[worker]\nstop_timeout_ms = 300\nkill_grace_ms = 200\n');
    // The plugin ignores SIGTERM and would run 30 s: only the worker's stop timer ends it early.
    t.plugin('stubborn', { command: fixturePluginCommand('ignores-sigterm.mjs', '30000') });
    t.sentinel();
    const w = t.worker(['--slot', '1']);
    t.drop('handback.json', manifest('handback', 'stubborn'));
    await until('running on slot 1', () => {
      const slot = t.status().slots[0];
      return t.job('handback')?.state === 'claimed' && slot.state === 'busy' && slot.job === 'handback';
    });
    w.child.kill('SIGTERM');
    // Bounded: with a stop timer that never fires the worker waits out the 30 s plugin, and the
    // test fails here instead of hanging.
    expect(await exitedWithin(w, 10_000, 'after stop_timeout_ms with a plugin that ignores SIGTERM')).toBe(0);
    expect(w.output()).toContain('"hand_back_after_ms":300');
    await until('handed back', () => t.job('handback')?.state === 'pending', 10_000);
    expect(t.job('handback')).toMatchObject({ attempts: 0 });
    expect(t.files('pending')).toEqual(['handback.json']);
    const events = t.events('handback');
    expect(events.map((e) => e.type)).toEqual(['submitted', 'claimed', 'handed_back']);
    // Handed back because the stop timer fired, not because the plugin ended on its own.
    expect(events[2]!.detail.reason).toBe('worker stopping (SIGTERM)');
  });

  it('stops after stop_timeout_ms when its result cannot be written (a full disk), and the job is handed back', async () => {
    const t = makeSpool('[worker]\nstop_timeout_ms = 300\n');
    t.sentinel();
    const w = t.worker(['--slot', '1'], { SPOOLCTL_FAILPOINTS: 'result.before-append=error(ENOSPC)' });
    t.drop('full.json', manifest('full', 'work', { params: { ms: 50 } }));
    await until('retrying its result', () => w.output().includes('cannot write the job result; retrying'));
    w.child.kill('SIGTERM');
    // Bounded: only the stop timer ends the retries, and a timer that never fires fails here.
    expect(await exitedWithin(w, 10_000, 'after stop_timeout_ms while its result cannot be written')).toBe(1);
    expect(w.output()).toContain('stopping without the job result, which could not be written');
    expect(w.output()).toContain('SIGTERM while the job result could not be written');
    expect(t.files('slots')).toEqual([]);
    // The slot was released without a result: the sentinel takes that as a hand-back.
    await until('handed back', () => t.job('full')?.state === 'pending');
    expect(t.job('full')).toMatchObject({ attempts: 0 });
    expect(t.files('pending')).toEqual(['full.json']);
    expect(t.events('full').map((e) => e.type)).toEqual(['submitted', 'claimed', 'handed_back']);
  });

  it('drains a slot: the worker finishes its job, takes no more, and exits', async () => {
    const t = makeSpool();
    t.sentinel();
    const w = t.worker(['--slot', '1']);
    t.drop('last.json', manifest('last', 'work', { params: { ms: 1000 } }));
    await until('running', () => t.job('last')?.state === 'claimed');
    const r = t.run(['workers', 'drain', '1']);
    expect(r.code, r.stderr).toBe(0);
    t.drop('after.json', manifest('after', 'noop'));
    expect(await w.exited).toBe(0);
    expect(doneIds(t)).toEqual(['last']);
    await until('after admitted', () => t.job('after')?.state === 'pending');
    expect(t.run(['workers', 'undrain', '1']).code).toBe(0);
    t.worker(['--slot', '1']);
    await until('after done', () => isDone(t, 'after'));
  });
});
