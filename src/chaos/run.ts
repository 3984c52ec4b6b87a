/**
 * `spoolctl chaos`: runs a batch of jobs on a scratch spool (or a given one) while killing,
 * pausing and failpoint-crashing workers (and the sentinel with --sentinel) on a seeded
 * schedule, restarts whatever died, waits until every job has settled, then verifies the
 * spool and counts: nothing may be lost, nothing completed twice, and no two attempts of a
 * job may run at once, as the plugin's own records of its attempts tell.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSpool, type Spool } from '../api/spool.js';
import { verifySpool, type Violation } from '../api/verify.js';
import { fixturePluginCommand } from '../demo/spool.js';
import { startRole, stopChildren, waitFor, type Child } from '../fleet/processes.js';
import { openDb } from '../ledger/open.js';
import { ledgerPathOf } from '../ledger/path.js';
import { countEventsOfType, countJobsDoneTwice } from '../ledger/queries.js';
import { sleep } from '../proc.js';
import { publish } from '../spool/atomic.js';
import { initSpool } from '../spool/init.js';
import {
  chaosAttemptsDir,
  chaosLogPath,
  isChaosLogName,
  logsPath,
  pluginPath,
  stateFileName,
  statePath,
  type Layout,
} from '../spool/layout.js';
import { listResults } from '../spool/results.js';
import { allSlotNumbers, listClaims, listDone, listNames, listStateDir } from '../spool/scan.js';
import { scheduleKept } from './schedule-kept.js';
import {
  expectedRunMs,
  LIMITED_AT_ONCE,
  makeSchedule,
  type ChaosOptions,
  type Disruption,
  type JobPlan,
  type Schedule,
} from './schedule.js';

export interface ChaosReport {
  seed: number;
  schedule: string;
  spool: string;
  submitted: number;
  done: number;
  failed: number;
  worker_kills: number;
  pauses: number;
  sentinel_kills: number;
  failpoints_armed: number;
  failpoints_fired: number;
  reclaims: number;
  fenced: number;
  lost: number;
  completed_twice: number;
  /** Jobs of which an attempt started while an earlier one still ran (fixtures/plugins/attempt.mjs). */
  ran_concurrently: number;
  /** With `scheduling`: the most jobs of the limited plugin claimed at once (at most LIMITED_AT_ONCE). */
  limited_at_once: number;
  /** With `scheduling`: jobs claimed before the job they run after was done. */
  ran_before_dependency: number;
  verify_ok: boolean;
  violations: Violation[];
  elapsed_s: number;
}

const STALE_MS = 1500;
/** A paused worker stays stopped long enough to be declared lost and its job reclaimed. */
const PAUSE_MS = STALE_MS + 1000;

const SCRATCH_TOML = `# chaos run: short thresholds so lost workers are noticed quickly
[worker]
stale_after_ms = ${STALE_MS}
heartbeat_ms = 200
kill_grace_ms = 200
stop_timeout_ms = 500

[jobs]
max_attempts = 25

[sentinel]
scan_interval_ms = 200
`;

/** The schedule a run with these options follows (what `chaos --dry-run` prints). */
export function planChaos(o: ChaosOptions): Schedule {
  return makeSchedule(o, PAUSE_MS);
}

