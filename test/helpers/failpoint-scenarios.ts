/**
 * The crash scenarios of the failpoint acceptance tests: a failpoint armed to crash on the
 * sentinel's, a worker's, the reclaim's, the control's or the submit's side, then recovery,
 * then a spool that verify passes. Shared by the test files that run them, so that their
 * halves run in parallel.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { FAILPOINTS, type FailpointName } from '../../src/faults/points.js';
import { allDone, doneIds, exitedWithin, isDone, makeSpool, manifest, type Proc, type TestSpool, until } from './spool.js';

/** A point reached only once another step has failed is armed with that failure too. */
const REACHED_AFTER: Partial<Record<FailpointName, string>> = { 'journal.cut-back': 'journal.mid-append=1*error(ENOSPC)' };
export const armed = (point: FailpointName) => ({
  SPOOLCTL_FAILPOINTS: [REACHED_AFTER[point], `${point}=1*crash`].filter(Boolean).join(';'),
});
export const FAST = '[worker]\nstale_after_ms = 2000\nheartbeat_ms = 200\n[sentinel]\nscan_interval_ms = 200\n';

export async function stopAll(...procs: Proc[]) {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => exitedWithin(p, 20_000, 'to stop on SIGTERM')));
}

export async function crashed(p: Proc) {
  await exitedWithin(p, 20_000, 'at its failpoint');
  expect(p.child.signalCode, p.output()).toBe('SIGKILL');
  expect(p.output()).toContain('failpoint fired');
}

export function expectSound(t: TestSpool, ids: string[]) {
  const v = t.run(['verify', '--json']);
  const report = JSON.parse(v.stdout);
  expect(report.violations, v.stdout).toEqual([]);
  expect(v.code).toBe(0);
  for (const id of ids)
    expect(
      t.events(id).filter((e) => e.type === 'done'),
      id,
    ).toHaveLength(1);
  expect(doneIds(t).sort()).toEqual([...ids].sort());
}

export const JOBS = ['fp-a', 'fp-b', 'fp-c'];

export async function sentinelSide(point: FailpointName) {
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

export async function workerSide(point: FailpointName) {
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

export async function reclaimSide(point: FailpointName) {
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

export function requests(t: TestSpool): string[] {
  return t.files('control').filter((n) => n.endsWith('.json'));
}

export function acks(t: TestSpool): { id: string; items: Record<string, unknown>[] }[] {
  return t
    .files('control/acks')
    .filter((n) => n.endsWith('.json'))
    .map((n) => JSON.parse(readFileSync(join(t.dir, 'control', 'acks', n), 'utf8')));
}

export async function controlSide(point: FailpointName) {
  const t = makeSpool(FAST);
  const s1 = t.sentinel(armed(point));
  t.drop('fp-a.json', manifest('fp-a', 'noop'));
  await until('admitted', () => t.job('fp-a'));
  expect(t.run(['jobs', 'hold', 'fp-a', '--no-wait']).code).toBe(0);
  await crashed(s1);
  // Before it is applied the request waits in control/; after, the job is held, acknowledged or not.
  if (point === 'control.before-apply') {
    expect(t.files('held')).toEqual([]);
    expect(requests(t)).toHaveLength(1);
  } else expect(t.files('held')).toEqual(['fp-a.json']);
  const s2 = t.sentinel();
  await until('hold recorded at start-up', () => t.job('fp-a')?.state === 'held');
  // Applied once and acknowledged once, as applied.
  await until('request acknowledged', () => requests(t).length === 0 && acks(t).length === 1);
  expect(acks(t)[0]!.items).toEqual([{ target: 'fp-a', ok: true, from: 'pending', to: 'held' }]);
  expect(t.events('fp-a').filter((e) => e.type === 'held')).toHaveLength(1);
  expect(t.run(['jobs', 'release', 'fp-a']).code).toBe(0);
  const w = t.worker();
  await until('done', () => isDone(t, 'fp-a'));
  await stopAll(w, s2);
  expectSound(t, ['fp-a']);
}

export async function submitSide(point: FailpointName) {
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

export function scenarioFor(point: FailpointName): (p: FailpointName) => Promise<void> {
  if (point.startsWith('submit.')) return submitSide;
  if (point.startsWith('reclaim.')) return reclaimSide;
  if (point.startsWith('control.')) return controlSide;
  if (/^(slot|run|result|heartbeat)\./.test(point)) return workerSide;
  return sentinelSide;
}

/** Every failpoint, crashed at once each; the two test files take a half each. */
export const CRASH_POINTS = Object.keys(FAILPOINTS) as FailpointName[];
export const HALF = Math.ceil(CRASH_POINTS.length / 2);
