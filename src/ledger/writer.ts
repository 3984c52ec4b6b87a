/**
 * The sentinel's ledger writer. Events and row updates are buffered and written in one
 * IMMEDIATE transaction per flush, so a loop pass costs one commit. If a flush fails (the
 * database is locked past busy_timeout, the disk is full) nothing is lost: the buffer is
 * kept, the error is returned to the caller to report, and the next flush retries it.
 */
import type { Statement } from 'better-sqlite3';
import { fail } from '../faults/failpoints.js';
import { GENESIS_HASH, hashEvent } from './chain.js';
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

type Op =
  { kind: 'event'; ev: EventInput; at: string } | { kind: 'job'; patch: JobPatch; at: string } | { kind: 'slot'; row: SlotRow; at: string };

export class LedgerWriter {
  private buffer: Op[] = [];
  private readonly insertEvent: Statement;
  private readonly headStmt: Statement;
  private readonly setHead: Statement;
  private readonly upsertSlot: Statement;
  private readonly jobUpdates = new Map<string, { update: Statement; insert: Statement }>();
  /** Built once: better-sqlite3 wraps a transaction function anew on every db.transaction(). */
  private readonly commit: ReturnType<Db['transaction']>;

  constructor(private readonly db: Db) {
    this.insertEvent = db.prepare(
      'INSERT INTO events (seq, at, type, job, slot, attempt, actor, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.headStmt = db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1');
    this.setHead = db.prepare("INSERT INTO meta (key, value) VALUES ('head', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    this.upsertSlot = db.prepare(
      `INSERT INTO slots (slot, state, host, pid, job, progress, message, beat_at, updated_at)
       VALUES (@slot, @state, @host, @pid, @job, @progress, @message, @beat_at, @at)
       ON CONFLICT(slot) DO UPDATE SET state = excluded.state, host = excluded.host, pid = excluded.pid, job = excluded.job,
         progress = excluded.progress, message = excluded.message, beat_at = excluded.beat_at, updated_at = excluded.updated_at`,
    );
    this.commit = db.transaction((ops: Op[]) => this.write(ops));
  }

  /** Records an event, and with it the job row's new values. */
  record(ev: EventInput, patch?: JobPatch): void {
    const at = new Date().toISOString();
    this.buffer.push({ kind: 'event', ev, at });
    if (patch) this.buffer.push({ kind: 'job', patch, at });
  }

  /** Updates a job row without an event (progress, messages). */
  patchJob(patch: JobPatch): void {
    this.buffer.push({ kind: 'job', patch, at: new Date().toISOString() });
  }

  setSlot(row: SlotRow): void {
    this.buffer.push({ kind: 'slot', row, at: new Date().toISOString() });
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** Writes everything buffered in one transaction; on failure keeps it and throws. */
  flush(): number {
    if (this.buffer.length === 0) return 0;
    const ops = this.buffer;
    fail('ledger.before-commit');
    this.commit.immediate(ops);
    this.buffer = [];
    fail('ledger.after-commit');
    return ops.length;
  }

  private write(ops: Op[]): void {
    const head = this.headStmt.get() as { seq: number; hash: string } | undefined;
    let seq = head?.seq ?? 0;
    let prev = head?.hash ?? GENESIS_HASH;
    for (const op of ops) {
      if (op.kind === 'event') {
        seq += 1;
        const row = {
          seq,
          at: op.at,
          type: op.ev.type,
          job: op.ev.job ?? null,
          slot: op.ev.slot ?? null,
          attempt: op.ev.attempt ?? null,
          actor: op.ev.actor ?? null,
          detail: JSON.stringify(op.ev.detail ?? {}),
          prev_hash: prev,
        };
        prev = hashEvent(row);
        this.insertEvent.run(row.seq, row.at, row.type, row.job, row.slot, row.attempt, row.actor, row.detail, row.prev_hash, prev);
      } else if (op.kind === 'job') {
        this.applyJob(op.patch, op.at);
      } else {
        this.upsertSlot.run({ ...op.row, at: op.at });
      }
    }
    if (seq > (head?.seq ?? 0)) this.setHead.run(`${seq}:${prev}`);
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
