/**
 * spoolctl's metric families, from the ledger and the slots: the same for `spoolctl metrics`
 * and the sentinel's textfile, so a dashboard reads one set of names (README, "Metrics").
 */
import { statSync } from 'node:fs';
import { countsByState, oldestPending, pendingWaits } from '../ledger/queries.js';
import type { Db } from '../ledger/open.js';
import { STATE_DIRS } from '../spool/layout.js';
import type { SlotCondition, SlotState } from '../slot-state.js';
import { bound, type Family } from './openmetrics.js';
import { DURATION_BOUNDS_S, type LedgerTally } from './tally.js';

const CONDITIONS: readonly SlotCondition[] = ['free', 'idle', 'busy', 'draining', 'stale', 'dead'];

export interface MetricsSource {
  db: Db;
  /** The ledger's file: its size, with its write-ahead log, is the ledger's size. */
  ledgerPath: string;
  tally: LedgerTally;
  slots: readonly SlotState[];
  sentinelUp: boolean;
  version: string;
  nowMs: number;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function metricFamilies(m: MetricsSource): Family[] {
  m.tally.update(m.db);
  const counts = countsByState(m.db);
  const nowIso = new Date(m.nowMs).toISOString();
  const oldest = oldestPending(m.db);
  const oldestAt = oldest ? Date.parse(oldest.submitted_at ?? oldest.updated_at) : m.nowMs;
  const plugins = [...new Set([...m.tally.outcomes.keys(), ...m.tally.durations.keys()])].sort();
  const counter = (name: string, help: string, type: 'done' | 'failed' | 'retried'): Family => ({
    name,
    type: 'counter',
    help,
    samples: plugins.map((plugin) => ({ suffix: '_total', labels: { plugin }, value: m.tally.outcomes.get(plugin)?.[type] ?? 0 })),
  });
  return [
    {
      name: 'spoolctl_build',
      type: 'info',
      help: 'the spoolctl version that wrote these metrics',
      samples: [{ suffix: '_info', labels: { version: m.version }, value: 1 }],
    },
    {
      name: 'spoolctl_jobs',
      type: 'gauge',
      help: 'jobs by state, as the ledger has them',
      samples: STATE_DIRS.map((state) => ({ labels: { state }, value: counts[state] ?? 0 })),
    },
    {
      name: 'spoolctl_jobs_scheduled',
      type: 'gauge',
      help: 'pending jobs waiting for a time (not_before or a retry backoff)',
      samples: [{ value: pendingWaits(m.db, nowIso).scheduled.jobs }],
    },
    {
      name: 'spoolctl_oldest_pending_age_seconds',
      type: 'gauge',
      unit: 'seconds',
      help: 'how long the oldest pending job has waited since it was submitted; 0 when none is pending',
      samples: [{ value: Math.max(0, (m.nowMs - oldestAt) / 1000) }],
    },
    counter('spoolctl_jobs_completed', 'jobs done, by plugin', 'done'),
    counter('spoolctl_jobs_failed', 'jobs failed for good (no attempt left, or a permanent failure), by plugin', 'failed'),
    counter('spoolctl_attempts_retried', 'attempts that failed and left the job to run again, by plugin', 'retried'),
    durationHistogram(m.tally, plugins),
    {
      name: 'spoolctl_slots',
      type: 'gauge',
      help: 'worker slots by condition (free, idle, busy, draining, stale, dead)',
      samples: CONDITIONS.map((condition) => ({ labels: { condition }, value: m.slots.filter((x) => x.condition === condition).length })),
    },
    {
      name: 'spoolctl_sentinel_up',
      type: 'gauge',
      help: '1 while the sentinel runs and holds its lock',
      samples: [{ value: m.sentinelUp ? 1 : 0 }],
    },
    {
      name: 'spoolctl_ledger_size_bytes',
      type: 'gauge',
      unit: 'bytes',
      help: "the ledger's file and its write-ahead log",
      samples: [{ value: fileSize(m.ledgerPath) + fileSize(`${m.ledgerPath}-wal`) }],
    },
    {
      name: 'spoolctl_ledger_events',
      type: 'counter',
      help: 'events in the audit ledger',
      samples: [{ suffix: '_total', value: m.tally.seq }],
    },
  ];
}

function durationHistogram(tally: LedgerTally, plugins: readonly string[]): Family {
  const bounds = [...DURATION_BOUNDS_S, Number.POSITIVE_INFINITY];
  return {
    name: 'spoolctl_attempt_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'how long attempts ran, from their claim to their result (done, failed or retried), by plugin',
    samples: plugins.flatMap((plugin) => {
      const d = tally.durations.get(plugin) ?? { buckets: bounds.map(() => 0), count: 0, sum_s: 0 };
      let below = 0;
      return [
        ...bounds.map((le, i) => ({ suffix: '_bucket', labels: { plugin, le: bound(le) }, value: (below += d.buckets[i]!) })),
        { suffix: '_count', labels: { plugin }, value: d.count },
        { suffix: '_sum', labels: { plugin }, value: d.sum_s },
      ];
    }),
  };
}
