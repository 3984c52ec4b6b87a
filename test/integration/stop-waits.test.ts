// Acceptance (issue: the sysadmin's daily tool, item 10): what a stop waits for is said while it
// waits. stop-services names each running job it waits for, and how long at most, before the
// job ends; a foreground worker's first Ctrl-C says that a second one hands the job back now,
// and the second one does.
import { describe, expect, it } from 'vitest';
import { exitedWithin, makeSpool, manifest, until } from '../helpers/spool.js';

describe('stops that wait say so', () => {
  it('stop-services names the running job it waits for while it waits, then the worker that stopped', async () => {
    const t = makeSpool('[worker]\nstop_timeout_ms = 20000\n[services]\nstop_timeout_ms = 60000\n');
    const started = t.run(['start-services', '--workers', '1']);
    expect(started.code, started.stderr).toBe(0);
    t.drop('long.json', manifest('long', 'work', { params: { ms: 4000 } }));
    await until('the job running', () => t.status().slots.some((s: { job?: string }) => s.job === 'long'));

    const stop = t.start(['stop-services']);
    const waiting = 'slot 1: waiting for job long to finish (up to 20s, then it is handed back)…';
    await until('the waiting line', () => stop.output().includes(waiting));
    // Said while it waits: the job has not ended yet.
    expect(stop.child.exitCode).toBeNull();
    expect(t.job('long')?.state).toBe('claimed');
    expect(await exitedWithin(stop, 60_000, 'stop-services')).toBe(0);
    const lines = stop.output().trim().split('\n');
    expect(lines.slice(0, 2)).toEqual([waiting, 'slot 1: worker-1 stopped.']);
    expect(lines[2]).toMatch(/^Services stopped\./);
    expect(t.job('long')?.state).toBe('done');
  });

  it("a foreground worker's first Ctrl-C says that a second one hands the job back now; the second does", async () => {
    const t = makeSpool();
    const sentinel = t.sentinel();
    const worker = t.worker();
    t.drop('slow.json', manifest('slow', 'work', { params: { ms: 60000 } }));
    await until('the job running', () => t.status().slots.some((s: { job?: string }) => s.job === 'slow'));

    worker.child.kill('SIGINT');
    await until('the first Ctrl-C answered', () => worker.output().includes('a second Ctrl-C hands it back now'));
    expect(worker.child.exitCode).toBeNull();
    worker.child.kill('SIGINT');
    expect(await exitedWithin(worker, 15_000, 'after the second SIGINT')).toBe(0);
    await until('handed back', () => t.job('slow')?.state === 'pending');
    expect(t.events('slow').map((e) => e.type)).toEqual(['submitted', 'claimed', 'handed_back']);
    sentinel.child.kill('SIGTERM');
  });
});
