/**
 * The grammar of the names in the spool: job ids, state file names, claim and result names,
 * rejected files' names, and the few other names a directory of the layout (./layout.ts)
 * holds. Every name read from disk is parsed here; one that does not parse is undefined.
 */
import { HARD_SLOT_CAP } from '../config/schema.js';

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{6,32}$/;

export const ERROR_SUFFIX = '.error.json';

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/**
 * A name a file in rejected/ may have (one made by hand included): a rejected file whose name
 * gives no usable job id is listed and addressed by it. It always differs from a job id.
 */
export function isRejectedName(name: string): boolean {
  return !isValidId(name) && name.length <= 255 && !/[/\0]/.test(name) && name !== '.' && name !== '..' && !name.endsWith(ERROR_SUFFIX);
}

/** What `jobs show`, `jobs purge` and the control requests accept: a job id or a rejected file's name. */
export function isItemName(name: string): boolean {
  return isValidId(name) || isRejectedName(name);
}

/** A job file in pending/, held/, failed/ or done/<day>/. */
export interface StateName {
  id: string;
  attempts: number;
}

export function stateFileName(id: string, attempts: number): string {
  return attempts > 0 ? `${id}.${attempts}.json` : `${id}.json`;
}

/** The top directory and the file name of a spool-relative path (`done/<day>/<name>` is in done). */
export function entryParts(rel: string): { top: string; name: string } {
  const parts = rel.split('/');
  return { top: parts[0]!, name: parts[parts.length - 1]! };
}

/** Parses `<id>.json` or `<id>.<n>.json`; undefined for anything else (error files, strays). */
export function parseStateName(name: string): StateName | undefined {
  // One spelling per (id, attempts): no ".0", no leading zeros.
  const m = /^([A-Za-z0-9_-]{1,64})(?:\.([1-9]\d{0,5}))?\.json$/.exec(name);
  if (!m) return undefined;
  return { id: m[1]!, attempts: m[2] === undefined ? 0 : Number(m[2]) };
}

export interface ClaimName {
  slot: number;
  id: string;
  attempt: number;
  token: string;
  /** Makes every claim name unique, even for a job requeued with its attempts reset. */
  nonce: string;
}

export function claimFileName(c: Omit<ClaimName, 'slot'>): string {
  return `${c.id}.${c.attempt}.${c.token}.${c.nonce}.json`;
}

export function parseClaimName(slot: number, name: string): ClaimName | undefined {
  const m = /^([A-Za-z0-9_-]{1,64})\.([1-9]\d{0,5})\.([A-Za-z0-9_-]{6,32})\.([A-Za-z0-9_-]{4,32})\.json$/.exec(name);
  if (!m) return undefined;
  return { slot, id: m[1]!, attempt: Number(m[2]), token: m[3]!, nonce: m[4]! };
}

export function resultFileName(c: ClaimName): string {
  return `s${c.slot}.${claimFileName(c)}`;
}

export function parseResultName(name: string): ClaimName | undefined {
  const m = /^s(\d)\.(.+)$/.exec(name);
  if (!m) return undefined;
  const slot = Number(m[1]);
  if (slot < 1 || slot > HARD_SLOT_CAP) return undefined;
  return parseClaimName(slot, m[2]!);
}

/** A worker's journal of starts and results: results/s<slot>.<token>.<n>.jsonl, n counting its files from 1. */
export interface WorkerJournalName {
  slot: number;
  token: string;
  n: number;
}

export function workerJournalFileName(j: WorkerJournalName): string {
  return `s${j.slot}.${j.token}.${j.n}.jsonl`;
}

export function parseWorkerJournalName(name: string): WorkerJournalName | undefined {
  const m = /^s(\d)\.([A-Za-z0-9_-]{6,32})\.([1-9]\d{0,8})\.jsonl$/.exec(name);
  if (!m) return undefined;
  const slot = Number(m[1]);
  if (slot < 1 || slot > HARD_SLOT_CAP) return undefined;
  return { slot, token: m[2]!, n: Number(m[3]) };
}

/**
 * A claim's nonce: its dispatch time (base 36, a fixed 9 digits until the year 5188), then
 * random letters. Names sort in dispatch order, so a worker given two claims runs them in the
 * order the sentinel chose; the random part keeps every name unique.
 */
export function claimNonce(dispatchedAtMs: number, random: string): string {
  return dispatchedAtMs.toString(36).padStart(9, '0') + random;
}

/** When a claim was made, from its nonce; undefined for a name made before nonces carried it. */
export function claimedAtMs(c: ClaimName): number | undefined {
  if (c.nonce.length < 13 || !/^[0-9a-z]{9}/.test(c.nonce)) return undefined;
  return parseInt(c.nonce.slice(0, 9), 36);
}

export function isValidToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export function errorFileFor(stateFile: string): string {
  return `${stateFile.replace(/\.json$/, '')}${ERROR_SUFFIX}`;
}

const LEAVE_NOTE_PREFIX = 'left-';

/** slots/left-<host>-<pid>.json: why a worker left. */
export function leaveNoteName(host: string, pid: number): string {
  return `${LEAVE_NOTE_PREFIX}${host}-${pid}.json`;
}

export function isLeaveNoteName(name: string): boolean {
  return name.startsWith(LEAVE_NOTE_PREFIX) && name.endsWith('.json');
}

/**
 * The slot a name in slots/ belongs to: its heartbeat, drain marker, lock, or that lock broken
 * aside; undefined for leave notes, clock probes and anything else.
 */
export function slotOfSlotsEntry(name: string): number | undefined {
  const m = /^\.?slot-(\d+)\.(?:json|drain|lock)(?:$|\.broken-)/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** control/<request-id>.json */
export function requestFileName(requestId: string): string {
  return `${requestId}.json`;
}

/** The host a name in services/ is the record of; undefined for anything else. */
export function hostOfServicesRecord(name: string): string | undefined {
  return name.endsWith('.json') ? name.slice(0, -'.json'.length) : undefined;
}

const CHAOS_LOG_PREFIX = 'chaos-';

export function chaosLogName(name: string): string {
  return `${CHAOS_LOG_PREFIX}${name}.log`;
}

export function isChaosLogName(name: string): boolean {
  return name.startsWith(CHAOS_LOG_PREFIX);
}

/** rejected/<name> relative to the spool root, as the ledger records a job's file. */
export function rejectedEntry(name: string): string {
  return `rejected/${name}`;
}

/** A name safe to keep in rejected/: the original minus anything that is not plain. */
export function quarantineName(original: string, unique: string): string {
  const plain = original
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 80);
  return `${plain || 'unnamed'}.${unique}`;
}
