/**
 * start-services and stop-services: a detached supervisor per host (which runs the workers,
 * and the sentinel when none is up for the spool on any host), recorded in the spool so that
 * a later stop-services stops exactly what was started, and nothing else. A start-services
 * that fails after it started something stops all of it again: a failed start leaves nothing.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { hostId } from '../config/identity.js';
import { HARD_SLOT_CAP } from '../config/schema.js';
import { checkWorkerCount } from '../fleet/limits.js';
import { startRole, stopProcesses, waitFor } from '../fleet/processes.js';
import { procId, signalQuietly, stillRunning, type ProcId } from '../proc.js';
import { readRecord, removeRecord, type Managed, type ServicesRecord } from '../fleet/services-record.js';
import { processLogPath, servicesLogDir } from '../spool/layout.js';
import { breakSlotLock, readSlotFiles, removeHeartbeat, type Heartbeat } from '../spool/slots.js';
import { sentinelStatus } from './status.js';
import type { Spool } from './spool.js';

export interface StartedServices {
  already: boolean;
  logDir: string;
  record: ServicesRecord;
  slots: { name: string; pid: number; slot: number }[];
}

export interface StartOptions {
  /** How the count was chosen ("--workers 5"), for the error when it is above worker.max_workers. */
  asked?: string;
  timeoutMs?: number;
  /** Also run a sentinel that stands by while another host's is active, and takes over when it is gone. */
  standby?: boolean;
  /** `--tag` for every worker, on top of worker.tags. */
  tags?: string[];
}

/** The heartbeats of the slots held by the given pids on this host, by pid. */
function heartbeatsOf(s: Spool, host: string, pids: number[]): Map<number, Heartbeat> {
  const found = new Map<number, Heartbeat>();
  for (let slot = 1; slot <= HARD_SLOT_CAP; slot += 1) {
    const hb = readSlotFiles(s.l, slot).heartbeat;
    if (hb && hb.host === host && pids.includes(hb.pid)) found.set(hb.pid, hb);
  }
  return found;
}

function workerSlots(s: Spool, rec: ServicesRecord): StartedServices['slots'] {
  const workers = rec.children.filter((c) => c.role === 'worker' && c.proc);
  const held = heartbeatsOf(
    s,
    rec.host,
    workers.map((w) => w.proc!.pid),
  );
  return workers.flatMap((w) => (held.has(w.proc!.pid) ? [{ name: w.name, pid: w.proc!.pid, slot: held.get(w.proc!.pid)!.slot }] : []));
}

/** The supervisor's sentinel waits as a standby (another host's sentinel is active). */
function standingBy(s: Spool, rec: ServicesRecord): boolean {
  const pid = rec.children.find((c) => c.role === 'sentinel')?.proc?.pid;
  return sentinelStatus(s).standby.some((b) => b.up && b.pid === pid && b.host === rec.host);
}

const sameProc = (a: ProcId, b: ProcId) => a.pid === b.pid && a.start === b.start;

