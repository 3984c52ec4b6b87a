/**
 * The only module that builds a path inside the spool: every directory and file spoolctl
 * touches is placed here, from the names ./names.ts forms and parses (a name that does not
 * parse is reported as such, never guessed at). Its names are re-exported, so that one
 * import gives a caller the whole layout.
 *
 * State files:   pending/<id>[.<n>].json      n = attempts already used (absent = 0)
 *                held/<id>[.<n>].json, failed/ and cancelled/<id>[.<n>].json (+ <name>.error.json)
 *                done/<YYYY-MM-DD>/<id>[.<n>].json
 * Rejected:      rejected/<plain name>.<unique> (+ that name + .error.json), any name at all
 * Claims:        claimed/slot-<s>/<id>.<a>.<token>.<nonce>.json
 *                a = this attempt (n + 1); token = the slot holder's; nonce = unique to the claim
 * Results:       results/s<s>.<token>.<n>.jsonl             a worker's journal: a line as each claim starts and ends
 *                results/s<s>.<claim file name>             one per claim, from workers that keep no journal
 * Logs:          logs/<id>.log; logs/run/<host>/ and logs/services/<host>/ (<process>.log);
 *                logs/chaos-<process>.log and logs/attempts/ (chaos runs)
 * Services:      services/<host>.json
 * Journal:       journal/<YYYY-MM-DD>.jsonl                the ledger's events, hash-chained, one file per UTC day
 */
import { join, relative } from 'node:path';
import { HARD_SLOT_CAP } from '../config/schema.js';
import { chaosLogName, claimFileName, ERROR_SUFFIX, workerJournalFileName, type ClaimName, type WorkerJournalName } from './names.js';

export * from './names.js';

// `status --json` lists its counts in this order.
export const STATE_DIRS = ['pending', 'claimed', 'done', 'failed', 'held', 'rejected', 'cancelled'] as const;
export type JobState = (typeof STATE_DIRS)[number];

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
  journal: string;
  config: string;
  sentinelLockTarget: string;
  sentinelInfo: string;
  paused: string;
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
    journal: join(root, 'journal'),
    config: join(root, 'spool.toml'),
    sentinelLockTarget: join(root, 'sentinel'),
    sentinelInfo: join(root, 'sentinel.json'),
    paused: join(root, 'paused.json'),
  };
}

/** A job state whose directory holds job files by name, without subdirectories. */
export type FlatState = Exclude<JobState, 'claimed' | 'done'>;

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
    l.journal,
  ];
}

/** `name` in pending/, held/, failed/, cancelled/ or rejected/. */
export function statePath(l: Layout, state: FlatState, name: string): string {
  return join(l[state], name);
}

/** A path inside the spool as the ledger records a job's file: relative to the spool's root. */
export function relativeToSpool(l: Layout, path: string): string {
  return relative(l.root, path);
}

/** Where a file the ledger records (relative to the spool's root) is. */
export function spoolPath(l: Layout, rel: string): string {
  return join(l.root, rel);
}

/**
 * A name in one of the layout's directories, which layoutOf made whole and normal. The
 * workers and the sentinel build these paths several times a second while idle: path.join
 * that often gets V8 to optimise Node's path code, which holds 3 to 4 MB of every process.
 */
function under(dir: string, name: string): string {
  return `${dir}/${name}`;
}

export function claimDir(l: Layout, slot: number): string {
  return under(l.claimed, `slot-${slot}`);
}

export function claimPath(l: Layout, c: ClaimName): string {
  return under(claimDir(l, c.slot), claimFileName(c));
}

export function resultPath(l: Layout, name: string): string {
  return join(l.results, name);
}

export function workerJournalPath(l: Layout, j: WorkerJournalName): string {
  return under(l.results, workerJournalFileName(j));
}

/** done/ is partitioned by UTC day so no directory grows without bound. */
export function doneDayDir(l: Layout, when: Date): string {
  return doneDayPath(l, when.toISOString().slice(0, 10));
}

