// Unit tests for the ledger: a real SQLite file in a temp directory, written through
// LedgerWriter, checked with verifyChain and read back through the queries.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashEvent, type EventRow } from '../../src/chain/event.js';
import { openDb, type Db } from '../../src/ledger/open.js';
import {
  allJobsBrief,
  claimSettled,
  countsByState,
  eventCount,
  getJob,
  jobEvents,
  listJobs,
  slotRows,
  tailEvents,
} from '../../src/ledger/queries.js';
import { verifyChain } from '../../src/ledger/verify.js';
import { LedgerWriter } from '../../src/ledger/writer.js';

let dir: string;
let dbPath: string;
const open: Database.Database[] = [];

function openLedger(opts: Partial<Parameters<typeof openDb>[1]> = {}): Db {
  const db = openDb(dbPath, { busyTimeoutMs: 50, ...opts });
  open.push(db);
  return db;
}

function rawConnection(): Database.Database {
  const db = new Database(dbPath);
  db.pragma('busy_timeout = 50');
  open.push(db);
  return db;
}

function events(db: Db): EventRow[] {
  return db.prepare('SELECT * FROM events ORDER BY seq').all() as EventRow[];
}

/** Writes n submitted events for jobs j1..jn in one flush. */
function writeEvents(db: Db, n: number): LedgerWriter {
  const w = new LedgerWriter(db);
  for (let i = 1; i <= n; i++) w.record({ type: 'submitted', job: `j${i}`, actor: 'producer', detail: { i } });
  expect(w.flush()).toBe(n);
  return w;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spoolctl-ledger-'));
  // A directory that does not exist yet: openDb creates it.
  dbPath = join(dir, 'ledger', 'ledger.db');
});

