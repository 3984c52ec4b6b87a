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
  type ListedJob,
} from '../ledger/queries.js';
import { isItemName, isRejectedName, rejectedEntry, spoolPath, STATE_DIRS } from '../spool/layout.js';
import { readJobLog, type LogRead } from '../spool/logs.js';
import { readJsonFile } from '../spool/manifest.js';
import { readHeartbeat } from '../spool/slots.js';
import { sleep } from '../proc.js';
import { attemptsOf, type Attempt, type JobEvent } from './attempts.js';
import { jobsFromFiles } from './job-files.js';
import { openLedgerForRead, requireLedger, type Spool } from './spool.js';
import { UTC_TEXT, type TimeText } from './time-text.js';
import { waitingOf, type SlotJob } from './waiting.js';

export { FINISHED_STATES, PURGED };
export type { Attempt, JobEvent };

/**
 * A job row as readers get it: `waiting` is why a pending job or a queued claim is not running yet
 * (spool-layout.md, "Scheduling"), or null; a finished job's last progress message is
 * dropped, as it told how the job was going.
 */
export type JobSummary = Omit<JobRow, 'after_ids'>;

function summary<R extends JobRow>({ after_ids: _after, ...row }: R, now: number, text: TimeText, slotJob: SlotJob): Omit<R, 'after_ids'> {
  return { ...row, waiting: waitingOf(row, now, text, slotJob), ...(FINISHED_STATES.includes(row.state) ? { message: null } : {}) };
}

/** Each slot's running job, its heartbeat read at most once a call. */
function slotJobs(s: Spool): SlotJob {
  const read = new Map<number, string | undefined>();
  return (slot) => {
    if (!read.has(slot)) {
      try {
        read.set(slot, readHeartbeat(s.l, slot)?.job);
      } catch {
        read.set(slot, undefined);
      }
    }
    return read.get(slot);
  };
}

/** A row of `jobs list`: with its manifest's input, when its last attempt started and how long it ran. */
export type JobListing = JobSummary & Pick<ListedJob, 'started_at' | 'duration_s'> & { input: string | null };

/** A manifest's fields, or null when its file is gone or unreadable (a purged job, a hostile file in rejected/). */
export function manifestOf(s: Spool, file: string | null): Record<string, unknown> | null {
  if (!file) return null;
  try {
    const m = readJsonFile(spoolPath(s.l, file), s.loaded.config.jobs.max_manifest_bytes);
    return m !== null && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function inputOf(m: Record<string, unknown> | null): string | null {
  return typeof m?.input === 'string' ? m.input : null;
}

export interface JobDetail extends JobSummary {
  /** The jobs it runs after (manifest `after`), each with its state (null: not in the ledger). */
  after: { id: string; state: string | null }[];
  /** The jobs that run after it. */
  before: { id: string; state: string }[];
  input: string | null;
  params: Record<string, unknown> | null;
  manifest: unknown;
  attempt_history: Attempt[];
  events: JobEvent[];
  log_tail: string | null;
}

export interface JobQuery extends Omit<JobFilter, 'updatedBefore' | 'agedBefore'> {
  /** Only jobs that finished (or, unfinished, were submitted) more than this long ago. */
  olderThanMs?: number;
}

/**
 * Purged jobs have no directory: they are listed only when asked for by name; scheduled ones
 * are pending jobs waiting for a time; running is what people call claimed.
 */
const SCHEDULED = 'scheduled';
const RUNNING = 'running';
const LISTED_STATES: readonly string[] = [...STATE_DIRS, PURGED, SCHEDULED, RUNNING];

export interface JobList {
  jobs: JobListing[];
  /** false: the spool has no ledger (no sentinel has run yet, or it lives on another host); `jobs` are the job files of the directories that `fromFiles` names. */
  ledger: boolean;
  fromFiles: readonly string[];
}

function checkStates(q: JobQuery): JobQuery {
  for (const st of [q.state, ...(q.states ?? [])]) {
    if (st !== undefined && !LISTED_STATES.includes(st))
      throw new UsageError(`Unknown state "${st}": use one of ${LISTED_STATES.join(', ')}.`);
  }
  const alias = (st: string) => (st === RUNNING ? 'claimed' : st);
  return { ...q, state: q.state && alias(q.state), ...(q.states ? { states: q.states.map(alias) } : {}) };
}

/**
 * Jobs from the ledger, which bulk actions and the TUI require. Their `input` is null: it is
 * read from each manifest, which only `jobs list` shows, and the TUI asks once a second.
 */
export function queryJobs(s: Spool, q: JobQuery, text: TimeText = UTC_TEXT): JobListing[] {
  const db = requireLedger(s);
  try {
    return ledgerJobs(s, db, q, false, text);
  } finally {
    db.close();
  }
}

/** `jobs list`: from the ledger, or, on a spool without one, from the files of its directories. */
export function listJobsOrFiles(s: Spool, q: JobQuery, text: TimeText = UTC_TEXT): JobList {
  const db = openLedgerForRead(s);
  if (!db) return { ledger: false, ...jobsFromFiles(s, checkStates(q), Date.now()) };
  try {
    return { ledger: true, jobs: ledgerJobs(s, db, q, true, text), fromFiles: [] };
  } finally {
    db.close();
  }
}

function ledgerJobs(s: Spool, db: Db, query: JobQuery, withInput: boolean, text: TimeText): JobListing[] {
  const { olderThanMs, ...f } = checkStates(query);
  const now = Date.now();
  const rows = listJobs(
    db,
    {
      ...f,
      ...(f.state === undefined && f.states === undefined ? { states: STATE_DIRS } : {}),
      ...(f.state === SCHEDULED ? { state: undefined, scheduledAfter: new Date(now).toISOString() } : {}),
      ...(olderThanMs === undefined ? {} : { agedBefore: new Date(now - olderThanMs).toISOString() }),
    },
    new Date(now).toISOString(),
  );
  const slotJob = slotJobs(s);
  return rows.map((row) => ({ ...summary(row, now, text, slotJob), input: withInput ? inputOf(manifestOf(s, row.file)) : null }));
}

/** A job by its id, or a rejected file by its name in rejected/ (which is its id when its own name gave none). */
export function requireJob(s: Spool, db: Db, id: string): JobRow {
  if (!isItemName(id))
    throw new UsageError(`"${id}" is not a job id (1-64 letters, digits, "_" or "-") nor the name of a file in rejected/.`);
  const row = getJob(db, id) ?? (isRejectedName(id) ? getJobByFile(db, rejectedEntry(id)) : undefined);
  if (!row) throw new UsageError(`No job "${id}" in the ledger of ${s.l.root}.`);
  return row;
}

export function showJob(s: Spool, id: string, logBytes = 4096, text: TimeText = UTC_TEXT): JobDetail {
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
    const manifest = manifestOf(s, row.file);
    const params = manifest?.params;
    const afterIds = row.after_ids ? (JSON.parse(row.after_ids) as string[]) : [];
    const states = statesOf(db, afterIds);
    return {
      ...summary(row, Date.now(), text, slotJobs(s)),
      after: afterIds.map((dep) => ({ id: dep, state: states.get(dep) ?? null })),
      before: jobsAfter(db, row.id),
      input: inputOf(manifest),
      params: params !== null && typeof params === 'object' ? (params as Record<string, unknown>) : null,
      manifest,
      attempt_history: attemptsOf(events),
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
