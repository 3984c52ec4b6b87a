/**
 * The sentinel's ledger writer. Events and row updates are buffered and written in one
 * IMMEDIATE transaction per flush, so a loop pass costs one commit. If a flush fails (the
 * database is locked past busy_timeout, the disk is full) nothing is lost: the buffer is
 * kept, the error is returned to the caller to report, and the next flush retries it.
 *
 * With a journal, a flush first seals its events (seq and hash, continuing the last sealed
 * one) and appends them to the journal; the commit follows only once they are there, so the
 * journal is never behind the ledger. A sealed event keeps its seq and hash through retries.
 */
import type { Statement } from 'better-sqlite3';
import { fail } from '../faults/failpoints.js';
import { GENESIS_HASH, hashEvent } from './chain.js';
import type { JournalEntry, Link } from './journal-line.js';
import type { Db } from './open.js';

export type EventType =
  | 'submitted'
  | 'claimed'
  | 'done'
  | 'failed'
  | 'retried'
  | 'reclaimed'
  | 'handed_back'
  | 'rejected'
  | 'held'
  | 'released'
  | 'requeued'
  | 'cancelled'
  | 'purged'
  | 'fenced'
  | 'worker_joined'
  | 'worker_lost'
  | 'worker_left'
  | 'drain_requested'
  | 'drain_cancelled'
  | 'paused'
  | 'resumed'
  | 'sentinel_started'
  | 'sentinel_stopped'
  | 'sentinel_takeover'
  | 'ledger_replaced'
  | 'ledger_rebuilt';

export interface EventInput {
  type: EventType;
  job?: string;
  slot?: number;
  attempt?: number;
  actor?: string;
  detail?: Record<string, unknown>;
}

export interface JobPatch {
  id: string;
  state?: string;
  plugin?: string;
  priority?: number;
  attempts?: number;
  max_attempts?: number;
  slot?: number | null;
  file?: string | null;
  progress?: number | null;
  message?: string | null;
  last_error?: string | null;
  submitted_at?: string;
  finished_at?: string | null;
  /** ISO, UTC: the manifest's not_before. */
  not_before?: string | null;
  /** ISO, UTC: a failed attempt's backoff ends. */
  retry_at?: string | null;
  /** JSON array of the ids the job runs after. */
  after_ids?: string | null;
  /** Why the sentinel did not claim it on its last look (dependency, plugin limit, tags); null when nothing but a slot. */
  waiting?: string | null;
}

/** A slot as the sentinel last judged it; `updated_at` is added when it is stored. */
export interface SlotRow {
  slot: number;
  /** The slot's condition: free, idle, busy, draining, stale or dead. */
  state: string;
  host: string | null;
  pid: number | null;
  job: string | null;
  progress: number | null;
  message: string | null;
  beat_at: string | null;
}

interface EventOp {
  kind: 'event';
  ev: EventInput;
  at: string;
  patch?: JobPatch;
  /** Its seq and hash, once given: a retried flush keeps them, so the journal and the ledger agree. */
  sealed?: JournalEntry;
}
type Op = EventOp | { kind: 'job'; patch: JobPatch; at: string } | { kind: 'slot'; row: SlotRow; at: string };

const records = (ops: Op[]) => ops.reduce((n, op) => n + (op.kind === 'event' && op.patch ? 2 : 1), 0);

/** Where sealed events go before the ledger commits them: the journal on the share. */
export interface EventSink {
  append(entries: JournalEntry[]): void;
}

export interface JournalState {
  ok: boolean;
  /** Events sealed or recorded but not yet in the journal. */
  behind: number;
  error: string | null;
}

export class LedgerWriter {
  private buffer: Op[] = [];
  private readonly insertEvent: Statement;
  private readonly headStmt: Statement;
  private readonly setHead: Statement;
  private readonly setChainStart: Statement;
  private readonly upsertSlot: Statement;
  private readonly jobUpdates = new Map<string, { update: Statement; insert: Statement }>();
  /** Built once: better-sqlite3 wraps a transaction function anew on every db.transaction(). */
  private readonly commit: ReturnType<Db['transaction']>;

