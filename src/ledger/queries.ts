/** Read queries over the ledger: bounded, indexed, shaped for the api layer. */
import type { Db } from './open.js';
import type { EventRow } from '../chain/event.js';
import type { SlotRow } from './writer.js';

export interface JobRow {
  id: string;
  state: string;
  plugin: string | null;
  priority: number;
  attempts: number;
  max_attempts: number | null;
  slot: number | null;
  file: string | null;
  progress: number | null;
  message: string | null;
  last_error: string | null;
  submitted_at: string | null;
  updated_at: string;
  finished_at: string | null;
  not_before: string | null;
  retry_at: string | null;
  after_ids: string | null;
  waiting: string | null;
}

/** The state of a job whose spool files `jobs purge` removed: its row and events stay. */
export const PURGED = 'purged';

/** States a job is in once it has finished; its row's last change (updated_at) is when it got there. */
export const FINISHED_STATES: readonly string[] = ['done', 'failed', 'cancelled', 'rejected', PURGED];
const FINISHED = FINISHED_STATES.map((st) => `'${st}'`).join(', ');

/**
 * When an unfinished job's age counts from: its submission, else its first record.
 * julianday() reads any ISO 8601 spelling (a producer's created_at may carry an offset) where
 * comparing strings would not; finished jobs' times are the sentinel's own ISO strings, which
 * compare as strings, along the (state, updated_at) index.
 */
const SUBMITTED = 'coalesce(julianday(submitted_at), julianday(updated_at))';

export interface JobFilter {
  state?: string;
  /** Only jobs in one of these states. */
  states?: readonly string[];
  plugin?: string;
  /** Only jobs last updated before this ISO time. */
  updatedBefore?: string;
  /** Only jobs that finished, or unfinished were submitted, before this ISO time. */
  agedBefore?: string;
  /** Only jobs whose id, plugin or last error contains this text. */
  grep?: string;
  /** Only jobs whose id, plugin and last error all lack this text. */
  grepNot?: string;
  /** Only pending jobs waiting for a time (not_before or retry_at) later than this ISO time. */
  scheduledAfter?: string;
  /** Only jobs whose last change is at or after this ISO time. */
  since?: string;
  sort?: JobSort;
  reverse?: boolean;
  limit?: number;
}

export const JOB_SORTS = ['age', 'priority', 'plugin', 'state', 'attempts', 'duration'] as const;
export type JobSort = (typeof JOB_SORTS)[number];

/** A listed job, with when its last attempt started and how long it ran (running: so far; null when it never ran or is waiting again). */
export type ListedJob = JobRow & { started_at: string | null; duration_s: number | null };

/** Each sort's natural order: oldest, highest priority, A-Z, most attempts, longest first (jobs that never ran last). */
const SORT_ORDER: Record<JobSort, [expr: string, dir: 'ASC' | 'DESC', first?: string]> = {
  age: [SUBMITTED, 'ASC'],
  priority: ['priority', 'DESC'],
  plugin: ["coalesce(plugin, '')", 'ASC'],
  state: ['state', 'ASC'],
  attempts: ['attempts', 'DESC'],
  duration: ['duration_s', 'DESC', 'duration_s IS NULL, '],
};

function orderOf(sort: JobSort, reverse: boolean | undefined): string {
  const [expr, dir, first = ''] = SORT_ORDER[sort];
  return `${first}${expr} ${reverse ? (dir === 'ASC' ? 'DESC' : 'ASC') : dir}`;
}

const STARTED = "(SELECT max(e.at) FROM events e WHERE e.job = jobs.id AND e.type = 'claimed')";
const DURATION = `CASE WHEN state = 'claimed' THEN julianday(@now) - julianday(started_at)
  WHEN state IN ('done', 'failed') THEN julianday(coalesce(finished_at, updated_at)) - julianday(started_at) END * 86400`;

/** A pending job waits for a time; the sentinel writes both times as UTC ISO strings, which compare as strings. */
const SCHEDULED = "(coalesce(retry_at, '') > @now OR coalesce(not_before, '') > @now)";

export interface PendingWaits {
  scheduled: { jobs: number; next_at: string | null };
  after: number;
  blocked: { reason: string; jobs: number }[];
}

