// A job's attempts never overlap on a live host: when a worker dies, its plugin's whole process
// tree (grandchildren included) dies within 1 s, on every way a plugin is started (the spawn
// addon, the child_process fallback, each as worker.run_as), and whoever acts next on the slot
// on the same host (the sentinel, a new worker, the supervisor, `workers cleanup`) kills what a
// dead worker and its reaper left before the job runs again.
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidsInProc, sleep, statFields } from '../../src/proc.js';
import { allDone, makeSpool, manifest, until, type Proc, type TestSpool } from '../helpers/spool.js';

const isRoot = process.getuid?.() === 0;
const RUN_AS = 'run_as = "nobody"\n';
const fast = (worker = '') => `[worker]\nheartbeat_ms = 200\nstale_after_ms = 3000\n${worker}[sentinel]\nscan_interval_ms = 200\n`;

/** The first run leaves a tree behind it (a shell and two sleeps); later ones end at once. */
function treePlugin(t: TestSpool): void {
  t.plugin('tree', { command: ['sh', '-c', 'if mkdir "$0" 2>/dev/null; then sleep 30 & sleep 30; wait; fi', '{params.first_run}'] });
}

let marker = '';

/** The job, with a marker directory that a plugin run as worker.run_as may create too. */
function treeJob(): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'spoolctl-tree-'));
  chmodSync(dir, 0o777);
  marker = join(dir, 'ran');
  return manifest('tree', 'tree', { params: { first_run: marker } });
}

/** Live processes of process group `pgid`. */
function members(pgid: number): number[] {
  return pidsInProc().filter((pid) => {
    const f = statFields(pid);
    return f !== undefined && Number(f[2]) === pgid && f[0] !== 'Z';
  });
}

