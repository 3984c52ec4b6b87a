/**
 * Every configuration key, its type, default and limits. The loader rejects anything
 * not listed here, so a typo in spool.toml is an error instead of a silent default.
 */

export type KeyType = 'integer' | 'string' | 'boolean';

export interface KeySpec {
  type: KeyType;
  default: number | string | boolean;
  min?: number;
  max?: number;
  doc: string;
}

/** Slots are numbered 1..HARD_SLOT_CAP; the cap is a product rule, not a setting. */
export const HARD_SLOT_CAP = 8;

export const CONFIG_SCHEMA = {
  sentinel: {
    scan_interval_ms: {
      type: 'integer',
      default: 1000,
      min: 20,
      max: 600_000,
      doc: 'full readdir of pending/, claimed/, results/ and control/ (watchers only hint)',
    },
    claims_per_slot: {
      type: 'integer',
      default: 2,
      min: 1,
      max: 4,
      doc: 'claims a slot may hold: one running, the rest queued so its worker never waits for the sentinel between jobs; 1 claims only for a free slot',
    },
    queue_behind_ms: {
      type: 'integer',
      default: 1000,
      min: 0,
      max: 3_600_000,
      doc: "a claim is queued in a busy slot only behind jobs claimed less than this ago whose plugin's last 8 attempts each took less; a worker gives back what is queued behind a job that runs longer; 0 never queues",
    },
    tmp_max_age_s: { type: 'integer', default: 3600, min: 60, max: 30 * 86400, doc: 'files left in tmp/ longer than this are removed' },
    ack_max_age_s: {
      type: 'integer',
      default: 3600,
      min: 10,
      max: 30 * 86400,
      doc: 'control acknowledgements nobody collected are removed after this',
    },
  },
  worker: {
    max_workers: { type: 'integer', default: 4, min: 1, max: HARD_SLOT_CAP, doc: 'slots in use (hard cap 8)' },
    heartbeat_ms: { type: 'integer', default: 1000, min: 50, max: 60_000, doc: 'how often a worker refreshes its heartbeat' },
    stale_after_ms: {
      type: 'integer',
      default: 10_000,
      min: 200,
      max: 3_600_000,
      doc: 'a heartbeat older than this (by the file server clock) marks the worker lost',
    },
    stop_timeout_ms: {
      type: 'integer',
      default: 30_000,
      min: 0,
      max: 3_600_000,
      doc: 'on SIGTERM, how long a running job may finish before it is handed back',
    },
    kill_grace_ms: { type: 'integer', default: 3000, min: 0, max: 600_000, doc: 'between SIGTERM and SIGKILL of a plugin process group' },
    log_max_bytes: {
      type: 'integer',
      default: 1_048_576,
      min: 1024,
      max: 1 << 30,
      doc: 'per-attempt job log cap; beyond it only the tail is kept',
    },
    envs_dir: { type: 'string', default: '', doc: 'where plugin environments (env_hash) are installed; empty = <spool>/envs' },
    run_as: { type: 'string', default: '', doc: 'user that plugins run as when the worker runs as root (empty: a root worker warns)' },
    max_jobs: {
      type: 'integer',
      default: 0,
      min: 0,
      max: 1_000_000_000,
      doc: 'a worker is recycled (exits after its job, and is replaced) after this many jobs; 0 = never',
    },
    max_age_s: { type: 'integer', default: 0, min: 0, max: 365 * 86400, doc: 'a worker is recycled after running this long; 0 = never' },
    tags: {
      type: 'string',
      default: '',
      doc: 'comma-separated tags this host\'s workers advertise (e.g. "gpu,big-disk"); jobs that require a tag go only to workers that have it',
    },
    max_rss_mb: {
      type: 'integer',
      default: 0,
      min: 0,
      max: 1 << 20,
      doc: 'a worker is recycled after a job whose plugin process tree grew past this resident size; 0 = never',
    },
  },
  services: {
    workers: { type: 'integer', default: 4, min: 1, max: HARD_SLOT_CAP, doc: 'workers that start-services and run start on this host' },
    restart_backoff_ms: {
      type: 'integer',
      default: 1000,
      min: 10,
      max: 600_000,
      doc: 'first delay before the supervisor restarts a crashed worker; doubles on each crash',
    },
    max_restarts: {
      type: 'integer',
      default: 5,
      min: 1,
      max: 1000,
      doc: 'crashes of one slot within services.restart_window_s after which the supervisor gives up on it',
    },
    restart_window_s: { type: 'integer', default: 300, min: 1, max: 86400, doc: 'the window in which crashes are counted' },
    stop_timeout_ms: {
      type: 'integer',
      default: 60_000,
      min: 0,
      max: 3_600_000,
      doc: 'stop-services waits this long for a graceful stop, then kills',
    },
  },
  jobs: {
    max_attempts: { type: 'integer', default: 3, min: 1, max: 1000, doc: 'attempts before a job goes to failed/' },
    retry_backoff_ms: {
      type: 'integer',
      default: 10_000,
      min: 0,
      max: 86_400_000,
      doc: 'wait after a failed attempt before the next (a plugin may set its own); doubles per attempt, with jitter',
    },
    retry_backoff_max_ms: {
      type: 'integer',
      default: 600_000,
      min: 0,
      max: 7 * 86_400_000,
      doc: 'the longest wait between attempts',
    },
    max_manifest_bytes: {
      type: 'integer',
      default: 1_048_576,
      min: 256,
      max: 64 << 20,
      doc: 'larger manifests are rejected without being read',
    },
  },
  ledger: {
    path: { type: 'string', default: '', doc: 'ledger database file; empty = <spool>/ledger/ledger.db' },
    busy_timeout_ms: {
      type: 'integer',
      default: 5000,
      min: 0,
      max: 600_000,
      doc: 'how long to wait for a ledger locked by another process',
    },
  },
  journal: {
    enabled: {
      type: 'boolean',
      default: true,
      doc: "the sentinel appends every ledger event to journal/ on the share, so the history outlives the sentinel's host",
    },
    keep_days: {
      type: 'integer',
      default: 0,
      min: 0,
      max: 100 * 365,
      doc: 'journal day files older than this many days are removed; 0 = kept forever',
    },
  },
  metrics: {
    textfile_dir: {
      type: 'string',
      default: '',
      doc: "the sentinel writes its metrics there (OpenMetrics text, for node_exporter's textfile collector); empty = not written",
    },
    textfile_name: {
      type: 'string',
      default: 'spoolctl.prom',
      doc: 'the file name in textfile_dir: one per spool when a host runs several',
    },
    interval_s: { type: 'integer', default: 15, min: 1, max: 3600, doc: 'how often the sentinel rewrites the metrics file' },
  },
  tui: {
    spools: {
      type: 'string',
      default: '',
      doc: 'comma-separated spool directories `spoolctl tui` shows together when given no --spool (read from the user and system files, the environment and --set)',
    },
  },
} as const satisfies Record<string, Record<string, KeySpec>>;

type Schema = typeof CONFIG_SCHEMA;
type ValueOf<S extends KeySpec> = S['type'] extends 'integer' ? number : S['type'] extends 'boolean' ? boolean : string;

export type Config = {
  [S in keyof Schema]: { [K in keyof Schema[S]]: Schema[S][K] extends KeySpec ? ValueOf<Schema[S][K]> : never };
};