/** Why pending jobs wait, by the times they carry and the sentinel's `waiting` word on the others. */
export function pendingWaits(db: Db, nowIso: string): PendingWaits {
  const timed = db
    .prepare(
      `SELECT count(*) AS n, min(max(coalesce(retry_at, ''), coalesce(not_before, ''))) AS next FROM jobs
       WHERE state = 'pending' AND ${SCHEDULED} AND coalesce(waiting, '') NOT LIKE 'after %'`,
    )
    .get({ now: nowIso }) as { n: number; next: string | null };
  const rest = db
    .prepare(
      `SELECT waiting AS reason, count(*) AS jobs FROM jobs WHERE state = 'pending' AND waiting IS NOT NULL
       AND (waiting LIKE 'after %' OR NOT ${SCHEDULED}) GROUP BY waiting ORDER BY jobs DESC`,
    )
    .all({ now: nowIso }) as { reason: string; jobs: number }[];
  const isAfter = (r: { reason: string }) => r.reason.startsWith('after ');
  return {
    scheduled: { jobs: timed.n, next_at: timed.n > 0 ? timed.next : null },
    after: rest.filter(isAfter).reduce((n, r) => n + r.jobs, 0),
    blocked: rest.filter((r) => !isAfter(r)),
  };
}

/** The jobs whose `after` names `id`. */
export function jobsAfter(db: Db, id: string): { id: string; state: string }[] {
  return db
    .prepare('SELECT j.id, j.state FROM jobs j, json_each(j.after_ids) d WHERE j.after_ids IS NOT NULL AND d.value = ? ORDER BY j.id')
    .all(id) as { id: string; state: string }[];
}

/** The states of jobs by id (missing ids are left out). */
export function statesOf(db: Db, ids: readonly string[]): Map<string, string> {
  const stmt = db.prepare('SELECT state FROM jobs WHERE id = ?').pluck();
  const out = new Map<string, string>();
  for (const id of ids) {
    const state = stmt.get(id) as string | undefined;
    if (state !== undefined) out.set(id, state);
  }
  return out;
}

