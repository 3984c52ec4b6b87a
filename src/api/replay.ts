/**
 * `spoolctl tui --at TIME`: the spool as its ledger says it was at a moment, for a
 * post-mortem ("what was slot 3 running when the NAS went away?"). Read-only: it keeps one
 * read-only handle on the ledger and rebuilds the state from the events (src/replay/model.ts),
 * forward by applying the next events, backward by replaying from the first.
 */
import { UsageError } from '../errors.js';
import { eventsBetween } from '../ledger/chain-range.js';
import type { Db } from '../ledger/open.js';
import { FINISHED_STATES, jobEvents } from '../ledger/queries.js';
import { eventSpan, eventsUpTo, eventTime, seqAtTime } from '../ledger/replay.js';
import { donePerMinute } from '../ledger/throughput.js';
import { ReplayModel, type ReplayJob } from '../replay/model.js';
import { STATE_DIRS, type JobState } from '../spool/layout.js';
import { activityEvent, type ActivityEvent } from './activity.js';
import { attemptsOf } from './attempts.js';
import type { JobDetail, JobSummary } from './jobs.js';
import type { SlotStatus } from './slots.js';
import { requireLedger, type Spool } from './spool.js';
import { AGE_BUCKETS, type StatusReport } from './status.js';

/** Events applied per read when the state is rebuilt: a long ledger is never held whole. */
const CHUNK = 10_000;

export interface ReplayQuery {
  /** A state, or all. */
  state?: string;
  grep?: string;
  /** Only jobs whose id, plugin and last error all lack this text. */
  grepNot?: string;
  detail?: string;
}

export interface ReplayView {
  /** The moment shown. */
  at: number;
  seq: number;
  status: StatusReport;
  events: ActivityEvent[];
  doneHistory: number[];
  jobs: JobSummary[];
  detail?: JobDetail;
}

export class Replay {
  private model = new ReplayModel();
  private constructor(
    private readonly s: Spool,
    private readonly db: Db,
    readonly first: { seq: number; at: string },
    readonly last: { seq: number; at: string },
    /** The moment shown: the time asked for, or the time of the event stepped to. */
    public clock: number,
  ) {}

  static open(s: Spool, atMs: number): Replay {
    const db = requireLedger(s);
    const { first, last } = eventSpan(db);
    if (!first || !last) {
      db.close();
      throw new UsageError(`The ledger of ${s.l.root} has no events yet: there is nothing to replay.`);
    }
    if (atMs < Date.parse(first.at)) {
      db.close();
      throw new UsageError(`The ledger of ${s.l.root} starts at ${first.at}: replay from that time or later.`);
    }
    const r = new Replay(s, db, first, last, atMs);
    r.seekTime(atMs);
    return r;
  }

  get seq(): number {
    return this.model.seq;
  }

  close(): void {
    this.db.close();
  }

  /** To a moment: every event up to it applied. */
  seekTime(ms: number): void {
    this.clock = Math.max(Date.parse(this.first.at), ms);
    this.seekSeq(seqAtTime(this.db, new Date(this.clock).toISOString()));
  }

  /** `n` events forward (or back, when negative); the clock shows the event's time. */
  stepEvents(n: number): void {
    const target = Math.min(this.last.seq, Math.max(this.first.seq, this.model.seq + n));
    this.seekSeq(target);
    this.clock = Date.parse(eventTime(this.db, target) ?? this.first.at);
  }

  private seekSeq(target: number): void {
    if (target < this.model.seq) this.model = new ReplayModel();
    while (this.model.seq < target) {
      const batch = eventsBetween(this.db, this.model.seq + 1, Math.min(target, this.model.seq + CHUNK));
      if (batch.length === 0) break;
      for (const e of batch) this.model.apply(e);
    }
  }

