/**
 * `workers list` and `workers cleanup`: every slot with its holder judged as the sentinel
 * judges it (src/slot-state.ts, by the file server's clock), and the freeing of slots
 * whose holder is gone. Cleanup never moves a manifest: the sentinel takes back the claims of
 * freed slots, as it does for any dead, stale or free slot.
 */
import { readFileSync } from 'node:fs';
import { actor, hostId } from '../config/identity.js';
import { localWorkersOf, stopProcesses, type Stopped } from '../fleet/processes.js';
import { sleep } from '../proc.js';
import type { ProcId } from '../proc.js';
import { readAllRecords, type ManagedState } from '../fleet/services-record.js';
import { allSlotNumbers, listClaims, mtimeMs } from '../spool/scan.js';
import { isLive, judgeSlot, killLeftPlugin, type SlotCondition, type SlotState } from '../slot-state.js';
import { breakSlotLock, lockDirOf, readSlotFiles, removeHeartbeat, writeLeaveNote } from '../spool/slots.js';
import { fileServerNowOrLocal } from './clock.js';
import { heldView, slotStates } from './slots.js';
import { sentinelStatus, type SentinelStatus } from './status.js';
import type { Spool } from './spool.js';

/** One row of `workers list --json`; null where unknown. */
export interface WorkerRow {
  slot: number;
  state: SlotCondition;
  host: string | null;
  pid: number | null;
  job: string | null;
  progress: number | null;
  jobs_done: number | null;
  jobs_failed: number | null;
  started_at: string | null;
  uptime_s: number | null;
  heartbeat_age_ms: number | null;
  /** What the worker advertises (`worker --tag`, worker.tags); null for a free slot. */
  tags: string[] | null;
  /** Why a slot is dead or stale. */
  reason: string | null;
}

export function listWorkers(s: Spool): WorkerRow[] {
  return slotStates(s).map((v) => {
    const { hb, reason } = heldView(s, v);
    const age = v.heartbeatAgeMs === undefined ? null : Math.max(0, Math.round(v.heartbeatAgeMs));
    // Both times come from the worker's own clock, so another host's skew does not matter.
    const uptime =
      hb && age !== null && isLive(v.condition)
        ? Math.max(0, Math.round((Date.parse(hb.beat_at) - Date.parse(hb.started_at) + age) / 1000))
        : null;
    return {
      slot: v.slot,
      state: v.condition,
      host: hb?.host ?? null,
      pid: hb?.pid ?? null,
      job: hb?.job ?? null,
      progress: hb?.progress ?? null,
      jobs_done: hb?.jobs_done ?? null,
      jobs_failed: hb?.jobs_failed ?? null,
      started_at: hb?.started_at ?? null,
      uptime_s: uptime,
      heartbeat_age_ms: age,
      tags: hb ? (hb.tags ?? []) : null,
      reason: reason ?? null,
    };
  });
}

/** What the start-services supervisors run, one row per managed worker, on every host. */
export interface SupervisedRow {
  host: string;
  name: string;
  state: ManagedState;
  pid: number | null;
  restarts: number;
  last_exit: string | null;
  log: string;
}

export function listSupervised(s: Spool): SupervisedRow[] {
  return readAllRecords(s.l).flatMap((rec) =>
    rec.children
      .filter((c) => c.role === 'worker')
      .map((c) => ({
        host: rec.host,
        name: c.name,
        state: c.state,
        pid: c.proc?.pid ?? null,
        restarts: c.restarts,
        last_exit: c.last_exit,
        log: c.log,
      })),
  );
}

/** A slot whose holder is gone: dead (its pid on this host is not running) or stale. */
export interface LostSlot {
  slot: number;
  host: string;
  pid: number;
  token: string;
  condition: 'dead' | 'stale';
  reason: string;
  /** Claims in the slot carrying the holder's token: the sentinel takes them back. */
  claims: number;
}

export interface Orphan extends ProcId {
  /** The lost slot whose heartbeat still names it, if any. */
  slot: number | null;
}

export interface CleanupPlan {
  spool: string;
  sentinel: SentinelStatus;
  lost: LostSlot[];
  /** Locks with no heartbeat that nobody has refreshed for longer than the stale limit. */
  abandonedLocks: { slot: number; ageMs: number }[];
  orphans: Orphan[];
  /** Claims no live worker owns once the plan is carried out: the sentinel takes them back. */
  reclaim: number;
}

/** /proc reports start times in clock ticks of USER_HZ, which is 100 on Linux x86 and arm. */
const USER_HZ = 100;

function ageSeconds(id: ProcId): number {
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return uptime - Number(id.start) / USER_HZ;
}

export function planCleanup(s: Spool): CleanupPlan {
  const cfg = s.loaded.config.worker;
  const host = hostId();
  const now = fileServerNowOrLocal(s);
  const views = slotStates(s, now);
  const lost: LostSlot[] = [];
  const abandonedLocks: CleanupPlan['abandonedLocks'] = [];
  for (const v of views) {
    const hb = v.heartbeat;
    if (hb && (v.condition === 'dead' || v.condition === 'stale')) {
      const claims = listClaims(s.l, v.slot).claims.filter((c) => c.token === hb.token).length;
      lost.push({ slot: v.slot, host: hb.host, pid: hb.pid, token: hb.token, condition: v.condition, reason: v.reason, claims });
    } else if (!hb && v.locked) {
      const ageMs = now - (mtimeMs(lockDirOf(s.l, v.slot)) ?? now);
      if (ageMs > cfg.stale_after_ms) abandonedLocks.push({ slot: v.slot, ageMs });
    }
  }
  const live = views.filter((v) => isLive(v.condition));
  const owners = localHolders(views, host);
  // A worker younger than the stale limit may still be taking its slot (its heartbeat not yet written).
  const orphans = localWorkersOf(s.l.root, host)
    .filter((p) => !owners.has(p.pid) && ageSeconds(p) * 1000 > cfg.stale_after_ms)
    .map((p) => ({ ...p, slot: lost.find((x) => x.host === host && x.pid === p.pid)?.slot ?? null }));
  return { spool: s.l.root, sentinel: sentinelStatus(s), lost, abandonedLocks, orphans, reclaim: unownedClaims(s, live) };
}

