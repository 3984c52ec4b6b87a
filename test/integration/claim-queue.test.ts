// A worker that keeps a journal is given a second claim behind a job expected to end soon, and
// starts it without waiting for the sentinel. What a kill -9, a drain and a restarted sentinel
// do to a slot holding a running claim and a queued one, read back from the spool, the ledger,
// the CLI and /proc.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allDone, exitedWithin, makeSpool, manifest, paced, type TestSpool, until } from '../helpers/spool.js';

const FAST = '[worker]\nstale_after_ms = 2000\nheartbeat_ms = 200\n[sentinel]\nscan_interval_ms = 200\n';

/** Processes started for this spool's jobs (plugins get SPOOLCTL_SPOOL in their environment). */
function pluginsOf(t: TestSpool): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`SPOOLCTL_SPOOL=${t.dir}`)) out.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** Drops a long job and one behind it; returns once the second is claimed in the same slot, unstarted. */
async function runningAndQueued(t: TestSpool): Promise<void> {
  t.drop('long.json', manifest('long', 'work', { params: { ms: 60_000 }, priority: 1 }));
  t.drop('next.json', manifest('next', 'noop'));
  await until('both claimed in slot 1', () => t.files('claimed/slot-1').length === 2);
  await until('long running', () => t.status().slots.find((s: { slot: number }) => s.slot === 1)?.job === 'long');
}

