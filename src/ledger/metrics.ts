/**
 * The ledger's part of `spoolctl metrics`: counts of outcomes and attempt durations, read
 * from events after a seq so the sentinel, which rewrites its metrics file every few seconds,
 * reads each event once (the events table only grows).
 */
import type { Db } from './open.js';

/** The event types counted: a job done, a job failed for good, an attempt failed and retried. */
export const COUNTED = ['done', 'failed', 'retried'] as const;
export type Counted = (typeof COUNTED)[number];

export interface OutcomeCount {
  plugin: string;
  type: Counted;
  n: number;
}

/** Attempts that ended after `afterSeq`, per plugin and bucket: bucket i holds durations up to bounds[i] seconds, the last the rest. */
export interface DurationCount {
  plugin: string;
  bucket: number;
  n: number;
  sum_s: number;
}

const TYPES = COUNTED.map((t) => `'${t}'`).join(', ');

export function lastSeq(db: Db): number {
  return (db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck().get() as number) ?? 0;
}

export function outcomesAfter(db: Db, afterSeq: number, uptoSeq: number): OutcomeCount[] {
  return db
    .prepare(
      `SELECT coalesce(j.plugin, '') AS plugin, e.type AS type, count(*) AS n FROM events e LEFT JOIN jobs j ON j.id = e.job
       WHERE e.seq > @after AND e.seq <= @upto AND e.type IN (${TYPES}) GROUP BY 1, 2`,
    )
    .all({ after: afterSeq, upto: uptoSeq }) as OutcomeCount[];
}

/**
 * An attempt runs from its job's latest `claimed` event before its end: a claim taken back
 * from a lost worker may be claimed again under the same attempt number.
 */
export function durationsAfter(db: Db, afterSeq: number, uptoSeq: number, boundsS: readonly number[]): DurationCount[] {
  const bucket = `CASE ${boundsS.map((b, i) => `WHEN d <= ${Number(b)} THEN ${i}`).join(' ')} ELSE ${boundsS.length} END`;
  return db
    .prepare(
      `SELECT plugin, ${bucket} AS bucket, count(*) AS n, sum(d) AS sum_s FROM (
         SELECT coalesce(j.plugin, '') AS plugin, max(0, (julianday(e.at) - julianday(c.at)) * 86400) AS d
         FROM events e
         JOIN events c ON c.seq = (SELECT max(seq) FROM events WHERE job = e.job AND type = 'claimed' AND seq < e.seq)
         LEFT JOIN jobs j ON j.id = e.job
         WHERE e.seq > @after AND e.seq <= @upto AND e.type IN (${TYPES}) AND e.attempt IS NOT NULL
       ) GROUP BY plugin, bucket`,
    )
    .all({ after: afterSeq, upto: uptoSeq }) as DurationCount[];
}