/** Claims whose token is not the token of their slot's live holder: the sentinel takes them back. */
export function claimsWithoutWorker(s: Spool): number {
  return unownedClaims(
    s,
    slotStates(s).filter((v) => isLive(v.condition)),
  );
}

/** Pids of this host's live slot holders. */
function localHolders(states: SlotState[], host: string): Set<number> {
  return new Set(states.flatMap((v) => (isLive(v.condition) && v.heartbeat?.host === host ? [v.heartbeat.pid] : [])));
}

function unownedClaims(s: Spool, live: SlotState[]): number {
  const tokens = new Map(live.map((v) => [v.slot, v.heartbeat?.token]));
  return allSlotNumbers().reduce((n, slot) => n + listClaims(s.l, slot).claims.filter((c) => c.token !== tokens.get(slot)).length, 0);
}

export function planIsEmpty(p: CleanupPlan): boolean {
  return p.lost.length === 0 && p.abandonedLocks.length === 0 && p.orphans.length === 0;
}

export interface CleanupResult {
  freed: number[];
  locksRemoved: number[];
  /** Slots left alone because they changed since the plan (a new worker took one). */
  changed: number[];
  stopped: Stopped[];
  /** Claims of the lost slots the sentinel took back while cleanup waited for it. */
  takenBack: number;
  /** Claims the sentinel still has to take back. */
  reclaim: number;
  /** Processes left of a lost slot's plugin on this host, killed before anything else. */
  pluginsKilled: { slot: number; pids: number[] }[];
}

/**
 * Carries out a plan, checking each slot again first. While the sentinel runs, cleanup waits
 * (bounded) for it to take back the lost slots' claims before removing their heartbeats:
 * with the heartbeat gone the slot would look cleanly left, and the sentinel would hand
 * the jobs back without counting the attempt the lost worker used.
 */
export async function applyCleanup(s: Spool, plan: CleanupPlan): Promise<CleanupResult> {
  const cfg = s.loaded.config;
  const host = hostId();
  const ours = (x: LostSlot) => listClaims(s.l, x.slot).claims.filter((c) => c.token === x.token).length;
  // First, so that no job runs again while an attempt of it is still running here.
  const pluginsKilled = plan.lost.flatMap((x) => {
    const hb = readSlotFiles(s.l, x.slot).heartbeat;
    const pids = hb?.token === x.token ? killLeftPlugin(hb, host) : [];
    return pids.length > 0 ? [{ slot: x.slot, pids }] : [];
  });
  const claimed = plan.lost.reduce((n, x) => n + x.claims, 0);
  if (claimed > 0 && sentinelStatus(s).up) {
    const deadline = Date.now() + cfg.worker.stale_after_ms + 2 * cfg.sentinel.scan_interval_ms + 5000;
    while (Date.now() < deadline && plan.lost.some((x) => ours(x) > 0)) await sleep(100);
  }
  const takenBack = claimed - plan.lost.reduce((n, x) => n + ours(x), 0);

  const freed: number[] = [];
  const changed: number[] = [];
  const now = fileServerNowOrLocal(s);
  const judge = { serverNowMs: now, host, staleAfterMs: cfg.worker.stale_after_ms };
  for (const x of plan.lost) {
    const state = judgeSlot(x.slot, readSlotFiles(s.l, x.slot), judge);
    if (state.heartbeat?.token !== x.token || isLive(state.condition)) {
      changed.push(x.slot);
      continue;
    }
    // The sentinel records the note in the ledger: who freed the slot, and why.
    writeLeaveNote(s.l, {
      slot: x.slot,
      host: x.host,
      pid: x.pid,
      reason: `${x.reason}; slot freed by \`spoolctl workers cleanup\` (${actor()})`,
      at: new Date().toISOString(),
    });
    removeHeartbeat(s.l, x.slot);
    breakSlotLock(s.l, x.slot);
    freed.push(x.slot);
  }
  const locksRemoved: number[] = [];
  for (const { slot } of plan.abandonedLocks) {
    const age = now - (mtimeMs(lockDirOf(s.l, slot)) ?? now);
    if (readSlotFiles(s.l, slot).heartbeat || age <= cfg.worker.stale_after_ms) {
      changed.push(slot);
      continue;
    }
    breakSlotLock(s.l, slot);
    locksRemoved.push(slot);
  }
  const owners = localHolders(slotStates(s), host);
  const handBackMs = 1500;
  const stopped = await stopProcesses(
    plan.orphans.filter((o) => !owners.has(o.pid)),
    handBackMs,
    handBackMs + cfg.worker.kill_grace_ms + 2000,
  );
  return { freed, locksRemoved, changed, stopped, takenBack, reclaim: claimsWithoutWorker(s), pluginsKilled };
}
