/**
 * Judges every slot: free (no heartbeat), live, dead (its pid is gone on this host) or
 * stale (heartbeat older than worker.stale_after_ms by the file server's clock). Records
 * workers joining, leaving and being lost, and carries heartbeat progress into the ledger.
 * A worker that leaves on purpose (recycled, or given up on by its supervisor) leaves a note
 * with the reason; the note is read after the slots, and it was written before the heartbeat
 * went, so a slot seen free always has its note.
 */
import { judgeSlot } from '../liveness.js';
import { allSlotNumbers } from '../spool/scan.js';
import { readLeaveNotes, readSlotFiles, removeLeaveNote, type LeaveNote } from '../spool/slots.js';
import { transition, type SentinelContext, type SlotView } from './context.js';

const PROGRESS_EVERY_MS = 1000;

type Notes = { name: string; note: LeaveNote | undefined }[];

export function refreshSlots(ctx: SentinelContext): void {
  const now = ctx.clock.now();
  const views: SlotView[] = [];
  for (const slot of allSlotNumbers()) {
    const files = readSlotFiles(ctx.l, slot);
    if (files.unreadable) files.heartbeat = ctx.slots[slot - 1]?.hb;
    const judged = judgeSlot(files, now, ctx.host, ctx.cfg.worker.stale_after_ms);
    views.push({ slot, ...judged, hb: files.heartbeat, draining: files.draining });
  }
  const notes = readLeaveNotes(ctx.l);
  for (const view of views) noteChange(ctx, ctx.slots[view.slot - 1], view, notes);
  ctx.slots = views;
  recordLeftovers(ctx, views, notes);
}

/** Notes no slot change consumed: a worker the sentinel never saw live, or a supervisor's. */
function recordLeftovers(ctx: SentinelContext, views: SlotView[], notes: Notes): void {
  for (const { name, note } of notes) {
    if (note && views.some((v) => v.status === 'live' && v.hb?.host === note.host && v.hb.pid === note.pid)) continue;
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

function noteChange(ctx: SentinelContext, before: SlotView | undefined, after: SlotView, notes: Notes): void {
  const hb = after.hb;
  const changed =
    !before ||
    before.status !== after.status ||
    before.hb?.token !== hb?.token ||
    before.hb?.state !== hb?.state ||
    before.hb?.job !== hb?.job;
  if (changed) {
    if (after.status === 'live' && hb && (before?.status !== 'live' || before.hb?.token !== hb.token)) {
      transition(ctx, { type: 'worker_joined', slot: after.slot, actor: `${hb.host}:${hb.pid}`, detail: { host: hb.host, pid: hb.pid } });
    } else if (before?.status === 'live' && after.status !== 'live') {
      const note = takeNote(ctx, notes, before.hb?.host, before.hb?.pid);
      if (note || after.status === 'free') {
        transition(ctx, {
          type: 'worker_left',
          slot: after.slot,
          detail: { host: before.hb?.host, pid: before.hb?.pid, ...(note ? { reason: note.reason } : {}) },
        });
      } else {
        transition(ctx, { type: 'worker_lost', slot: after.slot, detail: { reason: after.reason, status: after.status } });
      }
    }
  }
  const progressMoved = hb?.progress !== before?.hb?.progress || hb?.message !== before?.hb?.message;
  if (changed || progressMoved) {
    ctx.ledger.setSlot({
      slot: after.slot,
      state: after.status === 'live' ? (after.draining ? 'draining' : (hb?.state ?? 'idle')) : after.status,
      host: hb?.host ?? null,
      pid: hb?.pid ?? null,
      job: hb?.job ?? null,
      progress: hb?.progress ?? null,
      message: hb?.message ?? null,
      beat_at: hb?.beat_at ?? null,
    });
  }
  if (after.status === 'live' && hb?.job && hb.progress !== undefined) carryProgress(ctx, hb.job, hb.progress, hb.message);
}

function carryProgress(ctx: SentinelContext, job: string, progress: number, message: string | undefined): void {
  const last = ctx.progressWritten.get(job);
  if (last && (Date.now() - last.at < PROGRESS_EVERY_MS || (last.progress === progress && last.message === message))) return;
  if (ctx.jobs.get(job)?.state !== 'claimed') return;
  ctx.progressWritten.set(job, { at: Date.now(), progress, message });
  ctx.ledger.patchJob({ id: job, progress, message: message ?? null });
}
