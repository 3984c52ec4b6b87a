/**
 * Control requests from the CLI and the TUI: written to control/, applied by the sentinel.
 * The caller waits for the acknowledgement; if the sentinel is down the request stays
 * queued and is applied when it starts.
 */
import { nanoid } from 'nanoid';
import { actor } from '../config/identity.js';
import { UsageError } from '../errors.js';
import { sleep } from '../proc.js';
import { isValidId } from '../spool/layout.js';
import { readAck, removeAck, writeRequest, type ControlAck, type ControlRequest, type JobAction, type SlotAction } from '../spool/control.js';
import { sentinelStatus } from './status.js';
import type { Spool } from './spool.js';

export type ControlOutcome = { kind: 'applied'; ack: ControlAck } | { kind: 'queued'; requestId: string; why: string };

export interface WaitOptions {
  wait?: boolean;
  timeoutMs?: number;
}

export function requestJobAction(s: Spool, action: JobAction, ids: string[], opts: WaitOptions = {}): Promise<ControlOutcome> {
  if (ids.length === 0) throw new UsageError(`Name at least one job id to ${action}.`);
  const bad = ids.find((id) => !isValidId(id));
  if (bad !== undefined) throw new UsageError(`"${bad}" is not a job id (1-64 letters, digits, "_" or "-").`);
  return send(s, { id: nanoid(12), action, jobs: ids, actor: actor(), pid: process.pid, at: new Date().toISOString() }, opts);
}

export function requestSlotAction(s: Spool, action: SlotAction, slot: number, opts: WaitOptions = {}): Promise<ControlOutcome> {
  if (!Number.isInteger(slot) || slot < 1) throw new UsageError(`"${slot}" is not a slot number.`);
  return send(s, { id: nanoid(12), action, slot, actor: actor(), pid: process.pid, at: new Date().toISOString() }, opts);
}

async function send(s: Spool, req: ControlRequest, opts: WaitOptions): Promise<ControlOutcome> {
  writeRequest(s.l, req);
  if (opts.wait === false) return { kind: 'queued', requestId: req.id, why: 'not waiting (--no-wait)' };
  if (!sentinelStatus(s).up) return { kind: 'queued', requestId: req.id, why: 'the sentinel is down' };
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    const ack = readAck(s.l, req.id);
    if (ack) {
      removeAck(s.l, req.id);
      return { kind: 'applied', ack };
    }
    await sleep(25);
  }
  return { kind: 'queued', requestId: req.id, why: `the sentinel did not answer within ${Math.round((opts.timeoutMs ?? 15_000) / 1000)}s` };
}
