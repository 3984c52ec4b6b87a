/**
 * The slots as readers see them (`status`, `workers`, `doctor`, `verify`, the TUI), each
 * judged by src/slot-state.ts as the sentinel judges it, and their shape in `status --json`.
 */
import { hostId } from '../config/identity.js';
import { isLive, readSlotStates, shownSlots, type SlotCondition, type SlotState } from '../slot-state.js';
import { listClaims } from '../spool/scan.js';
import { fileServerNowOrLocal } from './clock.js';
import type { Spool } from './spool.js';

/** One slot of `status --json`. */
export interface SlotStatus {
  slot: number;
  /** Kept for scripts: a dead holder is `stale`, a draining one `idle` or `busy` with `draining` set. */
  state: 'free' | 'idle' | 'busy' | 'stale';
  /** The word every human output shows (src/slot-state.ts). */
  condition: SlotCondition;
  draining: boolean;
  host: string | null;
  pid: number | null;
  job: string | null;
  plugin: string | null;
  progress: number | null;
  message: string | null;
  job_started_at: string | null;
  beat_age_s: number | null;
  jobs_done: number | null;
  jobs_failed: number | null;
  /** The worker's tags (worker.tags, `worker --tag`): jobs that require a tag go only to slots that have it. */
  tags: string[];
  reason?: string;
}

/**
 * Every slot a reader shows, judged as the sentinel judges it: heartbeat mtimes are set by
 * the file server, so they are aged by its clock.
 */
export function slotStates(s: Spool, serverNow = fileServerNowOrLocal(s)): SlotState[] {
  const cfg = s.loaded.config.worker;
  return shownSlots(readSlotStates(s.l, { serverNowMs: serverNow, host: hostId(), staleAfterMs: cfg.stale_after_ms }), cfg.max_workers);
}

function compatibleState(x: SlotState): SlotStatus['state'] {
  if (x.condition === 'dead') return 'stale';
  if (x.condition === 'draining') return x.heartbeat?.state === 'busy' ? 'busy' : 'idle';
  return x.condition;
}

/**
 * A slot's heartbeat and reason as readers show them. A lost worker's heartbeat keeps naming
 * the job it ran; once the sentinel has taken that job back (its claim is gone from the
 * slot), the slot holds it no more.
 */
export function heldView(s: Spool, x: SlotState): { hb: SlotState['heartbeat']; reason: string | undefined } {
  const job = x.heartbeat?.job;
  if (!job || isLive(x.condition) || listClaims(s.l, x.slot).claims.some((c) => c.id === job)) return { hb: x.heartbeat, reason: x.reason };
  const { job: _job, plugin: _plugin, progress: _progress, message: _message, job_started_at: _started, ...rest } = x.heartbeat!;
  return { hb: rest, reason: [x.reason, `its job ${job} was taken back`].filter(Boolean).join('; ') };
}

export function slotStatuses(s: Spool, serverNow?: number): SlotStatus[] {
  return slotStates(s, serverNow).map((x) => {
    const { hb, reason } = heldView(s, x);
    return {
      slot: x.slot,
      state: compatibleState(x),
      condition: x.condition,
      draining: x.draining,
      host: hb?.host ?? null,
      pid: hb?.pid ?? null,
      job: hb?.job ?? null,
      plugin: hb?.plugin ?? null,
      progress: hb?.progress ?? null,
      message: hb?.message ?? null,
      job_started_at: hb?.job_started_at ?? null,
      beat_age_s: x.heartbeatAgeMs === undefined ? null : Math.round(x.heartbeatAgeMs / 100) / 10,
      jobs_done: hb?.jobs_done ?? null,
      jobs_failed: hb?.jobs_failed ?? null,
      tags: hb?.tags ?? [],
      ...(reason ? { reason } : {}),
    };
  });
}
