// Acceptance: a crash at every failpoint, then recovery, leaves a spool that `verify`
// passes, with every job done exactly once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAILPOINTS, type FailpointName } from '../../src/faults/points.js';
import { allDone, doneIds, exitedWithin, isDone, makeSpool, manifest, type Proc, type TestSpool, until } from '../helpers/spool.js';

const armed = (point: FailpointName) => ({ SPOOLCTL_FAILPOINTS: `${point}=1*crash` });
const FAST = '[worker]\nstale_after_ms = 2000\nheartbeat_ms = 200\n[sentinel]\nscan_interval_ms = 200\n';

async function stopAll(...procs: Proc[]) {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => exitedWithin(p, 20_000, 'to stop on SIGTERM')));
}

async function crashed(p: Proc) {
  await exitedWithin(p, 20_000, 'at its failpoint');
  expect(p.child.signalCode, p.output()).toBe('SIGKILL');
  expect(p.output()).toContain('failpoint fired');
}

function expectSound(t: TestSpool, ids: string[]) {
  const v = t.run(['verify', '--json']);
  const report = JSON.parse(v.stdout);
  expect(report.violations, v.stdout).toEqual([]);
  expect(v.code).toBe(0);
  for (const id of ids) expect(t.events(id).filter((e) => e.type === 'done'), id).toHaveLength(1);
  expect(doneIds(t).sort()).toEqual([...ids].sort());
}

const JOBS = ['fp-a', 'fp-b', 'fp-c'];

async function sentinelSide(point: FailpointName) {
  const t = makeSpool(FAST);
  const s1 = t.sentinel(armed(point));
  const w = t.worker();
  for (const id of JOBS) t.drop(`${id}.json`, manifest(id, 'work', { params: { ms: 100 } }));
  await crashed(s1);
  const s2 = t.sentinel();
  await until('all done', () => allDone(t, JOBS));
  await stopAll(w, s2);
  expectSound(t, JOBS);
}

async function workerSide(point: FailpointName) {
  const t = makeSpool(FAST);
  const s = t.sentinel();
  const w1 = t.worker([], armed(point));
  for (const id of JOBS) t.drop(`${id}.json`, manifest(id, 'work', { params: { ms: 100 } }));
  await crashed(w1);
  const w2 = t.worker();
  await until('all done', () => allDone(t, JOBS));
  await stopAll(w2, s);
  expectSound(t, JOBS);
}

async function reclaimSide(point: FailpointName) {
  const t = makeSpool(FAST);
  const s1 = t.sentinel(armed(point));
  const a = t.worker();
  t.drop('fp-a.json', manifest('fp-a', 'work', { params: { ms: 5000 } }));
  await until('running', () => t.files('claimed/slot-1').length === 1);
  a.child.kill('SIGKILL');
  await crashed(s1);
  const s2 = t.sentinel();
  const b = t.worker();
  await until('done', () => isDone(t, 'fp-a'));
  await stopAll(b, s2);
  expectSound(t, ['fp-a']);
}

async function controlSide(point: FailpointName) {
  const t = makeSpool(FAST);
  const s1 = t.sentinel(armed(point));
  t.drop('fp-a.json', manifest('fp-a', 'noop'));
  await until('admitted', () => t.job('fp-a'));
  expect(t.run(['jobs', 'hold', 'fp-a', '--no-wait']).code).toBe(0);
  await crashed(s1);
  expect(t.files('held')).toEqual(['fp-a.json']);
  const s2 = t.sentinel();
  await until('hold recorded at start-up', () => t.job('fp-a')?.state === 'held');
  expect(t.run(['jobs', 'release', 'fp-a']).code).toBe(0);
  const w = t.worker();
  await until('done', () => isDone(t, 'fp-a'));
  await stopAll(w, s2);
  expectSound(t, ['fp-a']);
}

async function submitSide(point: FailpointName) {
  const t = makeSpool(FAST);
  const r = t.run(['submit', '--plugin', 'noop', '--id', 'fp-a'], armed(point));
  expect(r.code).toBe(-1); // killed by SIGKILL
  // No torn manifest: pending/ has the whole job or nothing.
  for (const name of t.files('pending')) expect(() => JSON.parse(readFileSync(join(t.dir, 'pending', name), 'utf8'))).not.toThrow();
  expect(t.files('pending')).toEqual([]);
  const s = t.sentinel();
  const w = t.worker();
  expect(t.run(['submit', '--plugin', 'noop', '--id', 'fp-a']).code).toBe(0);
  await until('done', () => isDone(t, 'fp-a'));
  await stopAll(w, s);
  expectSound(t, ['fp-a']);
}

function scenarioFor(point: FailpointName): (p: FailpointName) => Promise<void> {
  if (point.startsWith('submit.')) return submitSide;
  if (point.startsWith('reclaim.')) return reclaimSide;
  if (point.startsWith('control.')) return controlSide;
  if (/^(run|result|heartbeat)\./.test(point)) return workerSide;
  return sentinelSide;
}

describe('crash at every failpoint', () => {
  it('lists every failpoint with one line each', () => {
    const t = makeSpool();
    const out = t.run(['failpoints']).stdout;
    for (const name of Object.keys(FAILPOINTS)) expect(out).toMatch(new RegExp(`^${name.replace('.', '\\.')}\\s+\\S`, 'm'));
  });

  it.each(Object.keys(FAILPOINTS) as FailpointName[])('%s=crash: recovery leaves a spool that verify passes', async (point) => {
    await scenarioFor(point)(point);
  });

  it.each(['ENOENT', 'EIO', 'ESTALE'])('takes a rename that succeeded but reported %s as done (DESIGN rule 4): every job done once', async (code) => {
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
  });
});
