/**
 * Throughput of no-op command jobs (plugin `true`) with 4 workers on local disk, beside
 * task-spooler (`tsp -S 4`) running the same commands and the raw limit: 4 Node processes
 * each spawning `true` back to back with child_process, and the same with the workers'
 * posix_spawn addon (the floor of a worker's own spawn); and the floor of the design, a bare
 * model of its moves (bench/floor.ts), with and without fsync. All in the same run, each with
 * the machine's CPU per job: on a machine the flood keeps busy, that is what sets the rate.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeSpawner } from '../src/worker/native-spawn.js';
import { floorRate } from './floor.js';
import { machineBusyMs, measured, type Measured, type Row } from './lib.js';
import { benchSpool, waitUntil } from './spool.js';

/** spoolctl's rate on a flood of `jobs` no-op jobs with 4 workers, on a spool set up by `toml`. */
async function spoolctlRate(jobs: number, toml = ''): Promise<Measured> {
  const s = benchSpool('throughput', toml);
  try {
    s.start('sentinel');
    for (let i = 0; i < 4; i += 1) s.start('worker');
    await new Promise((r) => setTimeout(r, 2000));
    const cpu0 = machineBusyMs();
    const t0 = s.drop(Array.from({ length: jobs }, (_, i) => `t${String(i).padStart(6, '0')}`));
    await waitUntil(() => s.doneCount() >= jobs, 600_000, 50);
    return measured(jobs, t0, cpu0);
  } finally {
    await s.stop();
  }
}

export async function throughput(o: { jobs: number }): Promise<Row[]> {
  const spool = await spoolctlRate(o.jobs);
  // The journal's cost: the same flood with the sentinel's one append and fdatasync per pass turned off.
  const noJournal = await spoolctlRate(o.jobs, '[journal]\nenabled = false\n');
  const raw = rawSpawnRate(o.jobs);
  const rawPosix = rawPosixSpawnRate(o.jobs);
  const tsp = taskSpoolerRate(o.jobs);
  const floor = await floorRate(o.jobs, true);
  const floorNoSync = floor && (await floorRate(o.jobs, false));
  const rows: Row[] = [
    {
      scenario: 'throughput',
      metric: `${o.jobs} noop jobs, 4 workers, local disk`,
      value: spool.rate,
      unit: 'jobs/s',
      baseline: `raw spawn ${raw.toFixed(0)}/s (spoolctl = ${((spool.rate / raw) * 100).toFixed(0)}%)${rawPosix === undefined ? '' : `, posix_spawn ${rawPosix.toFixed(0)}/s`}${cpuNote(spool)}`,
      target: tsp === undefined ? '>= tsp' : `>= tsp ${tsp.rate.toFixed(0)}/s`,
      ...(tsp === undefined ? {} : { met: spool.rate >= tsp.rate }),
    },
  ];
  rows.push({
    scenario: 'throughput',
    metric: 'with the journal on the share (journal.enabled, the default)',
    value: spool.rate,
    unit: 'jobs/s',
    baseline: `without it (journal.enabled = false) ${noJournal.rate.toFixed(0)}/s${cpuNote(noJournal)}: the journal costs ${(((noJournal.rate - spool.rate) / noJournal.rate) * 100).toFixed(0)}% of the rate${journalCpu(spool, noJournal)}`,
  });
  rows.push(
    tsp === undefined
      ? {
          scenario: 'throughput',
          metric: 'task-spooler tsp -S 4',
          value: 'skipped',
          unit: '',
          baseline: 'not installed: apt-get install task-spooler',
        }
      : {
          scenario: 'throughput',
          metric: 'task-spooler tsp -S 4',
          value: tsp.rate,
          unit: 'jobs/s',
          baseline: `spoolctl / tsp = ${(spool.rate / tsp.rate).toFixed(2)}${cpuNote(tsp)}`,
        },
  );
  rows.push(
    floor === undefined || floorNoSync === undefined
      ? {
          scenario: 'throughput',
          metric: 'floor of the design (bench/floor.ts)',
          value: 'skipped',
          unit: '',
          baseline: 'needs the posix_spawn addon: npm ci',
        }
      : {
          scenario: 'throughput',
          metric: 'floor of the design (bench/floor.ts)',
          value: floor.rate,
          unit: 'jobs/s',
          baseline: `spoolctl = ${((spool.rate / floor.rate) * 100).toFixed(0)}% of it${cpuNote(floor)}; without fsync ${floorNoSync.rate.toFixed(0)}/s${cpuNote(floorNoSync)}${tsp === undefined ? '' : `; floor / tsp = ${(floor.rate / tsp.rate).toFixed(2)}`}`,
          target: 'spoolctl >= 90% of it',
          met: spool.rate >= 0.9 * floor.rate,
        },
  );
  return rows;
}