afterEach(() => {
  for (const db of open.splice(0)) {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    } catch {
      // already closed
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('openDb', () => {
  it('creates the schema, WAL by default, and can be re-opened', () => {
    const db = openLedger();
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
      (r) => r.name,
    );
    expect(tables).toEqual(['events', 'jobs', 'meta', 'slots']);
    writeEvents(db, 2);
    db.close();
    const again = openLedger();
    expect(eventCount(again)).toBe(2);
    expect(verifyChain(again).ok).toBe(true);
  });

  it('uses the DELETE journal when asked', () => {
    const db = openLedger({ journal: 'delete' });
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
  });

  it("caps the page cache when asked, and leaves better-sqlite3's 16 MB otherwise", () => {
    expect(openLedger({ cacheKib: 2000 }).pragma('cache_size', { simple: true })).toBe(-2000);
    expect(openLedger().pragma('cache_size', { simple: true })).toBe(-16000);
  });

  it('opens read-only an existing ledger and refuses writes there', () => {
    writeEvents(openLedger(), 1);
    const ro = openLedger({ readonly: true });
    expect(eventCount(ro)).toBe(1);
    expect(() => ro.prepare("INSERT INTO meta (key, value) VALUES ('x', 'y')").run()).toThrow(/readonly/);
  });

  it('refuses to open read-only a ledger that does not exist', () => {
    expect(() => openLedger({ readonly: true })).toThrow();
  });
});

describe('LedgerWriter and verifyChain', () => {
  it('writes a hash chain that verifies', () => {
    const db = openLedger();
    const w = new LedgerWriter(db);
    expect(w.flush()).toBe(0);
    w.record({ type: 'sentinel_started', actor: 'host:1' });
    w.record({ type: 'submitted', job: 'a', actor: 'producer', detail: { plugin: 'echo' } }, { id: 'a', state: 'pending', plugin: 'echo' });
    w.record(
      { type: 'claimed', job: 'a', slot: 2, attempt: 1, detail: { claim: 'a.1.tokenx.nonce.json' } },
      { id: 'a', state: 'claimed', slot: 2, attempts: 1 },
    );
    expect(w.buffered).toBe(5);
    expect(w.flush()).toBe(5);
    expect(w.buffered).toBe(0);

    const rows = events(db);
    expect(rows.map((r) => [r.seq, r.type, r.job, r.slot, r.attempt])).toEqual([
      [1, 'sentinel_started', null, null, null],
      [2, 'submitted', 'a', null, null],
      [3, 'claimed', 'a', 2, 1],
    ]);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    expect(rows[0]!.detail).toBe('{}');
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    expect(rows[2]!.prev_hash).toBe(rows[1]!.hash);
    for (const r of rows) expect(hashEvent(r)).toBe(r.hash);
    const head = db.prepare("SELECT value FROM meta WHERE key = 'head'").get() as { value: string };
    expect(head.value).toBe(`3:${rows[2]!.hash}`);

    expect(verifyChain(db)).toEqual({ events: 3, ok: true, problems: [] });
  });

  it('continues the chain across flushes and across writers', () => {
    const db = openLedger();
    writeEvents(db, 2);
    const w2 = new LedgerWriter(db);
    w2.record({ type: 'worker_joined', slot: 1 });
    w2.flush();
    w2.record({ type: 'worker_left', slot: 1 });
    w2.flush();
    expect(events(db).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(verifyChain(db)).toEqual({ events: 4, ok: true, problems: [] });
  });

  it('an empty ledger verifies', () => {
    expect(verifyChain(openLedger())).toEqual({ events: 0, ok: true, problems: [] });
  });

  it('refuses UPDATE and DELETE on events through triggers', () => {
    const db = openLedger();
    writeEvents(db, 3);
    expect(() => db.prepare("UPDATE events SET detail = '{}' WHERE seq = 2").run()).toThrow('the ledger events table is append-only');
    expect(() => db.prepare('DELETE FROM events WHERE seq = 3').run()).toThrow('the ledger events table is append-only');
    expect(() => db.prepare('DELETE FROM events').run()).toThrow('the ledger events table is append-only');
    expect(eventCount(db)).toBe(3);
    expect(verifyChain(db).ok).toBe(true);
  });

  it('names exactly the edited row after the update trigger is dropped', () => {
    const db = openLedger();
    writeEvents(db, 5);
    const raw = rawConnection();
    raw.exec('DROP TRIGGER events_append_only_update');
    raw.prepare('UPDATE events SET detail = ? WHERE seq = 3').run('{"i":333}');
    const report = verifyChain(db);
    expect(report.ok).toBe(false);
    expect(report.events).toBe(5);
    expect(report.problems).toEqual([{ seq: 3, problem: 'contents do not match its hash (the row was edited)' }]);
  });

  it('names the row after an edited row whose hash was recomputed', () => {
    const db = openLedger();
    writeEvents(db, 4);
    db.exec('DROP TRIGGER events_append_only_update');
    const row = events(db)[1]!;
    const forged = { ...row, detail: '{"i":99}' };
    db.prepare('UPDATE events SET detail = ?, hash = ? WHERE seq = 2').run(forged.detail, hashEvent(forged));
    const report = verifyChain(db);
    expect(report.problems.map((p) => p.seq)).toEqual([3]);
    expect(report.problems[0]!.problem).toContain('prev_hash does not match');
  });

  it('reports rows removed from the end through the recorded head', () => {
    const db = openLedger();
    writeEvents(db, 5);
    db.exec('DROP TRIGGER events_append_only_delete');
    db.prepare('DELETE FROM events WHERE seq > 3').run();
    const report = verifyChain(db);
    expect(report.ok).toBe(false);
    expect(report.events).toBe(3);
    expect(report.problems).toEqual([
      { seq: 5, problem: 'the chain ends at row 3 but the recorded head is row 5 (rows were removed from the end)' },
    ]);
  });

  it('reports every event removed', () => {
    const db = openLedger();
    writeEvents(db, 2);
    db.exec('DROP TRIGGER events_append_only_delete');
    db.prepare('DELETE FROM events').run();
    const report = verifyChain(db);
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]!.seq).toBe(2);
    expect(report.problems[0]!.problem).toContain('the chain ends at row 0');
  });

  it('reports a row removed from the middle at the row after the gap', () => {
    const db = openLedger();
    writeEvents(db, 5);
    db.exec('DROP TRIGGER events_append_only_delete');
    db.prepare('DELETE FROM events WHERE seq = 2').run();
    const report = verifyChain(db);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { seq: 3, problem: 'rows 2..2 are missing' },
      { seq: 3, problem: 'prev_hash does not match the previous row (a row before it was changed or removed)' },
    ]);
  });

  it('stops at maxProblems', () => {
    const db = openLedger();
    writeEvents(db, 10);
    db.exec('DROP TRIGGER events_append_only_update');
    db.prepare("UPDATE events SET actor = 'mallory'").run();
    expect(verifyChain(db, 3).problems.map((p) => p.seq)).toEqual([1, 2, 3]);
    expect(verifyChain(db).problems).toHaveLength(10);
  });

  it('a failed flush throws, keeps the buffer, and a later flush writes everything exactly once', () => {
    const db = openLedger();
    const w = new LedgerWriter(db);
    w.record({ type: 'submitted', job: 'a' }, { id: 'a', state: 'pending', plugin: 'echo' });
    w.record({ type: 'submitted', job: 'b' }, { id: 'b', state: 'pending', plugin: 'echo' });
    w.setSlot({ slot: 1, state: 'idle', host: 'h', pid: 10, job: null, progress: null, message: null, beat_at: null });

    const blocker = rawConnection();
    blocker.exec('BEGIN IMMEDIATE');
    expect(() => w.flush()).toThrow(/locked|busy/i);
    expect(w.buffered).toBe(5);
    expect(eventCount(db)).toBe(0);
    expect(getJob(db, 'a')).toBeUndefined();

    // More work arrives while the ledger is still locked; it fails again.
    w.record({ type: 'claimed', job: 'a', slot: 1, attempt: 1 }, { id: 'a', state: 'claimed', slot: 1, attempts: 1 });
    expect(() => w.flush()).toThrow();
    expect(w.buffered).toBe(7);

    blocker.exec('ROLLBACK');
    expect(w.flush()).toBe(7);
    expect(w.buffered).toBe(0);
    expect(w.flush()).toBe(0);

    expect(events(db).map((r) => [r.seq, r.type, r.job])).toEqual([
      [1, 'submitted', 'a'],
      [2, 'submitted', 'b'],
      [3, 'claimed', 'a'],
    ]);
    expect(verifyChain(db)).toEqual({ events: 3, ok: true, problems: [] });
    expect(getJob(db, 'a')).toMatchObject({ state: 'claimed', slot: 1, attempts: 1, plugin: 'echo' });
    expect(countsByState(db)).toEqual({ claimed: 1, pending: 1 });
    expect(slotRows(db)).toHaveLength(1);
  });
});