export function countsByState(db: Db): Record<string, number> {
  const rows = db.prepare('SELECT state, count(*) AS n FROM jobs GROUP BY state').all() as { state: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

export function listJobs(db: Db, f: JobFilter = {}, nowIso = new Date().toISOString()): ListedJob[] {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: f.limit ?? -1, now: nowIso };
  if (f.state) {
    where.push('state = @state');
    params.state = f.state;
  }
  if (f.states) {
    where.push(`state IN (${f.states.map((_, i) => `@state${i}`).join(', ')})`);
    f.states.forEach((st, i) => (params[`state${i}`] = st));
  }
  if (f.plugin) {
    where.push('plugin = @plugin');
    params.plugin = f.plugin;
  }
  if (f.grep) {
    where.push("(instr(id, @grep) > 0 OR instr(coalesce(plugin, ''), @grep) > 0 OR instr(coalesce(last_error, ''), @grep) > 0)");
    params.grep = f.grep;
  }
  if (f.grepNot) {
    where.push("instr(id, @grepNot) = 0 AND instr(coalesce(plugin, ''), @grepNot) = 0 AND instr(coalesce(last_error, ''), @grepNot) = 0");
    params.grepNot = f.grepNot;
  }
  if (f.scheduledAfter) {
    where.push(`state = 'pending' AND ${SCHEDULED.replaceAll('@now', '@scheduledAfter')}`);
    params.scheduledAfter = f.scheduledAfter;
  }
  if (f.since) {
    where.push('updated_at >= @since');
    params.since = f.since;
  }
  if (f.updatedBefore) {
    where.push('updated_at < @before');
    params.before = f.updatedBefore;
  }
  if (f.agedBefore) {
    where.push(`(CASE WHEN state IN (${FINISHED}) THEN updated_at < @agedBefore ELSE ${SUBMITTED} < julianday(@agedBefore) END)`);
    params.agedBefore = f.agedBefore;
  }
  // Pending in dispatch order (priority, then age); everything else most recent first.
  const natural = f.state === 'pending' ? 'priority DESC, submitted_at ASC' : 'updated_at DESC';
  const order = f.sort ? orderOf(f.sort, f.reverse) : f.reverse ? 'updated_at ASC' : natural;
  const sql = `SELECT *, ${DURATION} AS duration_s FROM (SELECT *, ${STARTED} AS started_at FROM jobs
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}) ORDER BY ${order}, id ASC LIMIT @limit`;
  return db.prepare(sql).all(params) as ListedJob[];
}

/**
 * Jobs per state and age (see agedBefore) in buckets: bucket i holds ages below boundsS[i]
 * seconds, the last one the rest. Finished jobs, the bulk of a big ledger, are counted along
 * the index; only unfinished ones are read row by row.
 */
export function ageShape(db: Db, nowMs: number, boundsS: readonly number[]): Record<string, number[]> {
  const shape: Record<string, number[]> = {};
  const buckets = () => Array.from({ length: boundsS.length + 1 }, () => 0);
  const unfinished = db
    .prepare(
      `SELECT state, CASE ${boundsS.map((b, i) => `WHEN age < ${Number(b)} THEN ${i}`).join(' ')} ELSE ${boundsS.length} END AS bucket, count(*) AS n
       FROM (SELECT state, (julianday(@now) - ${SUBMITTED}) * 86400 AS age FROM jobs WHERE state IN ('pending', 'claimed', 'held'))
       GROUP BY state, bucket`,
    )
    .all({ now: new Date(nowMs).toISOString() }) as { state: string; bucket: number; n: number }[];
  for (const r of unfinished) (shape[r.state] ??= buckets())[r.bucket] = r.n;
  const since = db.prepare('SELECT count(*) AS n FROM jobs WHERE state = ? AND updated_at >= ?').pluck();
  for (const state of FINISHED_STATES.filter((st) => st !== PURGED)) {
    // Jobs younger than each bound; a bucket is the difference of two neighbours.
    const younger = [
      ...boundsS.map((b) => since.get(state, new Date(nowMs - b * 1000).toISOString()) as number),
      since.get(state, '') as number,
    ];
    shape[state] = younger.map((n, i) => n - (younger[i - 1] ?? 0));
  }
  return shape;
}

/** The pending job that has waited longest. */
export function oldestPending(db: Db): JobRow | undefined {
  return db.prepare(`SELECT * FROM jobs WHERE state = 'pending' ORDER BY ${SUBMITTED} ASC, id ASC LIMIT 1`).get() as JobRow | undefined;
}

export function getJob(db: Db, id: string): JobRow | undefined {
  return db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
}

/** The job whose file is `file` (spool-relative): how a rejected file is found by its name. */
export function getJobByFile(db: Db, file: string): JobRow | undefined {
  return db.prepare('SELECT * FROM jobs WHERE file = ? LIMIT 1').get(file) as JobRow | undefined;
}

export function jobEvents(db: Db, id: string): EventRow[] {
  return db.prepare('SELECT * FROM events WHERE job = ? ORDER BY seq').all(id) as EventRow[];
}

export function tailEvents(db: Db, n: number): EventRow[] {
  return (db.prepare('SELECT * FROM events ORDER BY seq DESC LIMIT ?').all(n) as EventRow[]).reverse();
}

export function eventCount(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
}

/** Whether an event of one of `types` names this claim in its detail. */
function claimHas(db: Db, job: string, claim: string, types: string): boolean {
  const sql = `SELECT 1 FROM events WHERE job = ? AND type IN (${types}) AND json_extract(detail, '$.claim') = ? LIMIT 1`;
  return db.prepare(sql).get(job, claim) !== undefined;
}

/** Whether a result for this claim was already recorded: applied (the job left the claim through it) or fenced. */
export const claimSettled = (db: Db, job: string, claim: string) =>
  claimHas(db, job, claim, "'done', 'failed', 'retried', 'handed_back', 'fenced'");

/** Whether the sentinel took this claim back from its worker, counting the attempt. */
export const claimReclaimed = (db: Db, job: string, claim: string) => claimHas(db, job, claim, "'reclaimed'");

export interface JobBrief {
  state: string;
  attempts: number;
  file: string | null;
  max_attempts: number | null;
  plugin: string | null;
  retry_at: string | null;
  waiting: string | null;
}

export function allJobsBrief(db: Db): Map<string, JobBrief> {
  const rows = db.prepare('SELECT id, state, attempts, file, max_attempts, plugin, retry_at, waiting FROM jobs').all() as (JobBrief & {
    id: string;
  })[];
  return new Map(rows.map(({ id, ...brief }) => [id, brief]));
}

export function slotRows(db: Db): (SlotRow & { updated_at: string })[] {
  return db.prepare('SELECT * FROM slots ORDER BY slot').all() as (SlotRow & { updated_at: string })[];
}

/** Completions in the last `windowMs`, looking only at the newest `scan` events (bounded). */
export function recentDoneCount(db: Db, sinceIso: string, scan = 5000): number {
  const row = db
    .prepare("SELECT count(*) AS n FROM events WHERE seq > (SELECT coalesce(max(seq), 0) FROM events) - ? AND type = 'done' AND at >= ?")
    .get(scan, sinceIso) as { n: number };
  return row.n;
}

/** How many events of one type the ledger holds. */
export function countEventsOfType(db: Db, type: string): number {
  return (db.prepare('SELECT count(*) AS n FROM events WHERE type = ?').get(type) as { n: number }).n;
}

/** Jobs recorded done more than once: what must never happen, however workers and the sentinel die. */
export function countJobsDoneTwice(db: Db): number {
  return (
    db.prepare("SELECT count(*) AS n FROM (SELECT job FROM events WHERE type = 'done' GROUP BY job HAVING count(*) > 1)").get() as {
      n: number;
    }
  ).n;
}
