/**
 * `jobs list` on a spool without a ledger (no sentinel has run yet, or the ledger lives on
 * another host's disk): the job files its directories hold, read as the sentinel would
 * admit them. done/ is left out, as in `status`: it is partitioned by day and may be huge.
 */
import { statSync } from 'node:fs';
import type { JobSort } from '../ledger/queries.js';
import { allSlotNumbers, listClaims, listStateDir } from '../spool/scan.js';
import { claimPath, rejectedEntry, relativeToSpool, spoolPath, type JobState } from '../spool/layout.js';
import { listRejected } from '../spool/rejected.js';
import { inputOf, manifestOf, type JobListing, type JobQuery } from './jobs.js';
import type { Spool } from './spool.js';

/** The directories read, in the order listed. */
const DIRS = ['pending', 'claimed', 'held', 'failed', 'cancelled', 'rejected'] as const satisfies readonly JobState[];

interface Found {
  state: JobState;
  /** Spool-relative. */
  file: string;
  id?: string;
  attempts: number;
  slot: number | null;
}

function found(s: Spool, state: JobState): Found[] {
  if (state === 'rejected')
    return listRejected(s.l).map((name) => ({ state, file: rejectedEntry(name), id: name, attempts: 0, slot: null }));
  if (state === 'claimed')
    return allSlotNumbers().flatMap((slot) =>
      listClaims(s.l, slot).claims.map((c) => ({
        state,
        file: relativeToSpool(s.l, claimPath(s.l, c)),
        id: c.id,
        attempts: c.attempt,
        slot,
      })),
    );
  const { jobs, strays } = listStateDir(s.l[state]);
  // A producer may name its file as it likes: the manifest's id is the job's, else the name.
  return [
    ...jobs.map((j) => ({ state, file: `${state}/${j.name}`, id: j.id, attempts: j.attempts, slot: null })),
    ...(state === 'pending' ? strays.map((name) => ({ state, file: `${state}/${name}`, attempts: 0, slot: null })) : []),
  ];
}

function listing(s: Spool, f: Found): JobListing {
  const m = manifestOf(s, f.file);
  let mtime: string;
  try {
    mtime = statSync(spoolPath(s.l, f.file)).mtime.toISOString();
  } catch {
    mtime = new Date(0).toISOString();
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    id: f.id ?? str(m?.id) ?? f.file.slice(f.file.indexOf('/') + 1),
    state: f.state,
    plugin: str(m?.plugin),
    priority: typeof m?.priority === 'number' ? m.priority : 0,
    attempts: f.attempts,
    max_attempts: typeof m?.max_attempts === 'number' ? m.max_attempts : null,
    slot: f.slot,
    file: f.file,
    progress: null,
    message: null,
    last_error: null,
    submitted_at: str(m?.created_at) ?? mtime,
    updated_at: mtime,
    finished_at: null,
    not_before: str(m?.not_before),
    retry_at: null,
    waiting: null,
    started_at: null,
    duration_s: null,
    input: inputOf(m),
  };
}

const BY: Record<JobSort, (a: JobListing, b: JobListing) => number> = {
  age: (a, b) => Date.parse(a.submitted_at ?? '') - Date.parse(b.submitted_at ?? ''),
  priority: (a, b) => b.priority - a.priority,
  plugin: (a, b) => (a.plugin ?? '').localeCompare(b.plugin ?? ''),
  state: (a, b) => a.state.localeCompare(b.state),
  attempts: (a, b) => b.attempts - a.attempts,
  duration: () => 0,
};

export function jobsFromFiles(s: Spool, q: JobQuery, now: number): { jobs: JobListing[]; fromFiles: readonly string[] } {
  const wanted = q.state === 'scheduled' ? ['pending'] : q.state ? [q.state] : (q.states ?? DIRS);
  const dirs = DIRS.filter((d) => wanted.includes(d));
  const nowIso = new Date(now).toISOString();
  const jobs = dirs
    .flatMap((d) => found(s, d))
    .map((f) => listing(s, f))
    .filter(
      (j) =>
        (q.plugin === undefined || j.plugin === q.plugin) &&
        (q.grep === undefined || [j.id, j.plugin ?? ''].some((t) => t.includes(q.grep!))) &&
        (q.since === undefined || j.updated_at >= q.since) &&
        (q.olderThanMs === undefined || Date.parse(j.updated_at) < now - q.olderThanMs) &&
        (q.state !== 'scheduled' || (j.not_before ?? '') > nowIso),
    );
  const by = BY[q.sort ?? 'age'];
  jobs.sort((a, b) => (q.reverse ? -1 : 1) * by(a, b) || a.id.localeCompare(b.id));
  return { jobs: q.limit === undefined ? jobs : jobs.slice(0, q.limit), fromFiles: dirs.map((d) => `${d}/`) };
}
