/**
 * The one judgement of a slot, in one vocabulary, for the sentinel (which acts on it) and for
 * everything that shows it (status, workers list and cleanup, doctor, the TUI):
 *
 * - free: no heartbeat (a lock alone, a worker still starting, holds no job);
 * - idle, busy: a live holder, as its heartbeat says;
 * - draining: a live holder that was asked to drain (marker) or says it drains;
 * - dead: a heartbeat from this host whose pid is not running (known at once);
 * - stale: a heartbeat older than worker.stale_after_ms by the file server's clock, which set
 *   its mtime: a host whose own clock is off neither loses live workers nor keeps dead ones.
 */
import { killGroup, pidAlive } from './proc.js';
import { allSlotNumbers } from './spool/scan.js';
import { readSlotFiles, type Heartbeat, type SlotFiles } from './spool/slots.js';
import type { Layout } from './spool/layout.js';

export type SlotCondition = 'free' | 'idle' | 'busy' | 'draining' | 'stale' | 'dead';

export type SlotState = {
  slot: number;
  heartbeat?: Heartbeat;
  /** By the file server's clock; undefined without a heartbeat file. */
  heartbeatAgeMs?: number;
  /** The slot's lock directory exists. */
  locked: boolean;
  /** The drain marker is set or the holder says it drains, whether or not the holder still lives. */
  draining: boolean;
} & (
  | { condition: 'free' | 'idle' | 'busy' | 'draining'; reason?: undefined }
  /** `reason` says why the holder is gone. */
  | { condition: 'dead' | 'stale'; reason: string }
);

/** How a slot is judged: by the file server's clock, from the host the judge runs on. */
export interface Judge {
  serverNowMs: number;
  host: string;
  staleAfterMs: number;
}

/** A holder that still counts: it keeps its slot and its claims. */
export function isLive(condition: SlotCondition): boolean {
  return condition === 'idle' || condition === 'busy' || condition === 'draining';
}

export function judgeSlot(slot: number, files: SlotFiles, judge: Judge): SlotState {
  const hb = files.heartbeat;
  const draining = files.draining || hb?.state === 'draining';
  const ageMs = files.heartbeatMtimeMs === undefined ? undefined : judge.serverNowMs - files.heartbeatMtimeMs;
  const state = { slot, heartbeat: hb, heartbeatAgeMs: ageMs, locked: files.locked, draining };
  if (!hb) return { ...state, condition: 'free' };
  if (hb.host === judge.host && !pidAlive(hb.pid))
    return { ...state, condition: 'dead', reason: `worker pid ${hb.pid} on ${hb.host} is not running` };
  const age = ageMs ?? judge.serverNowMs;
  if (age > judge.staleAfterMs) {
    return {
      ...state,
      condition: 'stale',
      reason: `heartbeat of pid ${hb.pid} on ${hb.host} is ${(age / 1000).toFixed(1)}s old (limit ${judge.staleAfterMs / 1000}s)`,
    };
  }
  return { ...state, condition: draining ? 'draining' : hb.state === 'busy' ? 'busy' : 'idle' };
}

/**
 * Every slot (1 to the hard cap), read and judged. `last` is the caller's previous reading: a
 * heartbeat caught mid-rewrite on a mount that caches attributes does not parse, and the
 * holder it last named, aged by the fresh mtime, is a better guess than a free slot. With
 * `only`, the other slots keep their reading from `last`, unless it names a live holder on
 * this host whose pid is gone: a worker killed outright changes no file in slots/.
 */
export function readSlotStates(l: Layout, judge: Judge, last: readonly SlotState[] = [], only?: ReadonlySet<number>): SlotState[] {
  return allSlotNumbers().map((slot) => {
    const kept = only && !only.has(slot) ? last[slot - 1] : undefined;
    const hb = kept?.heartbeat;
    if (kept && !(hb && isLive(kept.condition) && hb.host === judge.host && !pidAlive(hb.pid))) return kept;
    const files = readSlotFiles(l, slot);
    if (files.unreadable) files.heartbeat = last[slot - 1]?.heartbeat;
    return judgeSlot(slot, files, judge);
  });
}

/** What a reader shows: slots 1 to max_workers, and any higher one that a worker holds or locks. */
export function shownSlots(states: SlotState[], maxWorkers: number): SlotState[] {
  return states.filter((x) => x.slot <= maxWorkers || x.heartbeat || x.locked);
}

/**
 * Kills what is left of the plugin a gone holder of a slot was running, when it ran on this
 * host: its next attempt must not start beside it. Returns the pids killed; on another host
 * nothing can be known or done from here.
 */
export function killLeftPlugin(hb: Heartbeat | undefined, host: string): number[] {
  return hb?.plugin_group && hb.host === host ? killGroup(hb.plugin_group) : [];
}