/** done/<day>, for a day partition's name as listed. */
export function doneDayPath(l: Layout, day: string): string {
  return join(l.done, day);
}

export function slotLockTarget(l: Layout, slot: number): string {
  return under(l.slots, `slot-${slot}`);
}

export function heartbeatPath(l: Layout, slot: number): string {
  return under(l.slots, `slot-${slot}.json`);
}

export function drainMarkerPath(l: Layout, slot: number): string {
  return under(l.slots, `slot-${slot}.drain`);
}

export function leaveNotePath(l: Layout, name: string): string {
  return join(l.slots, name);
}

export function requestPath(l: Layout, name: string): string {
  return join(l.control, name);
}

export function tmpPath(l: Layout, name: string): string {
  return join(l.tmp, name);
}

export function jobLogPath(l: Layout, id: string): string {
  return join(l.logs, `${id}.log`);
}

/** `<process>.log` in one of the log directories below (or logs/ itself, for the demo's processes). */
export function processLogPath(dir: string, name: string): string {
  return join(dir, `${name}.log`);
}

/** logs/run/<host>/: the processes `spoolctl run` started on that host. */
export function runLogDir(l: Layout, host: string): string {
  return join(l.logs, 'run', host);
}

/** logs/services/<host>/: the processes of `start-services` on that host. */
export function servicesLogDir(l: Layout, host: string): string {
  return join(l.logs, 'services', host);
}

/** services/: one record per host of what its `start-services` supervisor runs. */
export function servicesDir(l: Layout): string {
  return join(l.root, 'services');
}

export function servicesRecordPath(l: Layout, host: string): string {
  return join(servicesDir(l), `${host}.json`);
}

const STANDBY_PREFIX = 'sentinel-standby-';

/** sentinel-standby-<host>.json: a standby sentinel waiting on that host. */
export function standbyInfoPath(l: Layout, host: string): string {
  return join(l.root, `${STANDBY_PREFIX}${encodeURIComponent(host)}.json`);
}

export function isStandbyInfoName(name: string): boolean {
  return name.startsWith(STANDBY_PREFIX) && name.endsWith('.json');
}

/** logs/chaos-<process>.log: a process of a chaos run. */
export function chaosLogPath(l: Layout, name: string): string {
  return join(l.logs, chaosLogName(name));
}

export function logsPath(l: Layout, name: string): string {
  return join(l.logs, name);
}

/** logs/attempts/: where a chaos run's plugin records each attempt it runs. */
export function chaosAttemptsDir(l: Layout): string {
  return join(l.logs, 'attempts');
}

/** Marks a spool made by `spoolctl demo`, which the next demo run may remove. */
export function demoMarkerPath(l: Layout): string {
  return join(l.root, '.spoolctl-demo');
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

const JOURNAL_DAY = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** journal/<day>.jsonl: the journal's lines of events whose `at` falls on that UTC day. */
export function journalDayPath(l: Layout, day: string): string {
  return join(l.journal, `${day}.jsonl`);
}

/** The UTC day a journal file holds, or undefined for any other name (a file set aside, a stray). */
export function journalDayOf(name: string): string | undefined {
  return JOURNAL_DAY.exec(name)?.[1];
}

/** journal/<day>.jsonl.set-aside-<stamp>: a day file `ledger rebuild` could not replay, kept for whoever investigates. */
export function journalAsidePath(l: Layout, day: string, stamp: string): string {
  return join(l.journal, `${day}.jsonl.set-aside-${stamp}`);
}

/** Where plugin environments (env_hash) live: worker.envs_dir, else <spool>/envs. */
export function envsDirOf(l: Layout, envsDirSetting: string): string {
  return envsDirSetting || join(l.root, 'envs');
}

/** rejected/<name>.error.json: why rejected/<name> was quarantined. */
export function rejectedRecordPath(l: Layout, name: string): string {
  return join(l.rejected, `${name}${ERROR_SUFFIX}`);
}
