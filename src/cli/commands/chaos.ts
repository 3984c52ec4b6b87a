/** spoolctl chaos: a seeded fault-injection run with a no-loss report. */
import type { Command } from 'commander';
import type { ChaosOptions } from '../../chaos/schedule.js';
import { HARD_SLOT_CAP } from '../../config/schema.js';
import { UsageError } from '../../errors.js';
import { printJson } from '../output.js';
import { spoolFlag } from '../spool-args.js';

const whole = (flag: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new UsageError(`${flag} takes a whole number from ${min} to ${max} (got "${v}").`);
  return n;
};

interface ChaosFlags {
  jobs: number;
  workers: number;
  kills: number;
  seed?: number;
  sentinel?: boolean;
  killEvery?: number;
  sentinelKills?: number;
  arrivals?: boolean;
  jobMs: [number, number];
  failPercent: number;
  scheduling?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

function chaosOptions(f: ChaosFlags, seed: number): ChaosOptions {
  return {
    jobs: f.jobs,
    workers: f.workers,
    kills: f.kills,
    seed,
    sentinel: f.sentinel ?? false,
    killEveryMs: f.killEvery,
    sentinelKills: f.sentinelKills,
    arrivals: f.arrivals,
    jobMs: f.jobMs,
    failPercent: f.failPercent,
    scheduling: f.scheduling,
  };
}

function msRange(v: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(v);
  const [min, max] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(min <= max && max <= 3_600_000))
    throw new UsageError(`--job-ms takes two whole numbers of milliseconds, the smaller first, such as 100-1000 (got "${v}").`);
  return [min, max];
}

export function addChaosCommand(program: Command): void {
  program
    .command('chaos')
    .description(
      'run jobs while killing and pausing workers (and the sentinel), then prove nothing was lost, completed twice or run twice at once',
    )
    .option('--jobs <n>', 'jobs to run', whole('--jobs', 1, 1_000_000), 200)
    .option('--workers <n>', 'workers to keep running', whole('--workers', 1, HARD_SLOT_CAP), 4)
    .option('--kills <n>', 'disruptions (kills, pauses, failpoint crashes)', whole('--kills', 0, 100_000), 20)
    .option('--seed <n>', 'seed of the schedule (same seed, same schedule)', whole('--seed', 0, 2 ** 32 - 1))
    .option('--sentinel', 'also kill the sentinel and crash it at failpoints')
    .option('--kill-every <ms>', 'besides --kills, SIGKILL a worker about this often', whole('--kill-every', 50, 3_600_000))
    .option('--sentinel-kills <n>', 'besides --kills, SIGKILL the sentinel this many times', whole('--sentinel-kills', 0, 100_000))
    .option('--arrivals', 'drop the jobs into pending/ while the disruptions run, instead of all at the start')
    .option('--fail-percent <n>', 'share of the jobs meant to fail every attempt', whole('--fail-percent', 0, 100), 5)
    .option('--job-ms <min-max>', 'how long each job runs, drawn between the two (milliseconds)', msRange, [20, 300])
    .option('--scheduling', 'some jobs wait for a time, some run after another, some share a plugin limited to 2 at once')
    .option('--dry-run', 'print the schedule the seed gives (its fingerprint, jobs and disruptions) and run nothing')
    .option('--json', 'print the report as JSON')
    .action(async (opts: ChaosFlags, cmd: Command) => {
      const { planChaos, runChaos } = await import('../../chaos/run.js');
      const { LIMITED_AT_ONCE } = await import('../../chaos/schedule.js');
      const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
      if (opts.dryRun) {
        const plan = planChaos(chaosOptions(opts, seed));
        if (opts.json) return printJson({ seed, schedule: plan.fingerprint, jobs: plan.jobs, disruptions: plan.disruptions });
        const head = `seed ${seed} (schedule ${plan.fingerprint}): ${plan.jobs.length} jobs, ${plan.jobs.filter((j) => j.fails).length} meant to fail, ${plan.disruptions.length} disruptions`;
        const lines = plan.disruptions.map((d) => {
          const { at_ms, kind, ...rest } = d;
          const args = Object.entries(rest)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ');
          return `  +${String(at_ms).padStart(6)} ms  ${kind}${args ? ` ${args}` : ''}`;
        });
        process.stdout.write(`${[head, ...lines].join('\n')}\n`);
        return;
      }
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const r = await runChaos({ ...chaosOptions(opts, seed), spool: spoolFlag(cmd), say });
      if (opts.json) printJson(r);
      else {
        const rows: [string, string | number][] = [
          ['seed', `${r.seed} (schedule ${r.schedule})`],
          ['spool', r.spool],
          ['submitted', r.submitted],
          ['done', r.done],
          ['failed', r.failed],
          ['worker kills', r.worker_kills],
          ['pauses', r.pauses],
          ['sentinel kills', r.sentinel_kills],
          ['failpoints armed / fired', `${r.failpoints_armed} / ${r.failpoints_fired}`],
          ['reclaims', r.reclaims],
          ['fenced results', r.fenced],
          ['lost (must be 0)', r.lost],
          ['completed twice (must be 0)', r.completed_twice],
          ['ran concurrently (must be 0)', r.ran_concurrently],
          [`limited plugin at once (<= ${LIMITED_AT_ONCE})`, r.limited_at_once],
          ['ran before dependency (0)', r.ran_before_dependency],
          ['verify', r.verify_ok ? 'OK' : `FAILED (${r.violations.length} violations)`],
          ['elapsed', `${r.elapsed_s}s`],
        ];
        process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(28)} ${v}`).join('\n')}\n`);
        for (const v of r.violations) process.stdout.write(`  ${v.kind}${v.job ? ` ${v.job}` : ''}: ${v.detail}\n`);
      }
      const kept = r.limited_at_once <= LIMITED_AT_ONCE && r.ran_before_dependency === 0;
      process.exitCode = r.lost === 0 && r.completed_twice === 0 && r.ran_concurrently === 0 && kept && r.verify_ok ? 0 : 1;
    });
}
