/**
 * Control requests from the CLI and the TUI: written to control/, applied by the sentinel.
 * The caller waits for the acknowledgement; if the sentinel is down the request stays
 * queued and is applied when it starts.
 */
import { nanoid } from 'nanoid';
import { actor } from '../config/identity.js';
import { UsageError } from '../errors.js';
import { sleep } from '../proc.js';
import { isItemName } from '../spool/layout.js';
import { readPause, type PauseInfo } from '../spool/paused.js';
import { readAck, removeAck, writeRequest, type AckItem, type ControlAck, type ControlRequest } from '../spool/control.js';
import type { DispatchAction, JobAction, SlotAction } from '../spool/actions.js';
import { sentinelStatus } from './status.js';
import type { Spool } from './spool.js';

/**
 * `queued`: the request waits in control/. A bulk action is sent in several requests; when one
 * is left queued, those after it are queued too, and `applied` holds what was acknowledged
 * before it.
 */
export type ControlOutcome =
  | { kind: 'applied'; ack: ControlAck }
  | { kind: 'queued'; action: string; requestId: string; why: string; requests: number; applied: AckItem[] };

export interface WaitOptions {
  wait?: boolean;
  timeoutMs?: number;
}

/** Job ids per request, so a bulk action of thousands neither holds the sentinel in one long pass nor waits on one huge ack. */
const IDS_PER_REQUEST = 500;

export async function requestJobAction(s: Spool, action: JobAction, ids: string[], opts: WaitOptions = {}): Promise<ControlOutcome> {
  if (ids.length === 0) throw new UsageError(`Name at least one job id to ${action}.`);
  const bad = ids.find((id) => !isItemName(id));
  if (bad !== undefined)
    throw new UsageError(`"${bad}" is not a job id (1-64 letters, digits, "_" or "-") nor the name of a file in rejected/.`);
  const requests: ControlRequest[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_REQUEST) requests.push({ ...stamp(), action, jobs: ids.slice(i, i + IDS_PER_REQUEST) });
  const applied: AckItem[] = [];
  let last: ControlAck | undefined;
  for (const [i, req] of requests.entries()) {
    const outcome = await send(s, req, opts);
    if (outcome.kind === 'queued') {
      for (const rest of requests.slice(i + 1)) writeRequest(s.l, rest);
      return { ...outcome, requests: requests.length - i, applied };
    }
    applied.push(...outcome.ack.items);
    last = outcome.ack;
  }
  return { kind: 'applied', ack: { ...last!, items: applied } };
}

export function requestSlotAction(s: Spool, action: SlotAction, slot: number, opts: WaitOptions = {}): Promise<ControlOutcome> {
  if (!Number.isInteger(slot) || slot < 1) throw new UsageError(`"${slot}" is not a slot number.`);
  return send(s, { ...stamp(), action, slot }, opts);
}

/** `spoolctl pause [--reason]` / `resume`: dispatch as a whole. */
export function requestDispatchAction(s: Spool, action: DispatchAction, reason?: string, opts: WaitOptions = {}): Promise<ControlOutcome> {
  if (reason !== undefined && reason.length > 1000) throw new UsageError('A pause reason is at most 1000 characters.');
  return send(s, { ...stamp(), action, ...(reason ? { reason } : {}) }, opts);
}

export type { PauseInfo };

/** Who paused dispatch, when and why (paused.json), or undefined while it dispatches. */
export function pauseInfo(s: Spool): PauseInfo | undefined {
  return readPause(s.l);
}

function stamp(): { id: string; actor: string; pid: number; at: string } {
  return { id: nanoid(12), actor: actor(), pid: process.pid, at: new Date().toISOString() };
}

async function send(s: Spool, req: ControlRequest, opts: WaitOptions): Promise<ControlOutcome> {
  writeRequest(s.l, req);
  const queued = (why: string): ControlOutcome => ({
    kind: 'queued',
    action: req.action,
    requestId: req.id,
    why,
    requests: 1,
    applied: [],
  });
  if (opts.wait === false) return queued('not waiting (--no-wait)');
  if (!sentinelStatus(s).up) return queued('the sentinel is down');
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    const ack = readAck(s.l, req.id);
    if (ack) {
      removeAck(s.l, req.id);
      return { kind: 'applied', ack };
    }
    await sleep(25);
  }
  return queued(`the sentinel did not answer within ${Math.round((opts.timeoutMs ?? 15_000) / 1000)}s`);
}
