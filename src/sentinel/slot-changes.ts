/**
 * Judges every slot (src/slot-state.ts) and records what changed: workers joining,
 * leaving and being lost, and heartbeat progress carried into the ledger. A worker that leaves
 * on purpose (recycled, or given up on by its supervisor) leaves a note with the reason; the
 * note is read after the slots, and it was written before the heartbeat went, so a slot seen
 * free always has its note.
 */
import { isLive, readSlotStates, type SlotState } from '../slot-state.js';
import { readLeaveNotes, removeLeaveNote, type LeaveNote } from '../spool/slots.js';
import { transition, type SentinelContext } from './context.js';

const PROGRESS_EVERY_MS = 1000;

type Notes = { name: string; note: LeaveNote | undefined }[];

/**
 * Which slot files changed, by the watcher's word: the slots whose files it named, and whether
 * it named a leave note. A pass re-reads only those, so that a heartbeat rewritten under a
 * flood costs the sentinel one slot's files, not every slot's.
 */
export interface SlotsChanged {
  all: boolean;
  slots: Set<number>;
  notes: boolean;
}

export function refreshSlots(ctx: SentinelContext, changed: SlotsChanged): void {
  const judge = { serverNowMs: ctx.clock.now(), host: ctx.host, staleAfterMs: ctx.cfg.worker.stale_after_ms };
  const all = changed.all || ctx.slots.length === 0;
  const views = readSlotStates(ctx.l, judge, ctx.slots, all ? undefined : changed.slots);
  let notes: Notes | undefined;
  const readNotes = () => (notes ??= readLeaveNotes(ctx.l));
  if (all || changed.notes) readNotes();
  for (const view of views) {
    const before = ctx.slots[view.slot - 1];
    if (view !== before) noteChange(ctx, before, view, readNotes);
  }
  ctx.slots = views;
  if (notes) recordLeftovers(ctx, views, notes);
}

/** Notes no slot change consumed: a worker the sentinel never saw live, or a supervisor's. */
function recordLeftovers(ctx: SentinelContext, views: SlotState[], notes: Notes): void {
  for (const { name, note } of notes) {
    if (note && views.some((v) => isLive(v.condition) && v.heartbeat?.host === note.host && v.heartbeat.pid === note.pid)) continue;
    if (note)
      transition(ctx, {
        type: 'worker_left',
        slot: note.slot ?? undefined,
        actor: `${note.host}:${note.pid}`,
        detail: { host: note.host, pid: note.pid, reason: note.reason },
      });
    removeLeaveNote(ctx.l, name);
  }
  notes.length = 0;
}

function takeNote(ctx: SentinelContext, notes: Notes, host: string | undefined, pid: number | undefined): LeaveNote | undefined {
  const i = notes.findIndex((n) => n.note?.host === host && n.note?.pid === pid);
  if (i < 0) return undefined;
  const [{ name, note }] = notes.splice(i, 1) as [Notes[number]];
  removeLeaveNote(ctx.l, name);
  return note;
}

function noteChange(ctx: SentinelContext, before: SlotState | undefined, after: SlotState, notes: () => Notes): void {
  const hb = after.heartbeat;
  const was = before?.heartbeat;
  const changed =
    !before || before.condition !== after.condition || was?.token !== hb?.token || was?.state !== hb?.state || was?.job !== hb?.job;
  const live = isLive(after.condition);
  const wasLive = before !== undefined && isLive(before.condition);
  if (changed) {
    if (live && hb && (!wasLive || was?.token !== hb.token)) {
      transition(ctx, { type: 'worker_joined', slot: after.slot, actor: `${hb.host}:${hb.pid}`, detail: { host: hb.host, pid: hb.pid } });
    } else if (wasLive && !live) {
      const note = takeNote(ctx, notes(), was?.host, was?.pid);
      if (note || after.condition === 'free') {
        transition(ctx, {
          type: 'worker_left',
          slot: after.slot,
          detail: { host: was?.host, pid: was?.pid, ...(note ? { reason: note.reason } : {}) },
        });
      } else {
        transition(ctx, { type: 'worker_lost', slot: after.slot, detail: { reason: after.reason, status: after.condition } });
      }
    }
  }
  const progressMoved = hb?.progress !== was?.progress || hb?.message !== was?.message;
  if (changed || progressMoved) {
    ctx.ledger.setSlot({
      slot: after.slot,
      state: after.condition,
      host: hb?.host ?? null,
      pid: hb?.pid ?? null,
      job: hb?.job ?? null,
      progress: hb?.progress ?? null,
      message: hb?.message ?? null,
      beat_at: hb?.beat_at ?? null,
    });
  }
  if (live && hb?.job && hb.progress !== undefined) carryProgress(ctx, hb.job, hb.progress, hb.message);
}

function carryProgress(ctx: SentinelContext, job: string, progress: number, message: string | undefined): void {
  const last = ctx.progressWritten.get(job);
  if (last && (Date.now() - last.at < PROGRESS_EVERY_MS || (last.progress === progress && last.message === message))) return;
  if (ctx.jobs.get(job)?.state !== 'claimed') return;
  ctx.progressWritten.set(job, { at: Date.now(), progress, message });
  ctx.ledger.patchJob({ id: job, progress, message: message ?? null });
}
