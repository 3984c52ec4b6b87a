/**
 * Control requests (control/<request-id>.json) and their acknowledgements
 * (control/acks/<request-id>.json). Anyone may write a request; only the sentinel applies
 * it, writes the ack and removes the request.
 */
import { readFileSync } from 'node:fs';
import { errnoOf, InvalidFileError } from '../errors.js';
import { publish, unlinkQuiet } from './atomic.js';
import { DISPATCH_ACTIONS, JOB_ACTIONS, SLOT_ACTIONS, type DispatchAction, type JobAction, type SlotAction } from './actions.js';
import { ackPath, intentPath, requestFileName, requestPath, type Layout } from './layout.js';
import { listNames } from './scan.js';

export type ControlRequest =
  | { id: string; action: JobAction; jobs: string[]; actor: string; pid: number; at: string }
  | { id: string; action: SlotAction; slot: number; actor: string; pid: number; at: string }
  | { id: string; action: DispatchAction; reason?: string; actor: string; pid: number; at: string };

export interface AckItem {
  target: string;
  ok: boolean;
  from?: string;
  to?: string;
  error?: string;
}

export interface ControlAck {
  id: string;
  action: string;
  applied_at: string;
  items: AckItem[];
  /** Who asked (user@host, and the uid that owns the request file); absent in acks of older sentinels. */
  by?: string;
}

export function writeRequest(l: Layout, req: ControlRequest): void {
  publish(l.tmp, requestPath(l, requestFileName(req.id)), JSON.stringify(req), { noClobber: true });
}

export function listRequestNames(l: Layout): string[] {
  return listNames(l.control).filter((n) => n.endsWith('.json'));
}

export function readRequest(l: Layout, name: string): ControlRequest {
  const text = readFileSync(requestPath(l, name), 'utf8');
  let req: ControlRequest;
  try {
    req = JSON.parse(text) as ControlRequest;
  } catch {
    throw new InvalidFileError('is not valid JSON');
  }
  const isJob = (JOB_ACTIONS as readonly string[]).includes(req.action);
  const isSlot = (SLOT_ACTIONS as readonly string[]).includes(req.action);
  const isDispatch = (DISPATCH_ACTIONS as readonly string[]).includes(req.action);
  if (typeof req.id !== 'string' || requestFileName(req.id) !== name)
    throw new InvalidFileError('has an id that differs from its file name');
  if (isJob && !Array.isArray((req as { jobs?: unknown }).jobs)) throw new InvalidFileError('lacks a "jobs" array');
  if (isSlot && !Number.isInteger((req as { slot?: unknown }).slot)) throw new InvalidFileError('lacks a "slot" number');
  if (isDispatch && 'reason' in req && req.reason !== undefined && typeof req.reason !== 'string')
    throw new InvalidFileError('has a "reason" that is not a string');
  if (!isJob && !isSlot && !isDispatch) throw new InvalidFileError(`has an unknown action "${String(req.action)}"`);
  return req;
}

export function removeRequest(l: Layout, name: string): void {
  unlinkQuiet(requestPath(l, name));
}

/**
 * What the sentinel wrote down, before applying a job request, about where each of its jobs
 * was (control/acks/<request-id>.intent). A sentinel that crashed part-way through a request
 * applies it again on restart; with this it can tell a job that the request already moved
 * (acknowledged as done, not applied twice) from one it has yet to move.
 */
export interface ControlIntent {
  id: string;
  before: Record<string, string | null>;
}

export function writeIntent(l: Layout, intent: ControlIntent): void {
  publish(l.tmp, intentPath(l, intent.id), JSON.stringify(intent));
}

export function readIntent(l: Layout, requestId: string): ControlIntent | undefined {
  try {
    const v = JSON.parse(readFileSync(intentPath(l, requestId), 'utf8')) as ControlIntent;
    return v && typeof v.before === 'object' && v.before !== null ? v : undefined;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

export function removeIntent(l: Layout, requestId: string): void {
  unlinkQuiet(intentPath(l, requestId));
}

export function writeAck(l: Layout, ack: ControlAck): void {
  publish(l.tmp, ackPath(l, ack.id), JSON.stringify(ack), { durable: false });
}

export function readAck(l: Layout, requestId: string): ControlAck | undefined {
  try {
    return JSON.parse(readFileSync(ackPath(l, requestId), 'utf8')) as ControlAck;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** The acks nobody collected: the requester did not wait (sentinel down, --no-wait) or gave up. */
export function listAckIds(l: Layout): string[] {
  return listNames(l.acks)
    .filter((n) => n.endsWith('.json'))
    .map((n) => n.slice(0, -'.json'.length));
}

export function removeAck(l: Layout, requestId: string): void {
  unlinkQuiet(ackPath(l, requestId));
}
