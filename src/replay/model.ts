/**
 * The spool as its ledger's events say it was: each job's state, each slot's holder and job,
 * the sentinel and the pause, after the events up to a seq. The events are the whole record
 * of moves (spool-layout.md, "Ledger"), so this needs nothing but them; what only heartbeats
 * knew (progress, a heartbeat's age) is not in them and is not shown.
 */
import type { EventRow } from '../chain/event.js';
import { FINISHED_STATES } from '../ledger/queries.js';

export interface ReplayJob {
  id: string;
  state: string;
  plugin: string | null;
  priority: number;
  attempts: number;
  slot: number | null;
  last_error: string | null;
  submitted_at: string | null;
  updated_at: string;
  finished_at: string | null;
}

export interface ReplaySlot {
  slot: number;
  /** free: no worker; dead: the sentinel found its worker lost. */
  condition: 'free' | 'idle' | 'busy' | 'draining' | 'dead';
  host: string | null;
  pid: number | null;
  job: string | null;
  job_started_at: string | null;
  draining: boolean;
}

/** The state each event leaves its job in; events not named here leave it as it was. */
const STATE_AFTER: Record<string, string> = {
  submitted: 'pending',
  claimed: 'claimed',
  done: 'done',
  failed: 'failed',
  retried: 'pending',
  reclaimed: 'pending',
  handed_back: 'pending',
  rejected: 'rejected',
  held: 'held',
  released: 'pending',
  requeued: 'pending',
  cancelled: 'cancelled',
  purged: 'purged',
};

const holder = (actor: string | null): { host: string | null; pid: number | null } => {
  const m = actor ? /^(.*):(\d+)$/.exec(actor) : null;
  return m ? { host: m[1]!, pid: Number(m[2]) } : { host: null, pid: null };
};

export class ReplayModel {
  seq = 0;
  readonly jobs = new Map<string, ReplayJob>();
  readonly slots = new Map<number, ReplaySlot>();
  sentinel: { up: boolean; host: string | null; pid: number | null; started_at: string | null } = {
    up: false,
    host: null,
    pid: null,
    started_at: null,
  };
  paused: { by: string; at: string; reason: string | null } | null = null;

  apply(e: EventRow): void {
    this.seq = e.seq;
    const detail = JSON.parse(e.detail) as Record<string, unknown>;
    if (e.job) this.applyToJob(e, detail);
    if (e.slot !== null) this.applyToSlot(e, detail);
    if (e.type === 'sentinel_started' || e.type === 'sentinel_takeover') this.sentinel = { up: true, ...holder(e.actor), started_at: e.at };
    if (e.type === 'sentinel_stopped') this.sentinel = { ...this.sentinel, up: false };
    if (e.type === 'paused') this.paused = { by: e.actor ?? 'unknown', at: e.at, reason: (detail.reason as string | null) ?? null };
    if (e.type === 'resumed') this.paused = null;
  }

  private applyToJob(e: EventRow, detail: Record<string, unknown>): void {
    const id = e.job!;
    const job = this.jobs.get(id) ?? {
      id,
      state: 'pending',
      plugin: null,
      priority: 0,
      attempts: 0,
      slot: null,
      last_error: null,
      submitted_at: null,
      updated_at: e.at,
      finished_at: null,
    };
    if (e.type === 'submitted') {
      job.plugin = (detail.plugin as string | undefined) ?? job.plugin;
      job.priority = (detail.priority as number | undefined) ?? job.priority;
      job.submitted_at ??= e.at;
    }
    const state = STATE_AFTER[e.type];
    if (state) {
      job.state = state;
      job.updated_at = e.at;
      job.finished_at = FINISHED_STATES.includes(state) ? e.at : null;
      job.slot = state === 'claimed' ? e.slot : null;
    }
    if (e.type === 'claimed' && e.attempt !== null) job.attempts = e.attempt;
    if (typeof detail.error === 'string') job.last_error = detail.error;
    else if (typeof detail.reason === 'string' && (e.type === 'rejected' || e.type === 'failed')) job.last_error = detail.reason;
    if (e.type === 'requeued') job.attempts = 0;
    this.jobs.set(id, job);
  }

  private applyToSlot(e: EventRow, detail: Record<string, unknown>): void {
    const n = e.slot!;
    const slot = this.slots.get(n) ?? {
      slot: n,
      condition: 'free',
      host: null,
      pid: null,
      job: null,
      job_started_at: null,
      draining: false,
    };
    const worker = (to: ReplaySlot['condition']) => {
      slot.condition = to;
      slot.job = null;
      slot.job_started_at = null;
    };
    if (e.type === 'claimed') {
      slot.condition = 'busy';
      slot.job = e.job;
      slot.job_started_at = e.at;
      if (typeof detail.host === 'string') slot.host = detail.host;
      if (typeof detail.pid === 'number') slot.pid = detail.pid;
    } else if (e.type === 'worker_joined') {
      Object.assign(slot, holder(e.actor), { draining: false });
      worker('idle');
    } else if (e.type === 'worker_left') {
      Object.assign(slot, { host: null, pid: null, draining: false });
      worker('free');
    } else if (e.type === 'worker_lost') worker('dead');
    else if (e.type === 'drain_requested') slot.draining = true;
    else if (e.type === 'drain_cancelled') slot.draining = false;
    else if (e.job && slot.job === e.job && STATE_AFTER[e.type] && e.type !== 'claimed')
      worker(slot.condition === 'dead' ? 'dead' : 'idle');
    if (slot.condition === 'idle' && slot.draining) slot.condition = 'draining';
    else if (slot.condition === 'draining' && !slot.draining) slot.condition = 'idle';
    this.slots.set(n, slot);
  }
}