export async function startServices(s: Spool, workers: number, opts: StartOptions = {}): Promise<StartedServices> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  // Before anything else: a worker above max_workers could never take a slot.
  checkWorkerCount(s.loaded, workers, opts.asked ?? `--workers ${workers}`);
  const host = hostId();
  const existing = readRecord(s.l, host);
  const logDir = servicesLogDir(s.l, host);
  if (existing && stillRunning(existing.supervisor)) return { already: true, logDir, record: existing, slots: workerSlots(s, existing) };
  // Its supervisor is gone (killed -9?): stop the workers and sentinel it left, then start afresh.
  if (existing) await stopStarted(s, host, existing.supervisor, existing, s.loaded.config.services.stop_timeout_ms);
  const withSentinel = !sentinelStatus(s).up || !!opts.standby;
  mkdirSync(logDir, { recursive: true });
  const logFile = processLogPath(logDir, 'supervisor');
  const child = startRole(
    'supervisor',
    [
      '--spool',
      s.l.root,
      'supervise',
      '--workers',
      String(workers),
      ...(withSentinel ? ['--with-sentinel'] : []),
      ...(opts.standby ? ['--standby'] : []),
      ...(opts.tags ?? []).flatMap((t) => ['--tag', t]),
    ],
    logFile,
  );
  child.proc.unref();
  const pid = child.proc.pid!;
  // Read at once: the pid cannot be reused before this process has reaped it.
  const supervisor: ProcId = procId(pid) ?? { pid, start: '' };
  const ours = () => {
    const rec = readRecord(s.l, host);
    return rec && sameProc(rec.supervisor, supervisor) ? rec : undefined;
  };
  const ready = (rec: ServicesRecord | undefined) =>
    !!rec && workerSlots(s, rec).length === workers && (!withSentinel || sentinelStatus(s).up || standingBy(s, rec));
  const gaveUp = (rec: ServicesRecord | undefined) => rec?.children.find((c) => c.state === 'gave_up');

  // A Ctrl-C (or SIGTERM) while waiting is a failed start too: stop what was started.
  let interrupted: string | undefined;
  const onSignal = (sig: NodeJS.Signals) => (interrupted = sig);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let why: string | undefined;
  try {
    await waitFor(() => ready(ours()) || !stillRunning(supervisor) || !!gaveUp(ours()) || interrupted !== undefined, timeoutMs, 100);
    const rec = ours();
    if (ready(rec) && stillRunning(supervisor) && !interrupted)
      return { already: false, logDir, record: rec!, slots: workerSlots(s, rec!) };
    const held = rec ? `${workerSlots(s, rec).length} of ${workers} workers held a slot` : 'the supervisor wrote no record';
    const given = gaveUp(rec);
    why = interrupted
      ? `start-services was interrupted by ${interrupted} (${held})`
      : !stillRunning(supervisor)
        ? `the supervisor exited before the services came up (${held})`
        : given
          ? `${given.name} kept crashing and the supervisor gave up on it (${held}); see ${given.log}`
          : `the services did not come up within ${timeoutMs / 1000} s (${held})`;
  } catch (err) {
    why = `start-services failed while waiting for the services: ${(err as Error).message}`;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const log = tail(logFile);
  let cleanup: string;
  try {
    const stopped = await stopStarted(s, host, supervisor, ours(), s.loaded.config.services.stop_timeout_ms);
    cleanup = `stopped everything it had started (${stopped.stopped.join(', ') || 'nothing was left running'})${stopped.killed.length ? `, killing pids ${stopped.killed.join(', ')}` : ''}`;
  } catch (err) {
    cleanup = `could not stop everything it had started (${(err as Error).message}): run \`spoolctl stop-services\``;
  }
  throw new Error(`${why}; start-services ${cleanup}. See ${logFile} and the worker logs beside it:\n${log}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-8).join('\n');
  } catch {
    return '';
  }
}

export interface StoppedServices {
  found: boolean;
  /** Nothing had to be killed. */
  graceful: boolean;
  killed: number[];
  /** Plugin process groups killed along with a worker that had to be killed. */
  pluginGroups: number[];
  released: number[];
  /** Recorded processes that no longer ran (or whose pid now names another process): never signalled. */
  gone: { name: string; pid: number }[];
}

interface StopResult extends Omit<StoppedServices, 'found'> {
  /** What was running and is now stopped, as "supervisor pid N", "worker-1 pid M". */
  stopped: string[];
}

/**
 * SIGTERM to the supervisor, which stops its workers (finish or hand back) and sentinel.
 * Past the timeout the supervisor alone is killed; then every recorded process that is still
 * the same process (pid and start time) is stopped the way the supervisor stops them: SIGTERM,
 * hand back, then killed with its plugin process groups; workers first, then the sentinel.
 * The slots of recorded workers that are dead are released.
 */
export async function stopServices(s: Spool, timeoutMs: number, say: (line: string) => void = () => undefined): Promise<StoppedServices> {
  const host = hostId();
  const rec = readRecord(s.l, host);
  if (!rec) return { found: false, graceful: true, killed: [], pluginGroups: [], released: [], gone: [] };
  const { stopped, ...r } = await stopStarted(s, host, rec.supervisor, rec, timeoutMs, say);
  return { found: true, ...r };
}

async function stopStarted(
  s: Spool,
  host: string,
  supervisor: ProcId,
  seen: ServicesRecord | undefined,
  timeoutMs: number,
  say: (line: string) => void = () => undefined,
): Promise<StopResult> {
  const cfg = s.loaded.config;
  const children = new Map<string, Managed & { proc: ProcId }>();
  /** The latest record of this supervisor (a restarted worker has a new pid). */
  const remember = (rec: ServicesRecord | undefined) => {
    if (!rec || !sameProc(rec.supervisor, supervisor)) return;
    for (const c of rec.children) if (c.proc) children.set(`${c.proc.pid}:${c.proc.start}`, c as Managed & { proc: ProcId });
  };
  remember(seen);
  remember(readRecord(s.l, host));
  const killed: number[] = [];
  const gone: StoppedServices['gone'] = [];
  const stopped: string[] = [];
  const supervisorWasUp: boolean = stillRunning(supervisor);
  // As the supervisor computes it: how long a running job may finish before it is handed back.
  const handBackMs = Math.min(cfg.worker.stop_timeout_ms, timeoutMs / 2);
  const waiting = announceWaits(s, host, [...children.values()], handBackMs, say);
  if (supervisorWasUp) {
    stopped.push(`supervisor pid ${supervisor.pid}`);
    signalQuietly(supervisor.pid, 'SIGTERM');
    // It stops its children within the stop timeout, killing them past it, then exits.
    if (
      !(await waitFor(
        () => {
          waiting();
          return !stillRunning(supervisor);
        },
        timeoutMs + 5000,
        100,
      ))
    ) {
      remember(readRecord(s.l, host));
      // Stuck (or paused): kill it alone; its children are stopped below, gracefully.
      if (stillRunning(supervisor)) signalQuietly(supervisor.pid, 'SIGKILL');
      killed.push(supervisor.pid);
      await waitFor(() => !stillRunning(supervisor), 5000, 50);
    }
  } else {
    gone.push({ name: 'supervisor', pid: supervisor.pid });
  }
  remember(readRecord(s.l, host));
  const all = [...children.values()];
  const live = all.filter((c) => stillRunning(c.proc));
  // With the supervisor up, the children it stopped are not "gone": they were stopped.
  if (!supervisorWasUp) for (const c of all) if (!live.includes(c)) gone.push({ name: c.name, pid: c.proc.pid });
  for (const c of live) stopped.push(`${c.name} pid ${c.proc.pid}`);
  const results = [
    ...(await stopProcesses(
      live.filter((c) => c.role === 'worker').map((c) => c.proc),
      handBackMs,
      timeoutMs,
    )),
    ...(await stopProcesses(
      live.filter((c) => c.role !== 'worker').map((c) => c.proc),
      timeoutMs,
      timeoutMs,
    )),
  ];
  const pluginGroups: number[] = [];
  for (const r of results) {
    if (r.killed) killed.push(r.pid);
    pluginGroups.push(...r.pluginGroups);
  }
  // A worker that stopped gracefully released its slot; one that was killed (now, or before) could not.
  const released: number[] = [];
  for (const [pid, { slot }] of heartbeatsOf(
    s,
    host,
    all.filter((c) => c.role === 'worker').map((c) => c.proc.pid),
  )) {
    if (procId(pid)) continue; // the pid is taken by another process: leave the slot to `workers cleanup`
    removeHeartbeat(s.l, slot);
    breakSlotLock(s.l, slot);
    released.push(slot);
  }
  waiting();
  const now = readRecord(s.l, host);
  if (now && sameProc(now.supervisor, supervisor)) removeRecord(s.l, host);
  return { graceful: killed.length === 0, killed, pluginGroups, released, gone, stopped };
}

/**
 * Says which running jobs stopping the workers waits for, then, each time it is called, which
 * of those workers have exited since: a stop that waits for a long job says why it waits.
 */
function announceWaits(s: Spool, host: string, children: (Managed & { proc: ProcId })[], handBackMs: number, say: (line: string) => void) {
  const workers = children.filter((c) => c.role === 'worker' && stillRunning(c.proc));
  const busy = [
    ...heartbeatsOf(
      s,
      host,
      workers.map((w) => w.proc.pid),
    ).values(),
  ].filter((hb) => hb.job);
  for (const hb of busy) say(`slot ${hb.slot}: waiting for job ${hb.job} to finish (up to ${handBackMs / 1000}s, then it is handed back)…`);
  return () => {
    for (const hb of busy.splice(0)) {
      const w = workers.find((c) => c.proc.pid === hb.pid)!;
      if (stillRunning(w.proc)) busy.push(hb);
      else say(`slot ${hb.slot}: ${w.name} stopped.`);
    }
  };
}