export async function runChaos(o: ChaosOptions & { spool?: string; say: (line: string) => void }): Promise<ChaosReport> {
  const started = Date.now();
  const dir = o.spool ?? mkdtempSync(join(tmpdir(), 'spoolctl-chaos-'));
  const l = initSpool(dir);
  if (!o.spool) writeFileSync(l.config, SCRATCH_TOML);
  const attempts = chaosAttemptsDir(l);
  mkdirSync(attempts, { recursive: true });
  writeFileSync(
    pluginPath(l, 'chaos-ok'),
    JSON.stringify({ name: 'chaos-ok', command: fixturePluginCommand('attempt.mjs', attempts, '{params.ms}') }),
  );
  // Its retry waits a short backoff, so that runs exercise it without lasting longer.
  writeFileSync(
    pluginPath(l, 'chaos-fail'),
    JSON.stringify({
      name: 'chaos-fail',
      command: fixturePluginCommand('fail.mjs', '1', '{params.ms}'),
      max_attempts: 2,
      retry_backoff_ms: 500,
    }),
  );

  const schedule = planChaos(o);
  o.say(
    `chaos: seed ${o.seed}, schedule ${schedule.fingerprint}: ${o.jobs} jobs, ${o.workers} workers, ${schedule.disruptions.length} disruptions, spool ${l.root}`,
  );
  writeFileSync(
    pluginPath(l, 'chaos-limited'),
    JSON.stringify({
      name: 'chaos-limited',
      command: fixturePluginCommand('attempt.mjs', attempts, '{params.ms}'),
      max_concurrent: LIMITED_AT_ONCE,
    }),
  );
  // The file API: any producer may write in tmp/ and rename into pending/.
  const drop = (j: JobPlan) => {
    const m = {
      id: j.id,
      plugin: j.limited ? 'chaos-limited' : j.fails ? 'chaos-fail' : 'chaos-ok',
      params: { ms: j.ms },
      priority: j.priority,
      ...(j.delay_ms ? { not_before: new Date(Date.now() + j.delay_ms).toISOString() } : {}),
      ...(j.after ? { after: [j.after] } : {}),
    };
    publish(l.tmp, statePath(l, 'pending', stateFileName(j.id, 0)), JSON.stringify(m));
  };
  const arriving = schedule.jobs.filter((j) => j.arrive_ms > 0);
  for (const j of schedule.jobs) if (j.arrive_ms === 0) drop(j);

  const env = (failpoint?: string): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, SPOOLCTL_SPOOL: l.root };
    delete e.SPOOLCTL_FAILPOINTS;
    if (failpoint) e.SPOOLCTL_FAILPOINTS = `${failpoint}=1*crash`;
    return e;
  };
  const log = (name: string) => chaosLogPath(l, name);
  let sentinel = startRole('sentinel', ['sentinel'], log('sentinel'), env());
  const workers: Child[] = Array.from({ length: o.workers }, (_, i) => startRole(`worker ${i}`, ['worker'], log(`worker-${i}`), env()));
  const paused = new Set<number>();
  let sentinelDownUntil = 0;
  const counts = { worker_kills: 0, pauses: 0, sentinel_kills: 0, failpoints_armed: 0 };
  const exited = (c: Child) => c.proc.exitCode !== null || c.proc.signalCode !== null;

  let supervising = true;
  const supervisor = (async () => {
    while (supervising) {
      workers.forEach((w, i) => {
        if (exited(w) && !paused.has(i)) workers[i] = startRole(`worker ${i}`, ['worker'], log(`worker-${i}`), env());
      });
      if (exited(sentinel) && Date.now() >= sentinelDownUntil) sentinel = startRole('sentinel', ['sentinel'], log('sentinel'), env());
      await sleep(100);
    }
  })();

  const apply = async (d: Disruption) => {
    if (d.kind === 'kill-worker') {
      workers[d.worker]!.proc.kill('SIGKILL');
      counts.worker_kills += 1;
    } else if (d.kind === 'pause-worker') {
      const w = workers[d.worker]!;
      if (paused.has(d.worker) || exited(w)) return;
      paused.add(d.worker);
      w.proc.kill('SIGSTOP');
      counts.pauses += 1;
      setTimeout(() => {
        w.proc.kill('SIGCONT');
        paused.delete(d.worker);
      }, d.for_ms);
    } else if (d.kind === 'arm-worker') {
      if (paused.has(d.worker)) return;
      const w = workers[d.worker]!;
      w.proc.kill('SIGKILL');
      await w.exited;
      workers[d.worker] = startRole(`worker ${d.worker}`, ['worker'], log(`worker-${d.worker}`), env(d.failpoint));
      counts.failpoints_armed += 1;
    } else if (d.kind === 'kill-sentinel') {
      sentinelDownUntil = Date.now() + 300;
      sentinel.proc.kill('SIGKILL');
      counts.sentinel_kills += 1;
    } else {
      sentinelDownUntil = Date.now() + 1000;
      sentinel.proc.kill('SIGKILL');
      await sentinel.exited;
      sentinel = startRole('sentinel', ['sentinel'], log('sentinel'), env(d.failpoint));
      counts.failpoints_armed += 1;
    }
  };

  const t0 = Date.now();
  const arrivals = (async () => {
    for (const j of [...arriving].sort((a, b) => a.arrive_ms - b.arrive_ms)) {
      const wait = t0 + j.arrive_ms - Date.now();
      if (wait > 0) await sleep(wait);
      drop(j);
    }
  })();
  for (const d of schedule.disruptions) {
    const wait = t0 + d.at_ms - Date.now();
    if (wait > 0) await sleep(wait);
    await apply(d);
  }
  await arrivals;
  const ids = new Set(schedule.jobs.map((j) => j.id));
  const settledIn = Math.max(120_000, expectedRunMs(schedule.jobs, o.workers) * 4);
  const settled = await waitFor(() => quiescent(l, ids), settledIn, 200);
  supervising = false;
  await supervisor;
  for (const w of workers) w.proc.kill('SIGCONT');
  await stopChildren(workers, 500, 5000);
  await stopChildren([sentinel], 2000, 10_000);
  if (!settled) o.say(`chaos: the spool did not settle within ${Math.round(settledIn / 1000)}s`);

  // Opened as the sentinels it started did (without this command's --set): their ledger is where they wrote it.
  const s = openSpool(l.root);
  const report = { ...tally(s, ids), ...scheduleKept(s, schedule.jobs) };
  const verification = verifySpool(s);
  return {
    seed: o.seed,
    schedule: schedule.fingerprint,
    spool: l.root,
    submitted: ids.size,
    ...report,
    ...counts,
    ran_concurrently: countOverlaps(attempts),
    failpoints_fired: countFired(l),
    verify_ok: verification.ok && settled,
    violations: verification.violations,
    elapsed_s: Math.round((Date.now() - started) / 100) / 10,
  };
}

