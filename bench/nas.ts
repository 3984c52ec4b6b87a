/**
 * Throughput on a real network filesystem: the two-host sshfs harness of test/nas, a sentinel
 * on host A (ledger on local disk), workers split across both hosts, N `noop` jobs dropped at
 * once. The baseline is the same batch on a local-disk spool with 4 workers, in the same run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initSpool } from '../src/spool/init.js';
import { selfCommand } from '../src/paths.js';
import { sleep } from '../src/proc.js';
import { mountNas } from '../test/nas/harness.js';
import type { Row } from './lib.js';

interface Placement {
  /** The spool as each host mounts it; [0] runs the sentinel. */
  views: { dir: string; host: string }[];
  /** The spool's done/ as the file server sees it, for counting without a mount's caches. */
  doneDir: string;
}

async function batch(p: Placement, workersPerHost: number, jobs: number): Promise<number> {
  const [node, script] = selfCommand() as [string, string];
  const root = p.views[0]!.dir;
  const procs: ChildProcess[] = [];
  const start = (view: Placement['views'][number], role: string) =>
    procs.push(spawn(node, [script, '--spool', view.dir, role], { stdio: 'ignore', env: { ...process.env, SPOOLCTL_HOST: view.host } }));
  try {
    start(p.views[0]!, 'sentinel');
    for (const view of p.views) for (let i = 0; i < workersPerHost; i += 1) start(view, 'worker');
    await sleep(2000);
    const ids = Array.from({ length: jobs }, (_, i) => `b${String(i).padStart(6, '0')}`);
    for (const id of ids) writeFileSync(join(root, 'tmp', `${id}.p`), JSON.stringify({ id, plugin: 'noop' }));
    const t0 = Date.now();
    for (const id of ids) renameSync(join(root, 'tmp', `${id}.p`), join(root, 'pending', `${id}.json`));
    const count = () => readdirSync(p.doneDir).reduce((n, day) => n + readdirSync(join(p.doneDir, day)).length, 0);
    while (count() < jobs) await sleep(100);
    return jobs / ((Date.now() - t0) / 1000);
  } finally {
    for (const c of procs) c.kill('SIGTERM');
    await Promise.all(procs.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  }
}

export function makeSpool(at: string, ledger: string, maxWorkers: number, extra = ''): void {
  const l = initSpool(at);
  writeFileSync(join(l.plugins, 'noop.json'), JSON.stringify({ name: 'noop', command: ['true'] }));
  writeFileSync(join(at, 'spool.toml'), `[worker]\nmax_workers = ${maxWorkers}\n[ledger]\npath = "${ledger}"\n${extra}`);
}

export async function nas(o: { jobs: number }): Promise<Row[]> {
  const local = mkdtempSync(join(tmpdir(), 'spoolctl-bench-local-'));
  const nasMount = mountNas();
  try {
    const rows: Row[] = [];
    const localSpool = join(local, 'spool');
    makeSpool(localSpool, join(local, 'ledger.db'), 8);
    const baseline = await batch({ views: [{ dir: localSpool, host: 'local' }], doneDir: join(localSpool, 'done') }, 4, o.jobs);
    const onShare = async (perHost: number, name: string, extra = '') => {
      const ledgerDir = join(nasMount.root, `ledger-${name}`);
      mkdirSync(ledgerDir);
      makeSpool(join(nasMount.hostA, name), join(ledgerDir, 'ledger.db'), 8, extra);
      return batch(
        {
          views: [
            { dir: join(nasMount.hostA, name), host: 'host-a' },
            { dir: join(nasMount.hostB, name), host: 'host-b' },
          ],
          doneDir: join(nasMount.exportDir, name, 'done'),
        },
        perHost,
        o.jobs,
      );
    };
    const rates = new Map<number, number>();
    for (const perHost of [2, 4]) {
      const rate = await onShare(perHost, `spool-${perHost}`);
      rates.set(perHost, rate);
      rows.push({
        scenario: 'nas',
        metric: `${o.jobs} noop jobs, ${2 * perHost} workers on 2 sshfs hosts`,
        value: rate,
        unit: 'jobs/s',
        baseline: `local disk, 4 workers: ${baseline.toFixed(0)} jobs/s`,
      });
    }
    // The journal's cost on the share: the same 4-worker batch without it.
    const withJournal = rates.get(2)!;
    const without = await onShare(2, 'spool-no-journal', '[journal]\nenabled = false\n');
    rows.push({
      scenario: 'nas',
      metric: `${o.jobs} noop jobs, 4 workers on 2 sshfs hosts, journal.enabled = false`,
      value: without,
      unit: 'jobs/s',
      baseline: `with the journal (the default): ${withJournal.toFixed(0)} jobs/s (with / without = ${(withJournal / without).toFixed(2)})`,
    });
    return rows;
  } finally {
    nasMount.unmount();
    rmSync(local, { recursive: true, force: true });
  }
}
