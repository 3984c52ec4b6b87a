/**
 * Submit: how long a shell takes to queue N jobs, submission only (no sentinel runs).
 * spoolctl's batch submission (`seq N | spoolctl submit --inputs-from -`, one process)
 * beside a shell loop of task-spooler's `tsp -n true` and a loop of `spoolctl submit`, all
 * in the same run. The spoolctl loop starts Node once per job, so it is measured over fewer
 * jobs and extrapolated to N, which its row says.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfCommand } from '../src/paths.js';
import type { Row } from './lib.js';
import { benchSpool } from './spool.js';

/** Wall time of a shell script in ms; it must succeed. */
function timeShell(script: string, env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`bench submit: ${script} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** A loop of `tsp -n true` with its own server (socket and TMPDIR), which is killed after; undefined when tsp is missing. */
function taskSpoolerLoop(jobs: number): number | undefined {
  if (spawnSync('tsp', ['-h'], { stdio: 'ignore' }).error) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'spoolctl-bench-tsp-submit-'));
  const env = { TS_SOCKET: join(dir, 'socket'), TS_MAXFINISHED: String(jobs + 10), TMPDIR: dir };
  try {
    return timeShell(`for i in $(seq ${jobs}); do tsp -n true >/dev/null; done`, env);
  } finally {
    spawnSync('tsp', ['-K'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function submit(o: { jobs: number; loop: number }): Promise<Row[]> {
  const s = benchSpool('submit');
  const spoolctl = [...selfCommand(), '--spool', s.dir].map((a) => `'${a}'`).join(' ');
  try {
    const batchMs = timeShell(`seq ${o.jobs} | ${spoolctl} submit --plugin noop --inputs-from - >/dev/null`, {});
    const published = readdirSync(join(s.dir, 'pending')).length;
    if (published !== o.jobs) throw new Error(`bench submit: ${published} jobs in pending/, not ${o.jobs}`);
    const loopMs = timeShell(`for i in $(seq ${o.loop}); do ${spoolctl} submit --plugin noop --input $i >/dev/null 2>&1; done`, {});
    const loopAtN = (loopMs / o.loop) * o.jobs;
    const tspMs = taskSpoolerLoop(o.jobs);
    const perJob = (ms: number) => `${((ms / o.jobs) * 1000).toFixed(0)} µs/job`;
    return [
      {
        scenario: 'submit',
        metric: `${o.jobs} jobs from a shell: seq | spoolctl submit --inputs-from -`,
        value: batchMs,
        unit: 'ms',
        baseline: `${perJob(batchMs)}; one process, every job fsync'ed`,
        ...(tspMs === undefined ? {} : { target: `<= tsp loop ${tspMs.toFixed(0)} ms`, met: batchMs <= tspMs }),
      },
      tspMs === undefined
        ? {
            scenario: 'submit',
            metric: `a shell loop of tsp -n true`,
            value: 'skipped',
            unit: '',
            baseline: 'not installed: apt-get install task-spooler',
          }
        : {
            scenario: 'submit',
            metric: `${o.jobs} jobs from a shell: loop of tsp -n true`,
            value: tspMs,
            unit: 'ms',
            baseline: `${perJob(tspMs)}; spoolctl batch / tsp = ${(batchMs / tspMs).toFixed(2)}`,
          },
      {
        scenario: 'submit',
        metric: `${o.jobs} jobs from a shell: loop of spoolctl submit`,
        value: loopAtN,
        unit: 'ms',
        baseline: `extrapolated from ${o.loop} submissions in ${loopMs.toFixed(0)} ms (${perJob(loopAtN)}); batch is ${(loopAtN / batchMs).toFixed(0)}x faster`,
      },
    ];
  } finally {
    await s.stop();
  }
}