  view(q: ReplayQuery, limit: number): ReplayView {
    const m = this.model;
    const jobs = [...m.jobs.values()];
    const counts = Object.fromEntries(STATE_DIRS.map((st) => [st, 0])) as Record<JobState, number>;
    for (const j of jobs) if (j.state in counts) counts[j.state as JobState] += 1;
    const listed = jobs
      .filter((j) => (q.state ? j.state === q.state : j.state !== 'purged'))
      .filter((j) => {
        const text = [j.id, j.plugin ?? '', j.last_error ?? ''];
        return (!q.grep || text.some((t) => t.includes(q.grep!))) && (!q.grepNot || !text.some((t) => t.includes(q.grepNot!)));
      })
      .sort((a, b) => (b.updated_at > a.updated_at ? 1 : b.updated_at < a.updated_at ? -1 : a.id.localeCompare(b.id)))
      .slice(0, limit)
      .map(summary);
    const status: StatusReport = {
      spool: this.s.l.root,
      sentinel: { ...m.sentinel, beat_age_s: null, standby: [], journal: null },
      counts: { ...counts, scheduled: 0 },
      dispatch: { paused: m.paused, waiting: [] },
      slots: this.slots(),
      max_workers: this.s.loaded.config.worker.max_workers,
      ledger: true,
      refused: [],
      ages: this.ages(jobs),
      oldest_pending: null,
      waiting: [],
    };
    return {
      at: this.clock,
      seq: m.seq,
      status,
      events: eventsUpTo(this.db, m.seq, 40).map(activityEvent),
      doneHistory: donePerMinute(this.db, this.clock, 30, 20_000, m.seq),
      jobs: listed,
      ...(q.detail ? { detail: this.detail(q.detail) } : {}),
    };
  }

  private slots(): SlotStatus[] {
    const max = this.s.loaded.config.worker.max_workers;
    const numbers = [...new Set([...Array.from({ length: max }, (_, i) => i + 1), ...this.model.slots.keys()])].sort((a, b) => a - b);
    return numbers.map((n) => {
      const x = this.model.slots.get(n);
      const job = x?.job ? this.model.jobs.get(x.job) : undefined;
      const condition = x?.condition ?? 'free';
      return {
        slot: n,
        state: condition === 'dead' ? 'stale' : condition === 'draining' ? 'idle' : condition,
        condition,
        draining: x?.draining ?? false,
        host: x?.host ?? null,
        pid: x?.pid ?? null,
        job: x?.job ?? null,
        plugin: job?.plugin ?? null,
        progress: null,
        message: null,
        job_started_at: x?.job_started_at ?? null,
        beat_age_s: null,
        jobs_done: null,
        jobs_failed: null,
        tags: [],
      };
    });
  }

  private ages(jobs: ReplayJob[]): StatusReport['ages'] {
    const counts = Object.fromEntries(STATE_DIRS.map((st) => [st, AGE_BUCKETS.map(() => 0)])) as Record<JobState, number[]>;
    for (const j of jobs) {
      const from = FINISHED_STATES.includes(j.state) ? j.updated_at : (j.submitted_at ?? j.updated_at);
      const ageS = (this.clock - Date.parse(from)) / 1000;
      const row = counts[j.state as JobState];
      if (row) row[AGE_BUCKETS.findIndex((b) => ageS < b.below)]! += 1;
    }
    return { buckets: AGE_BUCKETS.map((b) => b.label), counts };
  }

  private detail(id: string): JobDetail | undefined {
    const job = this.model.jobs.get(id);
    if (!job) return undefined;
    const events = jobEvents(this.db, id)
      .filter((e) => e.seq <= this.model.seq)
      .map((e) => {
        const { detail, job: _job, ...rest } = activityEvent(e);
        return { ...rest, ...detail };
      });
    return {
      ...summary(job),
      after: [],
      before: [],
      input: null,
      params: null,
      manifest: null,
      attempt_history: attemptsOf(events, this.clock),
      events,
      log_tail: null,
    };
  }
}

function summary(j: ReplayJob): JobSummary {
  return { ...j, max_attempts: null, file: null, progress: null, message: null, not_before: null, retry_at: null, waiting: null };
}
