/** Job queries for `jobs list`, `jobs show`, `jobs log`, bulk selections and the TUI. */
import { UsageError } from '../errors.js';
import type { Db } from '../ledger/open.js';
import {
  FINISHED_STATES,
  getJob,
  getJobByFile,
  jobEvents,
  jobsAfter,
  listJobs,
  PURGED,
  statesOf,
  type JobFilter,
  type JobRow,
} from '../ledger/queries.js';
import { isItemName, isRejectedName, rejectedEntry, spoolPath, STATE_DIRS } from '../spool/layout.js';
import { readJobLog, type LogRead } from '../spool/logs.js';
import { readJsonFile } from '../spool/manifest.js';
import { sleep } from '../proc.js';
import { requireLedger, type Spool } from './spool.js';
import { waitingOf } from './waiting.js';

export { FINISHED_STATES, PURGED };

/** A job row as readers get it: `waiting` is why a pending job is not running yet (spool-layout.md, "Scheduling"), or null. */
export type JobSummary = Omit<JobRow, 'after_ids'>;

function summary({ after_ids: _after, ...row }: JobRow, now: number): JobSummary {
  return { ...row, waiting: waitingOf(row, now) };
}

export interface JobEvent {
  seq: number;
  type: string;
  at: string;
  slot: number | null;
  attempt: number | null;
  actor: string | null;
  [key: string]: unknown;
}

export interface JobDetail extends JobSummary {
  /** The jobs it runs after (manifest `after`), each with its state (null: not in the ledger). */
  after: { id: string; state: string | null }[];
  /** The jobs that run after it. */
  before: { id: string; state: string }[];
  manifest: unknown;
  events: JobEvent[];
  log_tail: string | null;
}

export interface JobQuery extends Omit<JobFilter, 'updatedBefore' | 'agedBefore'> {
  /** Only jobs that finished (or, unfinished, were submitted) more than this long ago. */
  olderThanMs?: number;
}

/** Purged jobs have no directory: they are listed only when asked for by name; scheduled ones are pending jobs waiting for a time. */
const SCHEDULED = 'scheduled';
const LISTED_STATES: readonly string[] = [...STATE_DIRS, PURGED, SCHEDULED];

export function queryJobs(s: Spool, q: JobQuery): JobSummary[] {
  for (const st of [q.state, ...(q.states ?? [])]) {
    if (st !== undefined && !LISTED_STATES.includes(st))
      throw new UsageError(`Unknown state "${st}": use one of ${LISTED_STATES.join(', ')}.`);
  }
  const { olderThanMs, ...f } = q;
  const now = Date.now();
  const db = requireLedger(s);
  try {
    return listJobs(db, {
      ...f,
      ...(f.state === undefined && f.states === undefined ? { states: STATE_DIRS } : {}),
      ...(f.state === SCHEDULED ? { state: undefined, scheduledAfter: new Date(now).toISOString() } : {}),
      ...(olderThanMs === undefined ? {} : { agedBefore: new Date(now - olderThanMs).toISOString() }),
    }).map((row) => summary(row, now));
  } finally {
    db.close();
  }
}

/** A job by its id, or a rejected file by its name in rejected/ (which is its id when its own name gave none). */
function requireJob(s: Spool, db: Db, id: string): JobRow {
  if (!isItemName(id))
    throw new UsageError(`"${id}" is not a job id (1-64 letters, digits, "_" or "-") nor the name of a file in rejected/.`);
  const row = getJob(db, id) ?? (isRejectedName(id) ? getJobByFile(db, rejectedEntry(id)) : undefined);
  if (!row) throw new UsageError(`No job "${id}" in the ledger of ${s.l.root}.`);
  return row;
}

export function showJob(s: Spool, id: string, logBytes = 4096): JobDetail {
  const db = requireLedger(s);
  try {
    const row = requireJob(s, db, id);
    const events = jobEvents(db, row.id).map((e) => ({
      seq: e.seq,
      type: e.type,
      at: e.at,
      slot: e.slot,
      attempt: e.attempt,
      actor: e.actor,
      ...(JSON.parse(e.detail) as Record<string, unknown>),
    }));
    let manifest: unknown = null;
    if (row.file) {
      try {
        // The file may be a quarantined hostile one (a FIFO, a link, a huge or deep document).
        manifest = readJsonFile(spoolPath(s.l, row.file), s.loaded.config.jobs.max_manifest_bytes);
      } catch {
        manifest = null;
      }
    }
    const afterIds = row.after_ids ? (JSON.parse(row.after_ids) as string[]) : [];
    const states = statesOf(db, afterIds);
    return {
      ...summary(row, Date.now()),
      after: afterIds.map((dep) => ({ id: dep, state: states.get(dep) ?? null })),
      before: jobsAfter(db, row.id),
      manifest,
      events,
      log_tail: readJobLog(s.l, row.id, 0, logBytes)?.data.toString('utf8') ?? null,
    };
  } finally {
    db.close();
  }
}

function jobRow(s: Spool, id: string): JobRow {
  const db = requireLedger(s);
  try {
    return requireJob(s, db, id);
  } finally {
    db.close();
  }
}

export interface JobLogTail extends LogRead {
  job: JobRow;
}

/** The end of a job's log, at most `bytes`, starting at a line when it is cut; no log reads as empty. */
export function jobLogTail(s: Spool, id: string, bytes: number): JobLogTail {
  const job = jobRow(s, id);
  const log = readJobLog(s.l, job.id, 0, bytes) ?? { data: Buffer.alloc(0), start: 0, end: 0 };
  // A cut line is dropped, unless it is all there is.
  const nl = log.data.indexOf(0x0a);
  const cut = log.start > 0 && nl >= 0 && nl < log.data.length - 1 ? nl + 1 : 0;
  return { job, data: log.data.subarray(cut), start: log.start + cut, end: log.end };
}

/**
 * Writes what is appended to the job's log from byte `from` until the job is in a final
 * state, and returns its row then. The state is read before the log: a worker closes the
 * log before it reports, so once the ledger shows the job final, that read got the end.
 */
export async function followJobLog(s: Spool, id: string, from: number, write: (chunk: Buffer) => void, everyMs = 250): Promise<JobRow> {
  let at = from;
  for (;;) {
    const job = jobRow(s, id);
    const log = readJobLog(s.l, job.id, at);
    if (log) {
      if (log.data.length > 0) write(log.data);
      at = log.end;
    }
    if (FINISHED_STATES.includes(job.state)) return job;
    await sleep(everyMs);
  }
}