describe('the claim queue', () => {
  it('claims the next job before the running one ends, runs them in dispatch order, each once', async () => {
    const t = makeSpool(FAST);
    t.sentinel();
    t.worker(['--slot', '1']);
    await paced(t);
    const ids = Array.from({ length: 12 }, (_, i) => `q-${String(i).padStart(2, '0')}`);
    for (const [i, id] of ids.entries()) t.drop(`${id}.json`, manifest(id, 'work', { params: { ms: 50 }, priority: 100 - i }));
    await until('all done', () => allDone(t, ids));
    const events = t.events().filter((e) => e.job !== null && ids.includes(e.job));
    // Some job was claimed while the one before it in the slot still ran.
    const queued = ids.slice(1).filter((id, i) => {
      const claimed = events.find((e) => e.job === id && e.type === 'claimed')!.seq;
      return claimed < events.find((e) => e.job === ids[i] && e.type === 'done')!.seq;
    });
    expect(queued.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'done').map((e) => e.job)).toEqual(ids);
    for (const id of ids) expect(t.job(id)).toMatchObject({ state: 'done', attempts: 1 });
    expect(t.run(['verify']).code).toBe(0);
  });

  it('after kill -9 the running job counts its attempt and the queued one does not; both then run once, and no plugin is left', async () => {
    const t = makeSpool(FAST);
    t.sentinel();
    const w = t.worker(['--slot', '1']);
    await paced(t);
    await runningAndQueued(t);
    // The CLI says which claim runs and which waits its turn.
    const listed = JSON.parse(t.run(['jobs', 'list', '--state', 'claimed', '--json']).stdout) as { id: string; waiting: string | null }[];
    expect(listed.map((j) => [j.id, j.waiting])).toEqual([
      ['long', null],
      ['next', 'queued behind long in slot 1'],
    ]);
    expect(t.run(['jobs', 'list', '--state', 'claimed']).stdout).toMatch(/^next .*queued behind long in slot 1/m);
    const plugin = pluginsOf(t);
    expect(plugin).toHaveLength(1);
    w.child.kill('SIGKILL');
    await exitedWithin(w, 5000, 'on SIGKILL');
    await until('both back in pending/', () => t.job('long')?.state === 'pending' && t.job('next')?.state === 'pending', 20_000);
    expect(t.events('long').at(-1)).toMatchObject({ type: 'reclaimed', attempt: 1 });
    expect(t.events('next').at(-1)).toMatchObject({ type: 'handed_back', detail: { reason: expect.stringMatching(/^never started: /) } });
    expect(t.job('long')).toMatchObject({ attempts: 1 });
    expect(t.job('next')).toMatchObject({ attempts: 0 });
    expect(t.files('pending').sort()).toEqual(['long.1.json', 'next.json']);
    // The plugin died with its worker (its reaper), before the job went back.
    expect(pluginsOf(t)).toEqual([]);
    const shown = t.run(['jobs', 'show', 'next']);
    expect(shown.stdout).toContain('never started');

    // Every free slot gets a job before any gets a second.
    t.worker(['--slot', '2']);
    t.worker(['--slot', '3']);
    await until('next done', () => t.job('next')?.state === 'done', 20_000);
    expect(t.job('next')).toMatchObject({ attempts: 1 });
    expect(t.events('next').filter((e) => e.type === 'done')).toHaveLength(1);
    expect(t.run(['jobs', 'cancel', 'long']).code).toBe(0);
    await until('long cancelled', () => t.job('long')?.state === 'cancelled', 20_000);
    expect(t.run(['verify']).code).toBe(0);
  });

  it('a worker whose job runs past queue_behind_ms returns the job queued behind it, which runs in another slot meanwhile', async () => {
    const t = makeSpool(FAST);
    t.sentinel();
    t.worker(['--slot', '1']);
    await paced(t);
    t.drop('long.json', manifest('long', 'work', { params: { ms: 8000 }, priority: 1 }));
    t.drop('next.json', manifest('next', 'noop'));
    await until('both claimed in slot 1', () => t.files('claimed/slot-1').length === 2);
    t.worker(['--slot', '2']);
    await until('next done', () => t.job('next')?.state === 'done', 20_000);
    expect(t.job('long')).toMatchObject({ state: 'claimed', slot: 1 });
    expect(t.job('next')).toMatchObject({ attempts: 1, file: expect.stringMatching(/^done\//) });
    expect(t.events('next').map((e) => e.type)).toEqual(['submitted', 'claimed', 'handed_back', 'claimed', 'done']);
    expect(t.events('next')[2]!.detail.reason).toMatch(/^returned unstarted: the job ahead of it has run past sentinel.queue_behind_ms/);
    expect(t.events('next')[3]!.slot).toBe(2);
  });

  it('a drained worker returns its queued claim at once, finishes its running job and leaves', async () => {
    const t = makeSpool(FAST);
    t.sentinel();
    const w = t.worker(['--slot', '1']);
    await paced(t);
    t.drop('long.json', manifest('long', 'work', { params: { ms: 3000 }, priority: 1 }));
    t.drop('next.json', manifest('next', 'noop'));
    await until('both claimed in slot 1', () => t.files('claimed/slot-1').length === 2);
    expect(t.run(['workers', 'drain', '1']).code).toBe(0);
    await until('next handed back', () => t.events('next').some((e) => e.type === 'handed_back'), 20_000);
    expect(t.events('next').at(-1)!.detail.reason).toMatch(/^returned unstarted: worker stopping \(drained\)/);
    expect(t.job('long')).toMatchObject({ state: 'claimed' });
    expect(t.job('next')).toMatchObject({ state: 'pending', attempts: 0 });
    expect(await exitedWithin(w, 20_000, 'once drained')).toBe(0);
    expect(t.job('long')).toMatchObject({ state: 'done', attempts: 1 });
    t.worker(['--slot', '2']);
    await until('next done', () => t.job('next')?.state === 'done', 20_000);
    expect(t.job('next')).toMatchObject({ attempts: 1 });
  });

  it('a sentinel killed with -9 and started again applies no journal line twice', async () => {
    const t = makeSpool(FAST);
    const s1 = t.sentinel();
    t.worker(['--slot', '1']);
    t.worker(['--slot', '2']);
    await paced(t);
    const ids = Array.from({ length: 40 }, (_, i) => `r-${i}`);
    for (const id of ids) t.drop(`${id}.json`, manifest(id, 'work', { params: { ms: 10 } }));
    await until('some done', () => ids.some((id) => t.job(id)?.state === 'done'));
    s1.child.kill('SIGKILL');
    await exitedWithin(s1, 5000, 'on SIGKILL');
    t.sentinel();
    await until('all done', () => allDone(t, ids), 30_000);
    for (const id of ids) {
      expect(
        t.events(id).filter((e) => e.type === 'done'),
        id,
      ).toHaveLength(1);
      expect(
        t.events(id).filter((e) => e.type === 'fenced'),
        id,
      ).toEqual([]);
    }
    expect(t.run(['verify']).code).toBe(0);
  });
});
