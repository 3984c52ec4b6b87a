// Unit tests for job administration's pieces: the age filters and the age histogram over a
// real ledger, why pending jobs wait, durations, and 80-column wrapping.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SlotStatus } from '../../src/api/slots.js';
import type { Status } from '../../src/api/status.js';
import { waitReasons } from '../../src/api/wait-reasons.js';
import { parseDuration } from '../../src/cli/duration.js';
import { labelled } from '../../src/cli/text.js';
import { openDb, type Db } from '../../src/ledger/open.js';
import { ageShape, listJobs, oldestPending, PURGED } from '../../src/ledger/queries.js';
import { LedgerWriter } from '../../src/ledger/writer.js';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spoolctl-admin-'));
  db = openDb(join(dir, 'ledger.db'), { busyTimeoutMs: 50 });
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const NOW = Date.parse('2026-06-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function seed(): void {
  const w = new LedgerWriter(db);
  const jobs = [
    { id: 'p-new', state: 'pending', submitted_at: ago(60) },
    // A producer's created_at may carry an offset: 13:00+02:00 is 11:00Z, an hour before NOW.
    { id: 'p-offset', state: 'pending', submitted_at: '2026-06-01T13:00:00+02:00' },
    { id: 'p-old', state: 'pending', submitted_at: ago(3 * 86400) },
    // Finished jobs age from when they finished, however long ago they were submitted.
    { id: 'd-recent', state: 'done', submitted_at: ago(30 * 86400), finished_at: ago(600) },
    { id: 'd-old', state: 'done', submitted_at: ago(30 * 86400), finished_at: ago(8 * 86400) },
    { id: 'gone', state: PURGED, submitted_at: ago(30 * 86400), finished_at: ago(20 * 86400) },
  ];
  for (const j of jobs) w.record({ type: 'submitted', job: j.id }, { plugin: 'p', ...j });
  w.flush();
  // A finished row's last change is when it finished: the sentinel writes both at once.
  db.prepare('UPDATE jobs SET updated_at = finished_at WHERE finished_at IS NOT NULL').run();
}

describe('ledger age queries', () => {
  it('agedBefore counts from finished_at, else submitted_at, and reads offsets', () => {
    seed();
    const ids = (f: Parameters<typeof listJobs>[1]) =>
      listJobs(db, f)
        .map((j) => j.id)
        .sort();
    expect(ids({ agedBefore: ago(1800) })).toEqual(['d-old', 'gone', 'p-offset', 'p-old']);
    expect(ids({ agedBefore: ago(7 * 86400), states: ['done', 'failed'] })).toEqual(['d-old']);
    expect(ids({ states: ['pending', 'done'] })).toEqual(['d-old', 'd-recent', 'p-new', 'p-offset', 'p-old']);
  });

  it('ageShape buckets every state but purged; oldestPending is the longest waiting', () => {
    seed();
    expect(ageShape(db, NOW, [300, 1800, 7200, 43200, 172800])).toEqual({
      pending: [1, 0, 1, 0, 0, 1],
      done: [0, 1, 0, 0, 0, 1],
      failed: [0, 0, 0, 0, 0, 0],
      cancelled: [0, 0, 0, 0, 0, 0],
      rejected: [0, 0, 0, 0, 0, 0],
    });
    expect(oldestPending(db)?.id).toBe('p-old');
  });
});

/** A slot of `status --json`: a draining live one keeps its idle or busy state. */
function slot(n: number, state: SlotStatus['state'], draining = false): SlotStatus {
  return {
    slot: n,
    state,
    condition: draining && (state === 'idle' || state === 'busy') ? 'draining' : state,
    draining,
    host: null,
    pid: null,
    job: null,
    plugin: null,
    progress: null,
    message: null,
    job_started_at: null,
    beat_age_s: null,
    jobs_done: null,
    jobs_failed: null,
    tags: [],
  };
}

function status(over: { up?: boolean; pending?: number; held?: number; slots: SlotStatus[] }): Status {
  return {
    spool: '/s',
    sentinel: { up: over.up ?? true, host: 'h', pid: 1, started_at: null, beat_age_s: 0, standby: [] },
    counts: { pending: over.pending ?? 3, claimed: 0, done: 0, failed: 0, held: over.held ?? 0, rejected: 0, cancelled: 0, scheduled: 0 },
    dispatch: { paused: null, waiting: [] },
    slots: over.slots,
    max_workers: 4,
    ledger: true,
    refused: [],
  };
}

describe('why pending jobs wait', () => {
  const reasons = (st: Status) => waitReasons(st).map((w) => w.reason);

  it('names a down sentinel and a spool without workers', () => {
    expect(reasons(status({ up: false, slots: [slot(1, 'free'), slot(2, 'stale')] }))).toEqual(['sentinel_down', 'no_live_worker']);
    expect(waitReasons(status({ slots: [slot(1, 'stale')] }))[0]!.message).toContain('slot 1: worker lost');
  });

  it('tells busy slots from draining ones, and says how many more workers could run', () => {
    const busy = waitReasons(status({ slots: [slot(1, 'busy'), slot(2, 'busy'), slot(3, 'free'), slot(4, 'free')] }));
    expect(busy).toEqual([{ reason: 'slots_busy', message: 'all 2 slots taking jobs are busy; 2 more workers could run (max_workers 4)' }]);
    expect(reasons(status({ slots: [slot(1, 'busy', true), slot(2, 'idle', true)] }))).toEqual(['slots_draining']);
    expect(reasons(status({ slots: [slot(1, 'busy'), slot(2, 'idle', true)] }))).toEqual(['slots_draining', 'slots_busy']);
    expect(reasons(status({ slots: [slot(1, 'idle')] }))).toEqual(['dispatching']);
  });

  it('names held jobs, and nothing when no job waits', () => {
    expect(reasons(status({ pending: 0, held: 2, slots: [] }))).toEqual(['held']);
    expect(reasons(status({ pending: 0, slots: [] }))).toEqual([]);
  });
});

describe('command-line helpers', () => {
  it('parseDuration takes a number and a unit, and names the flag otherwise', () => {
    expect(parseDuration('--older-than', '90s')).toBe(90_000);
    expect(parseDuration('--older-than', '30m')).toBe(1_800_000);
    expect(parseDuration('--older-than', '7d')).toBe(604_800_000);
    expect(() => parseDuration('--older-than', '7')).toThrow(/--older-than takes a duration such as 30m/);
    expect(() => parseDuration('--older-than', '1.5h')).toThrow(/got "1.5h"/);
  });

  it('labelled wraps within the width and never splits a `quoted command`', () => {
    const lines = labelled('waiting   ', 'no worker is running: start one with `spoolctl worker` or `spoolctl start-services`', 60);
    expect(lines).toEqual(['waiting   no worker is running: start one with', '          `spoolctl worker` or `spoolctl start-services`']);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
  });

  it('labelled keeps each item of a list whole, as status does with "cancelled 1"', () => {
    const counts = ['pending 0,', 'claimed 0,', 'done 15,', 'failed 2,', 'held 0,', 'rejected 2,', 'cancelled 1'];
    expect(labelled('jobs      ', counts)).toEqual([
      'jobs      pending 0, claimed 0, done 15, failed 2, held 0, rejected 2,',
      '          cancelled 1',
    ]);
  });
});
