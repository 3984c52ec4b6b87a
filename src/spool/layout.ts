/**
 * The only module that knows the spool's directory and file names. Every path the rest of
 * spoolctl touches is built here; every name read from disk is parsed here, and a name that
 * does not parse is reported as such (never guessed at).
 *
 * State files:   pending/<id>[.<n>].json      n = attempts already used (absent = 0)
 *                held/<id>[.<n>].json, failed/ and cancelled/<id>[.<n>].json (+ <name>.error.json)
 *                done/<YYYY-MM-DD>/<id>[.<n>].json
 * Rejected:      rejected/<plain name>.<unique> (+ that name + .error.json), any name at all
 * Claims:        claimed/slot-<s>/<id>.<a>.<token>.<nonce>.json
 *                a = this attempt (n + 1); token = the slot holder's; nonce = unique to the claim
 * Results:       results/s<s>.<claim file name>             one per claim, written by its worker
 */
import { join } from 'node:path';
import { HARD_SLOT_CAP } from '../config/schema.js';

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{6,32}$/;

// `status --json` lists its counts in this order.
export const STATE_DIRS = ['pending', 'claimed', 'done', 'failed', 'held', 'rejected', 'cancelled'] as const;
export type JobState = (typeof STATE_DIRS)[number];

export const ERROR_SUFFIX = '.error.json';

export interface Layout {
  root: string;
  tmp: string;
  pending: string;
  claimed: string;
  done: string;
  failed: string;
  held: string;
  rejected: string;
  cancelled: string;
  results: string;
  control: string;
  acks: string;
  slots: string;
  logs: string;
  plugins: string;
  ledgerDir: string;
  config: string;
  sentinelLockTarget: string;
  sentinelInfo: string;
}

export function layoutOf(root: string): Layout {
  return {
    root,
    tmp: join(root, 'tmp'),
    pending: join(root, 'pending'),
    claimed: join(root, 'claimed'),
    done: join(root, 'done'),
    failed: join(root, 'failed'),
    held: join(root, 'held'),
    rejected: join(root, 'rejected'),
    cancelled: join(root, 'cancelled'),
    results: join(root, 'results'),
    control: join(root, 'control'),
    acks: join(root, 'control', 'acks'),
    slots: join(root, 'slots'),
    logs: join(root, 'logs'),
    plugins: join(root, 'plugins'),
    ledgerDir: join(root, 'ledger'),
    config: join(root, 'spool.toml'),
    sentinelLockTarget: join(root, 'sentinel'),
    sentinelInfo: join(root, 'sentinel.json'),
  };
}

/** Every directory `init` creates, in creation order. */
export function allDirs(l: Layout): string[] {
  const slots = Array.from({ length: HARD_SLOT_CAP }, (_, i) => claimDir(l, i + 1));
  return [
    l.tmp,
    l.pending,
    l.claimed,
    ...slots,
    l.done,
    l.failed,
    l.cancelled,
    l.held,
    l.rejected,
    l.results,
    l.control,
    l.acks,
    l.slots,
    l.logs,
    l.plugins,
    l.ledgerDir,
  ];
}

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

export function claimDir(l: Layout, slot: number): string {
  return join(l.claimed, `slot-${slot}`);
}

export function claimFileName(c: Omit<ClaimName, 'slot'>): string {
  return `${c.id}.${c.attempt}.${c.token}.${c.nonce}.json`;
}

export function claimPath(l: Layout, c: ClaimName): string {
  return join(claimDir(l, c.slot), claimFileName(c));
}

export function parseClaimName(slot: number, name: string): ClaimName | undefined {
  const m = /^([A-Za-z0-9_-]{1,64})\.([1-9]\d{0,5})\.([A-Za-z0-9_-]{6,32})\.([A-Za-z0-9_-]{4,32})\.json$/.exec(name);
  if (!m) return undefined;
  return { slot, id: m[1]!, attempt: Number(m[2]), token: m[3]!, nonce: m[4]! };
}

export function resultFileName(c: ClaimName): string {
  return `s${c.slot}.${claimFileName(c)}`;
}

/** tmp/spent.s<slot>.result: an applied result's file, waiting for the slot's next result. */
export function spentResultPath(l: Layout, slot: number): string {
  return join(l.tmp, `spent.s${slot}.result`);
}

export function parseResultName(name: string): ClaimName | undefined {
  const m = /^s(\d)\.(.+)$/.exec(name);
  if (!m) return undefined;
  const slot = Number(m[1]);
  if (slot < 1 || slot > HARD_SLOT_CAP) return undefined;
  return parseClaimName(slot, m[2]!);
}

export function isValidToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** done/ is partitioned by UTC day so no directory grows without bound. */
export function doneDayDir(l: Layout, when: Date): string {
  return join(l.done, when.toISOString().slice(0, 10));
}

export function errorFileFor(stateFile: string): string {
  return `${stateFile.replace(/\.json$/, '')}${ERROR_SUFFIX}`;
}

export function slotLockTarget(l: Layout, slot: number): string {
  return join(l.slots, `slot-${slot}`);
}

export function heartbeatPath(l: Layout, slot: number): string {
  return join(l.slots, `slot-${slot}.json`);
}

export function drainMarkerPath(l: Layout, slot: number): string {
  return join(l.slots, `slot-${slot}.drain`);
}

export function jobLogPath(l: Layout, id: string): string {
  return join(l.logs, `${id}.log`);
}

export function pluginPath(l: Layout, name: string): string {
  return join(l.plugins, `${name}.json`);
}

export function ackPath(l: Layout, requestId: string): string {
  return join(l.acks, `${requestId}.json`);
}

/** Where the sentinel notes a job request's jobs before it moves them (see spool/control.ts). */
export function intentPath(l: Layout, requestId: string): string {
  return join(l.acks, `${requestId}.intent`);
}

export function defaultLedgerPath(l: Layout): string {
  return join(l.ledgerDir, 'ledger.db');
}

/** Where plugin environments (env_hash) live: worker.envs_dir, else <spool>/envs. */
export function envsDirOf(l: Layout, envsDirSetting: string): string {
  return envsDirSetting || join(l.root, 'envs');
}

/** rejected/<name> relative to the spool root, as the ledger records a job's file. */
export function rejectedEntry(name: string): string {
  return `rejected/${name}`;
}

/** rejected/<name>.error.json: why rejected/<name> was quarantined. */
export function rejectedRecordPath(l: Layout, name: string): string {
  return join(l.rejected, `${name}${ERROR_SUFFIX}`);
}

/** A name safe to keep in rejected/: the original minus anything that is not plain. */
export function quarantineName(original: string, unique: string): string {
  const plain = original
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 80);
  return `${plain || 'unnamed'}.${unique}`;
}