  /** The last sealed event: the next one chains onto it. */
  private tip: Link;
  /** The last seq the journal holds. */
  private journaled: number;
  private journalError: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly sink?: EventSink,
  ) {
    this.insertEvent = db.prepare(
      'INSERT INTO events (seq, at, type, job, slot, attempt, actor, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.headStmt = db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1');
    this.setHead = db.prepare("INSERT INTO meta (key, value) VALUES ('head', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    this.setChainStart = db.prepare("INSERT INTO meta (key, value) VALUES ('chain_start', ?) ON CONFLICT(key) DO NOTHING");
    this.upsertSlot = db.prepare(
      `INSERT INTO slots (slot, state, host, pid, job, progress, message, beat_at, updated_at)
       VALUES (@slot, @state, @host, @pid, @job, @progress, @message, @beat_at, @at)
       ON CONFLICT(slot) DO UPDATE SET state = excluded.state, host = excluded.host, pid = excluded.pid, job = excluded.job,
         progress = excluded.progress, message = excluded.message, beat_at = excluded.beat_at, updated_at = excluded.updated_at`,
    );
    this.commit = db.transaction((ops: Op[]) => this.write(ops));
    this.tip = this.head();
    this.journaled = this.tip.seq;
  }

  /** The ledger's last committed event, or the genesis link of an empty ledger. */
  head(): Link {
    const h = this.headStmt.get() as Link | undefined;
    return h ?? { seq: 0, hash: GENESIS_HASH };
  }

  /** Records an event, and with it the job row's new values. */
  record(ev: EventInput, patch?: JobPatch): void {
    this.buffer.push({ kind: 'event', ev, at: new Date().toISOString(), patch });
  }

  /** Updates a job row without an event (progress, messages). */
  patchJob(patch: JobPatch): void {
    this.buffer.push({ kind: 'job', patch, at: new Date().toISOString() });
  }

  setSlot(row: SlotRow): void {
    this.buffer.push({ kind: 'slot', row, at: new Date().toISOString() });
  }

  /** Records waiting: each event, and each row it or a patch changes. */
  get buffered(): number {
    return records(this.buffer);
  }

  journalState(): JournalState {
    const unsealed = this.buffer.filter((op) => op.kind === 'event' && !op.sealed).length;
    const behind = this.tip.seq - this.journaled + unsealed;
    return { ok: this.journalError === null, behind, error: this.journalError };
  }

  /** Writes everything buffered in one transaction; on failure keeps it and throws. */
  flush(): number {
    if (this.buffer.length === 0) return 0;
    const ops = this.buffer;
    if (this.sink) this.toJournal(ops);
    fail('ledger.before-commit');
    this.commit.immediate(ops);
    this.buffer = [];
    fail('ledger.after-commit');
    return records(ops);
  }

  /**
   * Events already in the journal, committed as they are there: the ledger catching up after a
   * crash between the journal's append and the commit, or a rebuild replaying the journal.
   * Each must follow the ledger's head; the first that does not is refused with the rest.
   * An empty ledger takes any first event: a journal pruned by journal.keep_days starts mid-chain.
   */
  replay(entries: JournalEntry[]): void {
    if (entries.length === 0) return;
    const ops: EventOp[] = entries.map((e) => ({ kind: 'event', ev: { type: e.type as EventType }, at: e.at, patch: e.row, sealed: e }));
    this.commit.immediate(ops);
    this.tip = this.head();
    this.journaled = Math.max(this.journaled, this.tip.seq);
  }

  /** Seals the events not sealed yet and appends to the journal what it lacks; throws (keeping the buffer) when it cannot. */
  private toJournal(ops: Op[]): void {
    for (const op of ops) if (op.kind === 'event' && !op.sealed) op.sealed = this.seal(op);
    const fresh = ops.flatMap((op) => (op.kind === 'event' && op.sealed!.seq > this.journaled ? [op.sealed!] : []));
    if (fresh.length === 0) return;
    try {
      this.sink!.append(fresh);
    } catch (err) {
      this.journalError = (err as Error).message;
      throw err;
    }
    this.journalError = null;
    this.journaled = fresh[fresh.length - 1]!.seq;
  }

  private seal(op: EventOp): JournalEntry {
    const row = {
      seq: this.tip.seq + 1,
      at: op.at,
      type: op.ev.type,
      job: op.ev.job ?? null,
      slot: op.ev.slot ?? null,
      attempt: op.ev.attempt ?? null,
      actor: op.ev.actor ?? null,
      detail: JSON.stringify(op.ev.detail ?? {}),
      prev_hash: this.tip.hash,
    };
    const sealed = { ...row, hash: hashEvent(row), ...(op.patch ? { row: op.patch } : {}) };
    this.tip = { seq: sealed.seq, hash: sealed.hash };
    return sealed;
  }

  private write(ops: Op[]): void {
    const head = this.head();
    let last = head;
    for (const op of ops) {
      if (op.kind === 'event') {
        op.sealed ??= this.seal(op);
        const e = op.sealed;
        if (last.seq === 0 && e.seq > 1) {
          this.setChainStart.run(`${e.seq}:${e.prev_hash}`);
          last = { seq: e.seq - 1, hash: e.prev_hash };
        }
        if (e.seq !== last.seq + 1 || e.prev_hash !== last.hash)
          throw new Error(`event ${e.seq} does not follow the ledger's head (event ${last.seq}): the ledger was written by someone else`);
        this.insertEvent.run(e.seq, e.at, e.type, e.job, e.slot, e.attempt, e.actor, e.detail, e.prev_hash, e.hash);
        last = e;
        if (op.patch) this.applyJob(op.patch, op.at);
      } else if (op.kind === 'job') {
        this.applyJob(op.patch, op.at);
      } else {
        this.upsertSlot.run({ ...op.row, at: op.at });
      }
    }
    if (last.seq > head.seq) this.setHead.run(`${last.seq}:${last.hash}`);
  }

  private applyJob(patch: JobPatch, at: string): void {
    const cols = Object.keys(patch)
      .filter((k) => k !== 'id' && (patch as unknown as Record<string, unknown>)[k] !== undefined)
      .sort();
    const key = cols.join(',');
    let stmts = this.jobUpdates.get(key);
    if (!stmts) {
      const sets = [...cols.map((c) => `${c} = @${c}`), 'updated_at = @updated_at'].join(', ');
      const insertCols = [...new Set(['id', 'state', ...cols, 'updated_at'])];
      stmts = {
        update: this.db.prepare(`UPDATE jobs SET ${sets} WHERE id = @id`),
        insert: this.db.prepare(`INSERT INTO jobs (${insertCols.join(', ')}) VALUES (${insertCols.map((c) => `@${c}`).join(', ')})`),
      };
      this.jobUpdates.set(key, stmts);
    }
    const params = { ...patch, state: patch.state ?? 'pending', updated_at: at };
    if (stmts.update.run(params).changes === 0) stmts.insert.run(params);
  }
}
