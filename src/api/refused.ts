/**
 * Control requests the sentinel refused while nobody waited for its answer (queued while it
 * was down, or sent with --no-wait): their acks stay in control/acks/ until the sentinel
 * sweeps them after sentinel.ack_max_age_s, and `status` shows them until then.
 */
import { listAckIds, readAck } from '../spool/control.js';
import type { Spool } from './spool.js';

export interface RefusedRequest {
  request_id: string;
  action: string;
  /** A job id, `slot-N` or `dispatch`. */
  target: string;
  error: string;
  /** Who asked; null in an ack written by an older sentinel. */
  by: string | null;
  /** When the sentinel refused it (ISO UTC). */
  at: string;
}

export function refusedRequests(s: Spool): RefusedRequest[] {
  const out: RefusedRequest[] = [];
  for (const id of listAckIds(s.l)) {
    let ack;
    try {
      ack = readAck(s.l, id);
    } catch {
      // Half-written by another host's sentinel, or removed under us: the next look sees it.
      continue;
    }
    for (const item of ack?.items ?? [])
      if (ack && !item.ok)
        out.push({
          request_id: ack.id,
          action: ack.action,
          target: item.target,
          error: item.error ?? 'refused',
          by: ack.by ?? null,
          at: ack.applied_at,
        });
  }
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