function heartbeat(t: TestSpool, slot = 1): { pid: number; plugin_group?: { pid: number } } | undefined {
  try {
    return JSON.parse(readFileSync(join(t.dir, 'slots', `slot-${slot}.json`), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Waits until the first run's whole tree runs; returns its process group. */
async function runningTree(): Promise<number> {
  return until('the plugin tree running', () => {
    const shell = pidsInProc().find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
    const g = shell === undefined ? undefined : Number(statFields(shell)?.[2]);
    return g !== undefined && members(g).length === 3 ? g : undefined;
  });
}

/** The worker's reaper: its child shell reading the pipe. */
function reaperOf(worker: number): number {
  const pid = pidsInProc().find(
    (p) => Number(statFields(p)?.[1]) === worker && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('while read'),
  );
  if (pid === undefined) throw new Error(`worker ${worker} has no reaper`);
  return pid;
}

/**
 * Kills a worker with its reaper stopped first, as if both died at once, once the worker's
 * heartbeat names the plugin's group (within 100 ms of its start).
 */
async function killWithReaper(t: TestSpool, w: Proc | number, group: number): Promise<void> {
  await until('the group in the heartbeat', () => heartbeat(t)?.plugin_group?.pid === group);
  const pid = typeof w === 'number' ? w : w.pid;
  const reaper = reaperOf(pid);
  process.kill(reaper, 'SIGSTOP');
  process.kill(pid, 'SIGKILL');
  process.kill(reaper, 'SIGKILL');
  // Until its parent reaps it, a killed worker still has a pid.
  if (typeof w !== 'number') await w.exited;
}

async function endsDoneOnce(t: TestSpool): Promise<void> {
  await until('the job done', () => allDone(t, ['tree']));
  expect(t.events('tree').filter((e) => e.type === 'done')).toHaveLength(1);
}

const paths = [
  { name: 'the spawn addon', toml: '', env: {}, root: false },
  { name: 'the child_process fallback', toml: '', env: { SPOOLCTL_PLUGIN_SPAWN: 'child_process' }, root: false },
  { name: 'run_as with the spawn addon', toml: RUN_AS, env: {}, root: true },
  { name: 'run_as with the child_process fallback', toml: RUN_AS, env: { SPOOLCTL_PLUGIN_SPAWN: 'child_process' }, root: true },
];

describe("a dead worker's plugin tree dies with it", () => {
  for (const p of paths) {
    it.runIf(!p.root || isRoot)(`within 1 s of a kill -9, grandchildren included (${p.name})`, async () => {
      const t = makeSpool(fast(p.toml));
      treePlugin(t);
      t.sentinel();
      const w = t.worker([], p.env);
      t.drop('tree.json', treeJob());
      const group = await runningTree();
      if (p.env.SPOOLCTL_PLUGIN_SPAWN) expect(w.output()).toContain('"plugins_start_with":"child_process"');
      process.kill(w.pid, 'SIGKILL');
      await sleep(1000);
      expect(members(group)).toEqual([]);
      t.worker([], p.env);
      await endsDoneOnce(t);
    });
  }
});

/**
 * Slot 1's worker and its reaper killed with the sentinel down: the kernel has killed the
 * plugin's shell, and its two sleeps are left for whoever acts next.
 */
async function leftBehind(): Promise<{ t: TestSpool; group: number }> {
  const t = makeSpool(fast());
  treePlugin(t);
  const s = t.sentinel();
  const w = t.worker(['--slot', '1']);
  t.drop('tree.json', treeJob());
  const group = await runningTree();
  s.child.kill('SIGKILL');
  await s.exited;
  await killWithReaper(t, w, group);
  await until('the shell gone', () => members(group).length === 2);
  return { t, group };
}

describe('whoever acts next on the slot kills what a dead worker and its reaper left', () => {
  it('the sentinel on the same host, before it reclaims the job, and the ledger says so', async () => {
    const t = makeSpool(fast());
    treePlugin(t);
    t.sentinel();
    const w = t.worker();
    t.drop('tree.json', treeJob());
    const group = await runningTree();
    await killWithReaper(t, w, group);
    const reclaimed = await until('reclaimed', () => t.events('tree').find((e) => e.type === 'reclaimed'));
    // The kernel killed the shell with the worker; the two sleeps were left to the sentinel.
    expect(reclaimed.detail.earlier_attempt).toMatch(/^ended: its plugin's 2 process\(es\) on .* were killed$/);
    expect(members(group)).toEqual([]);
    t.worker();
    await endsDoneOnce(t);
  });

  it('a new worker taking the slot, before it writes its heartbeat', async () => {
    const { t, group } = await leftBehind();
    const next = t.worker(['--slot', '1']);
    await until('the new worker holds the slot', () => heartbeat(t)?.pid === next.pid);
    expect(members(group)).toEqual([]);
    expect(next.output()).toContain("killed what was left of the slot's previous plugin");
    t.sentinel();
    await endsDoneOnce(t);
  });

  it('the supervisor of start-services, before it restarts the worker', async () => {
    const t = makeSpool(fast());
    treePlugin(t);
    const s = t.sentinel();
    expect(t.run(['start-services', '--workers', '1']).code).toBe(0);
    t.drop('tree.json', treeJob());
    const group = await runningTree();
    const worker = heartbeat(t)!.pid;
    // Stopped, the sentinel cannot be the one that kills.
    process.kill(s.pid, 'SIGSTOP');
    await killWithReaper(t, worker, group);
    await sleep(1000);
    expect(members(group)).toEqual([]);
    process.kill(s.pid, 'SIGCONT');
    await endsDoneOnce(t);
    expect(t.run(['stop-services']).code).toBe(0);
  });

  it('`workers cleanup`, before it frees the slot, and it says so', async () => {
    const { t, group } = await leftBehind();
    const r = t.run(['workers', 'cleanup', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/slot 1: killed what was left of its plugin \(pids \d+, \d+\)/);
    expect(members(group)).toEqual([]);
    t.sentinel();
    t.worker();
    await endsDoneOnce(t);
  });
});
