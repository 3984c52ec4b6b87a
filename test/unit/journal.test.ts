// Unit tests for the journal: the ledger writer seals events before it commits them and hands
// them to the journal first; the journal's files are read back link by link; retention never
// removes the chain's tip. Real files and a real SQLite ledger in a temp directory.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, linkProblem } from '../../src/chain/event.js';
import { formatLine, parseLine, type EventSink, type JournalEntry } from '../../src/chain/line.js';
import { configureFailpoints } from '../../src/faults/failpoints.js';
import { openDb, type Db } from '../../src/ledger/open.js';
import { verifyChain } from '../../src/ledger/verify.js';
import { LedgerWriter } from '../../src/ledger/writer.js';
import { JournalAppender, pruneJournal } from '../../src/spool/journal.js';
import { walkJournal } from '../../src/spool/journal-read.js';
import { journalDayPath, layoutOf, type Layout } from '../../src/spool/layout.js';

let dir: string;
let l: Layout;
const dbs: Db[] = [];

function ledger(name = 'ledger.db'): Db {
  const db = openDb(join(dir, name), { busyTimeoutMs: 50 });
  dbs.push(db);
  return db;
}

/** A sink that keeps what it is given, or refuses while `refusing` is set. */
function memorySink(): EventSink & { lines: JournalEntry[]; refusing: boolean } {
  const sink = {
    lines: [] as JournalEntry[],
    refusing: false,
    append(entries: JournalEntry[]) {
      if (sink.refusing) throw Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' });
      sink.lines.push(...entries);
    },
  };
  return sink;
}

