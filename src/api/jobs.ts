/** Job queries for `jobs list`, `jobs show` and the TUI. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { getJob, jobEvents, listJobs, type JobFilter, type JobRow } from '../ledger/queries.js';
import { isValidId, jobLogPath, STATE_DIRS } from '../spool/layout.js';
import { readJsonFile } from '../spool/manifest.js';
import { requireLedger, type Spool } from './spool.js';

export type JobSummary = Omit<JobRow, 'file'> & { file: string | null };

export interface JobEvent {
  seq: number;
  type: string;
  at: string;
  slot: number | null;
  attempt: number | null;
  actor: string | null;
  [key: string]: unknown;
}

export interface JobDetail extends JobSummary {
  manifest: unknown;
  events: JobEvent[];
  log_tail: string | null;
}

export function queryJobs(s: Spool, f: JobFilter): JobSummary[] {
  if (f.state && !(STATE_DIRS as readonly string[]).includes(f.state)) {
    throw new UsageError(`Unknown state "${f.state}": use one of ${STATE_DIRS.join(', ')}.`);
  }
  const db = requireLedger(s);
  try {
    return listJobs(db, f);
  } finally {
    db.close();
  }
}

function readTail(path: string, bytes: number): string | null {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(-bytes);
  } catch {
    return null;
  }
}

export function showJob(s: Spool, id: string, logBytes = 4096): JobDetail {
  if (!isValidId(id)) throw new UsageError(`"${id}" is not a job id (1-64 letters, digits, "_" or "-").`);
  const db = requireLedger(s);
  try {
    const row = getJob(db, id);
    if (!row) throw new UsageError(`No job "${id}" in the ledger of ${s.l.root}.`);
    const events = jobEvents(db, id).map((e) => ({
      seq: e.seq,
      type: e.type,
      at: e.at,
      slot: e.slot,
      attempt: e.attempt,
      actor: e.actor,
      ...(JSON.parse(e.detail) as Record<string, unknown>),
    }));
    let manifest: unknown = null;
    if (row.file) {
      try {
        // The file may be a quarantined hostile one (a FIFO, a link, a huge or deep document).
        manifest = readJsonFile(join(s.l.root, row.file), s.loaded.config.jobs.max_manifest_bytes);
      } catch {
        manifest = null;
      }
    }
    return { ...row, manifest, events, log_tail: readTail(jobLogPath(s.l, id), logBytes) };
  } finally {
    db.close();
  }
}
