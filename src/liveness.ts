/**
 * How a slot's holder is judged, shared by the sentinel (which acts on it) and the api
 * (which shows it): no heartbeat = free; a heartbeat from this host whose pid is gone =
 * dead; a heartbeat older than the stale limit by the file server's clock = stale.
 */
import { killGroup, pidAlive } from './proc.js';
import type { Heartbeat, SlotFiles } from './spool/slots.js';

export type Liveness = { status: 'free' } | { status: 'live' } | { status: 'dead' | 'stale'; reason: string };

export function judgeSlot(files: SlotFiles, serverNowMs: number, host: string, staleAfterMs: number): Liveness {
  const hb = files.heartbeat;
  if (!hb) return { status: 'free' };
  if (hb.host === host && !pidAlive(hb.pid)) return { status: 'dead', reason: `worker pid ${hb.pid} on ${hb.host} is not running` };
  const age = serverNowMs - (files.heartbeatMtimeMs ?? 0);
  if (age > staleAfterMs) {
    return {
      status: 'stale',
      reason: `heartbeat of pid ${hb.pid} on ${hb.host} is ${(age / 1000).toFixed(1)}s old (limit ${staleAfterMs / 1000}s)`,
    };
  }
  return { status: 'live' };
}

/**
 * Kills what is left of the plugin a gone holder of a slot was running, when it ran on this
 * host: its next attempt must not start beside it. Returns the pids killed; on another host
 * nothing can be known or done from here.
 */
export function killLeftPlugin(hb: Heartbeat | undefined, host: string): number[] {
  return hb?.plugin_group && hb.host === host ? killGroup(hb.plugin_group) : [];
}