describe('hash chain edge cases', () => {
  it('detects a NULL column blanked to an empty string', () => {
    const db = openLedger();
    const w = new LedgerWriter(db);
    w.record({ type: 'sentinel_started' });
    w.record({ type: 'submitted', job: 'j1' });
    w.flush();
    const raw = rawConnection();
    raw.exec('DROP TRIGGER events_append_only_update');
    raw.prepare("UPDATE events SET job = '', actor = '' WHERE seq = 1").run();
    expect(verifyChain(db).problems.map((p) => p.seq)).toContain(1);
  });
});

describe('job rows and queries', () => {
  it('a patch creates the row, later patches update only the fields they name', () => {
    const db = openLedger();
    const w = new LedgerWriter(db);
    w.record(
      { type: 'submitted', job: 'j1' },
      {
        id: 'j1',
        state: 'pending',
        plugin: 'resize',
        priority: 5,
        max_attempts: 3,
        file: 'pending/j1.json',
        submitted_at: '2024-01-01T00:00:00.000Z',
      },
    );
    w.flush();
    const created = getJob(db, 'j1')!;
    expect(created).toMatchObject({
      id: 'j1',
      state: 'pending',
      plugin: 'resize',
      priority: 5,
      attempts: 0,
      max_attempts: 3,
      slot: null,
      file: 'pending/j1.json',
      progress: null,
      submitted_at: '2024-01-01T00:00:00.000Z',
      finished_at: null,
    });
    expect(created.updated_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    w.record(
      { type: 'claimed', job: 'j1', slot: 4, attempt: 1 },
      { id: 'j1', state: 'claimed', slot: 4, attempts: 1, file: 'claimed/slot-4/j1.1.tokenx.nonce.json' },
    );
    w.patchJob({ id: 'j1', progress: 0.5, message: 'half way' });
    w.flush();
    expect(getJob(db, 'j1')).toMatchObject({
      state: 'claimed',
      slot: 4,
      attempts: 1,
      progress: 0.5,
      message: 'half way',
      plugin: 'resize',
      priority: 5,
    });

    w.record(
      { type: 'done', job: 'j1', slot: 4, attempt: 1 },
      { id: 'j1', state: 'done', slot: null, progress: null, message: null, finished_at: '2024-01-01T00:01:00.000Z' },
    );
    w.flush();
    expect(getJob(db, 'j1')).toMatchObject({
      state: 'done',
      slot: null,
      progress: null,
      message: null,
      attempts: 1,
      finished_at: '2024-01-01T00:01:00.000Z',
    });
    expect(getJob(db, 'nope')).toBeUndefined();
    expect(jobEvents(db, 'j1').map((e) => e.type)).toEqual(['submitted', 'claimed', 'done']);
  });

  it('a patch without a state creates the row as pending', () => {
    const db = openLedger();
    const w = new LedgerWriter(db);
    w.patchJob({ id: 'lonely', plugin: 'echo' });
    w.flush();
    expect(getJob(db, 'lonely')).toMatchObject({ state: 'pending', plugin: 'echo' });
    expect(eventCount(db)).toBe(0);
  });

  it('listJobs filters by state and plugin, orders pending by priority then age, and limits', () => {
    const db = openLedger();
    const w = new LedgerWriter(db);
    const pending = [
      { id: 'low-old', priority: 0, submitted_at: '2024-01-01T00:00:00Z' },
      { id: 'high-new', priority: 10, submitted_at: '2024-01-03T00:00:00Z' },
      { id: 'low-new', priority: 0, submitted_at: '2024-01-02T00:00:00Z' },
      { id: 'neg', priority: -1, submitted_at: '2023-01-01T00:00:00Z' },
    ];
    for (const p of pending) w.record({ type: 'submitted', job: p.id }, { state: 'pending', plugin: 'echo', ...p });
    w.record({ type: 'submitted', job: 'f1' }, { id: 'f1', state: 'failed', plugin: 'resize' });
    w.record({ type: 'submitted', job: 'd1' }, { id: 'd1', state: 'done', plugin: 'resize' });
    w.record({ type: 'submitted', job: 'd2' }, { id: 'd2', state: 'done', plugin: 'echo' });
    w.flush();

    expect(listJobs(db, { state: 'pending' }).map((j) => j.id)).toEqual(['high-new', 'low-old', 'low-new', 'neg']);
    expect(listJobs(db, { state: 'pending', limit: 2 }).map((j) => j.id)).toEqual(['high-new', 'low-old']);
    expect(
      listJobs(db, { state: 'done' })
        .map((j) => j.id)
        .sort(),
    ).toEqual(['d1', 'd2']);
    expect(
      listJobs(db, { plugin: 'resize' })
        .map((j) => j.id)
        .sort(),
    ).toEqual(['d1', 'f1']);
    expect(listJobs(db, { state: 'done', plugin: 'echo' }).map((j) => j.id)).toEqual(['d2']);
    // The TUI's `/!text` leaves out what `/text` keeps, over the whole table and before the limit.
    const ids = (f: Parameters<typeof listJobs>[1]) => listJobs(db, f).map((j) => j.id);
    expect(ids({ grep: 'low' }).sort()).toEqual(['low-new', 'low-old']);
    expect(ids({ state: 'pending', grepNot: 'low', limit: 1 })).toEqual(['high-new']);
    expect(ids({ grepNot: 'resize' }).sort()).toEqual(['d2', 'high-new', 'low-new', 'low-old', 'neg']);
    expect(listJobs(db)).toHaveLength(7);
    expect(listJobs(db, { updatedBefore: '2000-01-01T00:00:00Z' })).toEqual([]);
    expect(listJobs(db, { updatedBefore: '9999-01-01T00:00:00Z' })).toHaveLength(7);
    expect(countsByState(db)).toEqual({ pending: 4, failed: 1, done: 2 });
    expect(allJobsBrief(db).get('f1')).toEqual({
      state: 'failed',
      attempts: 0,
      file: null,
      max_attempts: null,
      plugin: 'resize',
      retry_at: null,
      waiting: null,
    });
  });

  it('countsByState is empty for an empty ledger', () => {
    expect(countsByState(openLedger())).toEqual({});
  });

  it('tailEvents returns the last n events oldest first', () => {
    const db = openLedger();
    writeEvents(db, 6);
    expect(tailEvents(db, 3).map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(tailEvents(db, 100).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('claimSettled is true only once a result for that exact claim was applied', () => {
    const db = openLedger();
    const w = new LedgerWriter(db);
    const claim1 = 'j.1.tokenx.nonce1.json';
    const claim2 = 'j.1.tokenx.nonce2.json';
    w.record({ type: 'claimed', job: 'j', attempt: 1, detail: { claim: claim1 } });
    w.flush();
    expect(claimSettled(db, 'j', claim1)).toBe(false);
    w.record({ type: 'done', job: 'j', attempt: 1, detail: { claim: claim1 } });
    w.flush();
    expect(claimSettled(db, 'j', claim1)).toBe(true);
    expect(claimSettled(db, 'j', claim2)).toBe(false);
    expect(claimSettled(db, 'other', claim1)).toBe(false);
  });

  it('setSlot upserts one row per slot', () => {
    const db = openLedger();
    const w = new LedgerWriter(db);
    w.setSlot({ slot: 2, state: 'idle', host: 'h1', pid: 100, job: null, progress: null, message: null, beat_at: '2024-01-01T00:00:00Z' });
    w.setSlot({ slot: 1, state: 'busy', host: 'h1', pid: 101, job: 'j', progress: 0.25, message: 'm', beat_at: '2024-01-01T00:00:00Z' });
    w.flush();
    w.setSlot({ slot: 2, state: 'busy', host: 'h2', pid: 200, job: 'k', progress: 0.1, message: null, beat_at: '2024-01-01T00:00:05Z' });
    w.flush();
    const rows = slotRows(db);
    expect(rows.map((r) => [r.slot, r.state, r.host, r.pid, r.job, r.progress])).toEqual([
      [1, 'busy', 'h1', 101, 'j', 0.25],
      [2, 'busy', 'h2', 200, 'k', 0.1],
    ]);
    expect(eventCount(db)).toBe(0);
  });
});
