/**
 * A chaos run's schedule: what happens when, drawn from the seed alone, so the same seed and
 * options give the same schedule (the timing of the processes themselves still varies).
 */
import { createHash } from 'node:crypto';
import { seededRandom } from '../faults/failpoints.js';
import { FAILPOINTS, type FailpointName } from '../faults/points.js';

export interface ChaosOptions {
  jobs: number;
  workers: number;
  kills: number;
  seed: number;
  sentinel: boolean;
  /** Besides `kills`: a worker SIGKILLed about this often (0: none). */
  killEveryMs?: number;
  /** Besides `kills`: this many SIGKILLs of the sentinel. */
  sentinelKills?: number;
  /** Jobs are dropped into pending/ through the file API while the disruptions run, not all first. */
  arrivals?: boolean;
  /** How long a job runs, drawn between these (default 20 to 300 ms). */
  jobMs?: [number, number];
  /** Share of the jobs whose plugin fails every attempt, in percent (default 5). */
  failPercent?: number;
  /** Some jobs wait for a time, some run after an earlier job, some belong to a plugin limited to 2 at once. */
  scheduling?: boolean;
}

export type Disruption =
  | { at_ms: number; kind: 'kill-worker'; worker: number }
  | { at_ms: number; kind: 'pause-worker'; worker: number; for_ms: number }
  | { at_ms: number; kind: 'kill-sentinel' }
  | { at_ms: number; kind: 'arm-worker'; worker: number; failpoint: FailpointName }
  | { at_ms: number; kind: 'arm-sentinel'; failpoint: FailpointName };

export interface JobPlan {
  id: string;
  ms: number;
  fails: boolean;
  priority: number;
  /** When the job is dropped into pending/, from the start of the run. */
  arrive_ms: number;
  /** With `scheduling`: not claimed before this long after it is dropped. */
  delay_ms?: number;
  /** With `scheduling`: runs after this job, dropped no later than it. */
  after?: string;
  /** With `scheduling`: of the plugin limited to LIMITED_AT_ONCE jobs at once. */
  limited?: boolean;
}

/** max_concurrent of the chaos run's limited plugin. */
export const LIMITED_AT_ONCE = 2;

export interface Schedule {
  jobs: JobPlan[];
  disruptions: Disruption[];
  fingerprint: string;
}

const WORKER_POINTS = (Object.keys(FAILPOINTS) as FailpointName[]).filter((n) => /^(run|result|heartbeat)\./.test(n));
const SENTINEL_POINTS = (Object.keys(FAILPOINTS) as FailpointName[]).filter((n) =>
  /^(intake|claim|complete|reclaim|journal|ledger|rename)\./.test(n),
);

/** How long the jobs take with every worker busy, which is the window disruptions fall in. */
export function expectedRunMs(jobs: JobPlan[], workers: number): number {
  return jobs.reduce((n, j) => n + j.ms + 15, 0) / workers;
}

export function makeSchedule(o: ChaosOptions, pauseMs: number): Schedule {
  const rnd = seededRandom(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const [minMs, maxMs] = o.jobMs ?? [20, 300];
  const jobs: JobPlan[] = Array.from({ length: o.jobs }, (_, i) => ({
    id: `chaos-${o.seed}-${String(i).padStart(5, '0')}`,
    ms: Math.round(minMs + rnd() * (maxMs - minMs)),
    fails: rnd() < (o.failPercent ?? 5) / 100,
    priority: Math.floor(rnd() * 3),
    arrive_ms: 0,
  }));
  const window = Math.max(2000, expectedRunMs(jobs, o.workers) * 0.9);
  // Drawn after everything else, so that these options leave the rest of a seed's schedule as it is without them.
  const extra = (): Disruption[] => {
    const out: Disruption[] = [];
    for (let at = o.killEveryMs ?? 0; o.killEveryMs && at < window; at += o.killEveryMs) {
      out.push({ at_ms: Math.round(at + (rnd() - 0.5) * o.killEveryMs * 0.4), kind: 'kill-worker', worker: Math.floor(rnd() * o.workers) });
    }
    for (let i = 0; i < (o.sentinelKills ?? 0); i += 1) out.push({ at_ms: Math.round(rnd() * window), kind: 'kill-sentinel' });
    if (o.arrivals) for (const j of jobs) j.arrive_ms = Math.round(rnd() * window * 0.8);
    if (o.scheduling) scheduleJobs(jobs, rnd, window);
    return out;
  };
  const disruptions: Disruption[] = [];
  for (let i = 0; i < o.kills; i += 1) {
    const at_ms = Math.round(rnd() * window);
    const worker = Math.floor(rnd() * o.workers);
    const r = rnd();
    if (o.sentinel && r < 0.15) disruptions.push({ at_ms, kind: 'kill-sentinel' });
    else if (o.sentinel && r < 0.25) disruptions.push({ at_ms, kind: 'arm-sentinel', failpoint: pick(SENTINEL_POINTS) });
    else if (r < 0.45) disruptions.push({ at_ms, kind: 'pause-worker', worker, for_ms: pauseMs });
    else if (r < 0.65) disruptions.push({ at_ms, kind: 'arm-worker', worker, failpoint: pick(WORKER_POINTS) });
    else disruptions.push({ at_ms, kind: 'kill-worker', worker });
  }
  disruptions.push(...extra());
  disruptions.sort((a, b) => a.at_ms - b.at_ms);
  // Only the options that shape the schedule: a caller's extra fields (the spool path) must not.
  const shape = {
    jobs: o.jobs,
    workers: o.workers,
    kills: o.kills,
    seed: o.seed,
    sentinel: o.sentinel,
    killEveryMs: o.killEveryMs,
    sentinelKills: o.sentinelKills,
    arrivals: o.arrivals,
    jobMs: o.jobMs,
    failPercent: o.failPercent,
    scheduling: o.scheduling,
  };
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ o: shape, jobs, disruptions }))
    .digest('hex')
    .slice(0, 16);
  return { jobs, disruptions, fingerprint };
}

/**
 * A job in seven waits up to a third of the window; one in seven runs after a job dropped no
 * later than it (known to the sentinel by then: an unknown id would be rejected); one in five
 * belongs to the limited plugin, which never fails so that the limit is what holds it back.
 */
function scheduleJobs(jobs: JobPlan[], rnd: () => number, window: number): void {
  jobs.forEach((j, i) => {
    const r = rnd();
    if (r < 1 / 7) j.delay_ms = Math.round(rnd() * window * 0.3);
    else if (r < 2 / 7 && i > 0) {
      const earlier = jobs.slice(0, i).filter((d) => d.arrive_ms <= j.arrive_ms);
      if (earlier.length > 0) j.after = earlier[Math.floor(rnd() * earlier.length)]!.id;
    } else if (r < 2 / 7 + 0.2) {
      j.limited = true;
      j.fails = false;
    }
  });
}
