/**
 * `spoolctl run`, the zero-configuration path: submit jobs, make sure a sentinel and workers
 * run for the spool (starting only what is missing, as children that only this run stops),
 * and follow the jobs through the ledger until each one is done or failed.
 */
import { mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { hostId } from '../config/identity.js';
import { InvalidFileError, UsageError } from '../errors.js';
import { startRole, stopChildren, waitFor, type Child } from '../fleet/processes.js';
import { getJob } from '../ledger/queries.js';
import { readJsonFile } from '../spool/manifest.js';
import { processLogPath, runLogDir } from '../spool/layout.js';
import type { Draft } from './batch.js';
import { refuseKnownIds } from './job-ids.js';
import { sentinelStatus } from './status.js';
import { openLedgerForRead, type Spool } from './spool.js';
import { submitJob, submitJobs, type SubmitInput } from './submit.js';
import { claimsWithoutWorker, listWorkers } from './workers.js';

/** What to submit: manifest files, one job described by flags, or the lines of --inputs-from or --manifests-from. */
export type RunInput = { files: string[] } | { job: SubmitInput } | { drafts: Draft[] };

/** Reads every manifest file; submitJobs checks them all before it publishes any. */
function readDrafts(s: Spool, files: string[]): Draft[] {
  return files.map((file) => {
    let fields: unknown;
    try {
      fields = readJsonFile(realpathSync(file), s.loaded.config.jobs.max_manifest_bytes);
    } catch (err) {
      const why = err instanceof InvalidFileError ? `${file} ${err.message}` : `Cannot read ${file}: ${(err as Error).message}`;
      throw new UsageError(`${why}; nothing was submitted.`);
    }
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
      throw new UsageError(`${file} is not a JSON object; nothing was submitted.`);
    return { where: file, fields: fields as Record<string, unknown> };
  });
}

/** Checks, then submits; returns the ids in submission order. */
export async function submitRun(s: Spool, input: RunInput): Promise<string[]> {
  if ('job' in input) return [await submitJob(s, input.job)];
  if ('drafts' in input) return submitJobs(s, input.drafts);
  const drafts = readDrafts(s, input.files);
  // As for `submit --id`: a chosen id the spool has is a conflict (exit 1), not a usage error.
  refuseKnownIds(
    s,
    drafts.flatMap((d) => (typeof d.fields.id === 'string' ? [d.fields.id] : [])),
  );
  return submitJobs(s, drafts);
}

export interface Started {
  logDir: string;
  sentinel: Child | undefined;
  workers: Child[];
  /** Workers already live when the run began (it started none then). */
  liveBefore: number;
}

/** Workers that take jobs: a draining one is about to leave. */
const isLive = (state: string) => state === 'idle' || state === 'busy';

function liveWorkerCount(s: Spool): number {
  return listWorkers(s).filter((w) => isLive(w.state)).length;
}

function holdsSlot(s: Spool, pid: number): boolean {
  const host = hostId();
  return listWorkers(s).some((w) => w.host === host && w.pid === pid && isLive(w.state));
}

function running(c: Child): boolean {
  return c.proc.exitCode === null && c.proc.signalCode === null;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-5).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts a sentinel if none is up for the spool, and services.workers workers (at most
 * worker.max_workers) if no live worker holds a slot; waits until they are up. On failure it
 * stops what it started before throwing; when `cancelled` turns true it returns at once with
 * all it started, so that the caller stops and reports the same set as after a normal run.
 */
export async function startMissing(s: Spool, cancelled: () => boolean, timeoutMs = 60_000): Promise<Started> {
  const root = s.l.root;
  const logDir = runLogDir(s.l, hostId());
  const liveBefore = liveWorkerCount(s);
  const started: Started = { logDir, sentinel: undefined, workers: [], liveBefore };
  const wantSentinel = !sentinelStatus(s).up;
  const n = liveBefore > 0 ? 0 : Math.min(s.loaded.config.services.workers, s.loaded.config.worker.max_workers);
  if (!wantSentinel && n === 0) return started;
  mkdirSync(logDir, { recursive: true });
  if (wantSentinel) started.sentinel = startRole('sentinel', ['--spool', root, 'sentinel'], processLogPath(logDir, 'sentinel'));
  for (let i = 1; i <= n; i += 1)
    started.workers.push(startRole(`worker ${i}`, ['--spool', root, 'worker'], processLogPath(logDir, `worker-${i}`)));

  const sentinelReady = () => !wantSentinel || sentinelStatus(s).up;
  const workersSettled = () => started.workers.every((w) => !running(w) || holdsSlot(s, w.proc.pid!));
  await waitFor(() => cancelled() || (sentinelReady() && workersSettled()), timeoutMs, 100);
  let problem: string | undefined;
  if (!sentinelReady()) {
    const log = processLogPath(logDir, 'sentinel');
    problem = `the sentinel did not come up; see ${log}:\n${tail(log)}`;
  } else if (n > 0 && liveWorkerCount(s) === 0) {
    const log = processLogPath(logDir, 'worker-1');
    problem = `no worker took a slot; see the worker logs in ${logDir}:\n${tail(log)}`;
  }
  if (cancelled()) return started;
  if (problem) {
    await stopStarted(s, started);
    throw new Error(problem);
  }
  // A worker that found every slot taken (by another host's workers starting meanwhile) has exited.
  started.workers = started.workers.filter(running);
  return started;
}

/**
 * Stops what startMissing started: workers first (each finishes or hands back its job), then,
 * once the sentinel has recorded what they handed back, the sentinel.
 */
export async function stopStarted(s: Spool, started: Started): Promise<void> {
  await stopChildren(started.workers);
  if (!started.sentinel) return;
  const scan = s.loaded.config.sentinel.scan_interval_ms;
  await waitFor(
    // A claim leaves claimed/ only once the sentinel has applied its result or handed it back.
    () => !running(started.sentinel!) || claimsWithoutWorker(s) === 0,
    Math.max(5000, 3 * scan),
    100,
  );
  await stopChildren([started.sentinel]);
}

export interface JobProgress {
  id: string;
  /** The ledger's state, or `submitted` until the sentinel has recorded the job. */
  state: string;
  attempts: number;
  progress: number | null;
  message: string | null;
  last_error: string | null;
}

export const FINISHED = new Set(['done', 'failed', 'cancelled', 'rejected']);

export function jobProgress(s: Spool, ids: string[]): JobProgress[] {
  const db = openLedgerForRead(s);
  try {
    return ids.map((id) => {
      const row = db ? getJob(db, id) : undefined;
      if (!row) return { id, state: 'submitted', attempts: 0, progress: null, message: null, last_error: null };
      return { id, state: row.state, attempts: row.attempts, progress: row.progress, message: row.message, last_error: row.last_error };
    });
  } finally {
    db?.close();
  }
}

/** Whether the spool can still make progress: a sentinel is up and some worker is live. */
export function stalled(s: Spool): string | undefined {
  if (!sentinelStatus(s).up) return 'no sentinel is up';
  if (liveWorkerCount(s) === 0) return 'no live worker holds a slot';
  return undefined;
}