function journalCpu(on: Measured, off: Measured): string {
  return on.cpuMsPerJob === undefined || off.cpuMsPerJob === undefined
    ? ''
    : `, ${(on.cpuMsPerJob - off.cpuMsPerJob).toFixed(2)} ms CPU per job`;
}

function cpuNote(m: Measured): string {
  return m.cpuMsPerJob === undefined ? '' : `; CPU ${m.cpuMsPerJob.toFixed(2)} ms/job`;
}

/** 4 Node processes, each spawning `true` back to back. */
function rawSpawnRate(jobs: number): number {
  const per = Math.ceil(jobs / 4);
  const code = `const {spawnSync}=require('node:child_process');for(let i=0;i<${per};i++)spawnSync('true')`;
  const t0 = Date.now();
  const script = `for i in 1 2 3 4; do node -e "${code}" & done; wait`;
  spawnSync('sh', ['-c', script], { stdio: 'ignore' });
  return (per * 4) / ((Date.now() - t0) / 1000);
}

/** The same through the workers' own spawner (the addon); undefined when it does not load. */
function rawPosixSpawnRate(jobs: number): number | undefined {
  if (!nativeSpawner().spawner) return undefined;
  const per = Math.ceil(jobs / 4);
  const module = JSON.stringify(new URL('../src/worker/native-spawn.js', import.meta.url).href);
  const code = `const { spawner } = (await import(${module})).nativeSpawner(); for (let i = 0; i < ${per}; i++) await spawner.spawn(['true'], process.env, '/', 1, 2).exited;`;
  const t0 = Date.now();
  const script =
    'pids=; for i in 1 2 3 4; do node --input-type=module -e "$RAW_SPAWN" & pids="$pids $!"; done; for p in $pids; do wait $p || exit 1; done';
  const r = spawnSync('sh', ['-c', script], { stdio: 'ignore', env: { ...process.env, RAW_SPAWN: code } });
  if (r.status !== 0) return undefined;
  return (per * 4) / ((Date.now() - t0) / 1000);
}

function taskSpoolerRate(jobs: number): Measured | undefined {
  if (spawnSync('tsp', ['-h'], { stdio: 'ignore' }).error) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'spoolctl-bench-tsp-'));
  const env = { ...process.env, TS_SOCKET: join(dir, 'socket'), TS_MAXFINISHED: String(jobs + 10), TMPDIR: dir };
  try {
    spawnSync('tsp', ['-S', '4'], { env });
    const cpu0 = machineBusyMs();
    const t0 = Date.now();
    spawnSync(
      'sh',
      [
        '-c',
        `for i in $(seq ${jobs}); do tsp -n true >/dev/null; done; tsp -w >/dev/null 2>&1; while tsp | grep -qE ' (running|queued) '; do sleep 0.01; done`,
      ],
      { env, stdio: 'ignore' },
    );
    return measured(jobs, t0, cpu0);
  } finally {
    spawnSync('tsp', ['-K'], { env });
    rmSync(dir, { recursive: true, force: true });
  }
}