const stored = (db: Db) => db.prepare('SELECT * FROM events ORDER BY seq').all();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spoolctl-journal-unit-'));
  l = layoutOf(dir);
  mkdirSync(l.journal);
});
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('LedgerWriter with a journal', () => {
  it('gives the journal every event, with the seq and hash the ledger stores, before the commit', () => {
    const db = ledger();
    const sink = memorySink();
    const w = new LedgerWriter(db, sink);
    w.record({ type: 'submitted', job: 'a', actor: 'test' }, { id: 'a', state: 'pending' });
    w.record({ type: 'claimed', job: 'a', slot: 1, attempt: 1 }, { id: 'a', state: 'claimed', slot: 1 });
    w.flush();
    expect(sink.lines.map(({ row: _row, ...e }) => e)).toEqual(stored(db));
    expect(sink.lines[0]).toMatchObject({ seq: 1, prev_hash: GENESIS_HASH, row: { id: 'a', state: 'pending' } });
    expect(w.journalState()).toEqual({ ok: true, behind: 0, error: null });
  });

  it('holds the commit back while the journal refuses, and writes each event once, with the same hash, when it takes them', () => {
    const db = ledger();
    const sink = memorySink();
    const w = new LedgerWriter(db, sink);
    sink.refusing = true;
    w.record({ type: 'submitted', job: 'a' });
    expect(() => w.flush()).toThrow(/ENOSPC/);
    w.record({ type: 'submitted', job: 'b' });
    expect(() => w.flush()).toThrow(/ENOSPC/);
    expect(stored(db)).toEqual([]);
    expect(w.journalState()).toMatchObject({ ok: false, behind: 2, error: expect.stringMatching(/ENOSPC/) });
    sink.refusing = false;
    w.flush();
    expect(sink.lines.map((e) => [e.seq, e.job])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(stored(db)).toEqual(sink.lines);
    expect(w.journalState()).toEqual({ ok: true, behind: 0, error: null });
  });

  it('sends nothing twice when the ledger commit fails after the journal took the events', () => {
    const db = ledger();
    const sink = memorySink();
    const w = new LedgerWriter(db, sink);
    w.record({ type: 'submitted', job: 'a' });
    const blocker = openDb(join(dir, 'ledger.db'), { busyTimeoutMs: 0 });
    dbs.push(blocker);
    blocker.exec('BEGIN IMMEDIATE');
    expect(() => w.flush()).toThrow(/locked|busy/i);
    blocker.exec('ROLLBACK');
    w.record({ type: 'submitted', job: 'b' });
    w.flush();
    expect(sink.lines.map((e) => e.seq)).toEqual([1, 2]);
    expect(stored(db)).toEqual(sink.lines);
  });

  it('replays a pruned journal into an empty ledger, whose chain then starts where the kept history does', () => {
    const source = ledger('source.db');
    const sink = memorySink();
    const w = new LedgerWriter(source, sink);
    for (const job of ['a', 'b', 'c', 'd']) w.record({ type: 'submitted', job }, { id: job, state: 'pending' });
    w.flush();
    const rebuilt = ledger();
    const r = new LedgerWriter(rebuilt);
    r.replay(sink.lines.slice(2));
    expect(verifyChain(rebuilt)).toMatchObject({ ok: true, events: 2 });
    r.record({ type: 'ledger_rebuilt' });
    r.flush();
    expect(verifyChain(rebuilt)).toMatchObject({ ok: true, events: 3 });
    expect(() => new LedgerWriter(ledger('other.db')).replay([sink.lines[0]!, sink.lines[2]!])).toThrow(/does not follow/);
  });
});

describe('journal lines and files', () => {
  function journalOf(n: number): JournalEntry[] {
    const sink = memorySink();
    const w = new LedgerWriter(ledger(), sink);
    for (let i = 0; i < n; i += 1) w.record({ type: 'submitted', job: `j${i}`, detail: { i } });
    w.flush();
    return sink.lines;
  }

  it('reads back what it wrote, and each line links to the one before', () => {
    const lines = journalOf(3);
    const parsed = lines.map((e) => parseLine(formatLine(e).trimEnd()));
    expect(parsed).toEqual(lines);
    expect(linkProblem(undefined, lines[0]!)).toBeUndefined();
    expect(linkProblem(lines[0], lines[1]!)).toBeUndefined();
    expect(linkProblem(lines[0], lines[2]!)).toMatch(/seq 3 where seq 2 was due/);
    expect(linkProblem(lines[1], { ...lines[2]!, actor: 'someone' })).toMatch(/does not match its hash/);
    expect(parseLine('{"seq":1')).toMatch(/not a whole JSON line/);
  });

  it('walks the day files in order and names the first bad line by file, line and seq', () => {
    const lines = journalOf(5);
    writeFileSync(journalDayPath(l, '2026-12-01'), lines.slice(0, 2).map(formatLine).join(''));
    writeFileSync(journalDayPath(l, '2026-12-02'), lines.slice(2).map(formatLine).join(''));
    expect(walkJournal(l)).toMatchObject({ lines: 5, from_genesis: true, last: { seq: 5 }, broken: undefined });
    const path = journalDayPath(l, '2026-12-02');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"j3"', '"jX"'));
    expect(walkJournal(l)).toMatchObject({ lines: 3, broken: { file: '2026-12-02.jsonl', line: 2, seq: 4 } });
  });

  it('keeps a day file from going back in time, and trims only a torn last line', () => {
    const lines = journalOf(3);
    const appender = new JournalAppender(l);
    appender.append([{ ...lines[0]!, at: '2026-12-03T23:59:59.000Z' }]);
    // The clock went back: the next pass still goes to the later day.
    appender.append([{ ...lines[1]!, at: '2026-12-02T10:00:00.000Z' }]);
    expect(readFileSync(journalDayPath(l, '2026-12-03'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
    writeFileSync(journalDayPath(l, '2026-12-03'), readFileSync(journalDayPath(l, '2026-12-03'), 'utf8') + '{"seq":3,"at');
    expect(appender.trimTornTail()).toBe('{"seq":3,"at'.length);
    expect(appender.trimTornTail()).toBe(0);
  });

  it('keeps one file open per day across appends, and closes it when the day changes and at close', () => {
    const lines = journalOf(3);
    const appender = new JournalAppender(l);
    const openOn = (day: string) => {
      const path = realpathSync(journalDayPath(l, day));
      return readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === path;
        } catch {
          return false;
        }
      }).length;
    };
    appender.append([{ ...lines[0]!, at: '2026-12-02T10:00:00.000Z' }]);
    appender.append([{ ...lines[1]!, at: '2026-12-02T11:00:00.000Z' }]);
    expect(openOn('2026-12-02')).toBe(1);
    appender.append([{ ...lines[2]!, at: '2026-12-03T00:00:01.000Z' }]);
    expect([openOn('2026-12-02'), openOn('2026-12-03')]).toEqual([0, 1]);
    appender.close();
    expect(openOn('2026-12-03')).toBe(0);
  });

  it('after a set-aside, appends to the day file that is left and never to the file set aside', () => {
    const lines = journalOf(3);
    const day = lines[0]!.at.slice(0, 10);
    const appender = new JournalAppender(l);
    appender.append(lines.slice(0, 2));
    appender.append(lines.slice(2));
    // The third line found bad: its day file set aside, the two before it kept; then a pass writes it again.
    const offset = formatLine(lines[0]!).length + formatLine(lines[1]!).length;
    const [aside] = appender.setAsideFrom(day, offset, 'stamp');
    appender.append(lines.slice(2));
    expect(readFileSync(aside!, 'utf8')).toBe(lines.map(formatLine).join(''));
    expect(walkJournal(l)).toMatchObject({ lines: 3, last: { seq: 3 }, broken: undefined });

    // A later day set aside whole: the next day's events go to their own file, not to the day set aside.
    appender.append([{ ...lines[2]!, at: '2999-01-05T10:00:00.000Z' }]);
    appender.setAsideFrom('2999-01-05', 0, 'stamp');
    appender.append([{ ...lines[2]!, at: '2999-01-04T10:00:00.000Z' }]);
    expect(readdirSync(l.journal).filter((n) => n.startsWith('2999-'))).toEqual(['2999-01-04.jsonl', '2999-01-05.jsonl.set-aside-stamp']);
  });

  it('cuts a failed append back before the next one when the share refused the cut, so no line follows it', () => {
    const lines = journalOf(2);
    const path = journalDayPath(l, lines[0]!.at.slice(0, 10));
    const appender = new JournalAppender(l);
    appender.append(lines.slice(0, 1));
    configureFailpoints('journal.mid-append=1*error(ENOSPC);journal.cut-back=1*error(EIO)', undefined);
    try {
      expect(() => appender.append(lines.slice(1))).toThrow(/ENOSPC.*cut off before the next append/);
    } finally {
      configureFailpoints(undefined, undefined);
    }
    // The failed append's bytes are still there, and its events wait to be appended again.
    expect(readFileSync(path, 'utf8')).toBe(lines.map(formatLine).join(''));
    appender.append(lines.slice(1));
    expect(readFileSync(path, 'utf8')).toBe(lines.map(formatLine).join(''));
    expect(walkJournal(l)).toMatchObject({ lines: 2, broken: undefined });
  });

  it('prunes day files past keep_days, never the newest', () => {
    for (const day of ['2026-11-01', '2026-11-02', '2026-11-20']) writeFileSync(journalDayPath(l, day), '{}\n');
    const now = Date.parse('2026-12-03T12:00:00Z');
    expect(pruneJournal(l, 5, now)).toEqual(['2026-11-01.jsonl', '2026-11-02.jsonl']);
    expect(pruneJournal(l, 5, now)).toEqual([]);
  });
});