function quiescent(l: Layout, ids: Set<string>): boolean {
  if (listNames(l.pending).length > 0 || listResults(l).files.length > 0) return false;
  for (const slot of allSlotNumbers()) {
    const { claims, strays } = listClaims(l, slot);
    if (claims.length + strays.length > 0) return false;
  }
  const settledIds = new Set([...listDone(l), ...listStateDir(l.failed).jobs].map((j) => j.id));
  for (const id of ids) if (!settledIds.has(id)) return false;
  return true;
}

function tally(s: Spool, ids: Set<string>) {
  const { l } = s;
  const done = listDone(l).filter((j) => ids.has(j.id));
  const failed = listStateDir(l.failed).jobs.filter((j) => ids.has(j.id));
  const everywhere = new Set(
    [
      ...done,
      ...failed,
      ...listStateDir(l.pending).jobs,
      ...listStateDir(l.held).jobs,
      ...allSlotNumbers().flatMap((slot) => listClaims(l, slot).claims),
    ].map((j) => j.id),
  );
  const db = openDb(ledgerPathOf(l, s.loaded), { readonly: true, busyTimeoutMs: 5000 });
  try {
    return {
      done: done.length,
      failed: failed.length,
      reclaims: countEventsOfType(db, 'reclaimed'),
      fenced: countEventsOfType(db, 'fenced'),
      lost: [...ids].filter((id) => !everywhere.has(id)).length,
      completed_twice: countJobsDoneTwice(db),
    };
  } finally {
    db.close();
  }
}

function countOverlaps(attempts: string): number {
  return readdirSync(attempts).filter((name) => readFileSync(join(attempts, name), 'utf8').includes('"event":"overlap"')).length;
}

function countFired(l: Layout): number {
  let n = 0;
  for (const name of readdirSync(l.logs).filter(isChaosLogName)) {
    n += readFileSync(logsPath(l, name), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"failpoint fired"')).length;
  }
  return n;
}
