// A worker's journal, written by the worker's writer and read back by the sentinel's reader:
// real files in a real spool.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureFailpoints } from '../../src/faults/failpoints.js';
import { initSpool } from '../../src/spool/init.js';
import { claimFileName, parseWorkerJournalName, workerJournalFileName, type ClaimName, type Layout } from '../../src/spool/layout.js';
import { listResults } from '../../src/spool/results.js';
import { JOURNAL_ROTATE_BYTES, readWorkerJournal, WorkerJournalWriter } from '../../src/spool/worker-journal.js';
import { jobResult } from '../helpers/results.js';

let dir: string;
let l: Layout;
const TOKEN = 'tok123456789';
const first = { slot: 2, token: TOKEN, n: 1 };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spoolctl-worker-journal-'));
  l = initSpool(dir);
});

afterEach(() => {
  configureFailpoints(undefined, undefined);
  rmSync(dir, { recursive: true, force: true });
});

const claim = (id: string, token = TOKEN): ClaimName => ({ slot: 2, id, attempt: 1, token, nonce: 'nonce123' });
const path = (n = 1) => join(l.results, workerJournalFileName({ ...first, n }));

describe("a worker's journal", () => {
  it('reads back starts and ends in order, and resumes where it stopped', () => {
    const w = new WorkerJournalWriter(l, 2, TOKEN);
    w.started(claim('a'), '2026-12-03T10:00:00.000Z');
    const one = readWorkerJournal(l, first, 0)!;
    expect(one.entries).toEqual([{ kind: 'start', claim: claim('a'), at: '2026-12-03T10:00:00.000Z', from: 0, next: one.offset }]);
    w.ended(claim('a'), jobResult());
    w.started(claim('b'), '2026-12-03T10:00:01.000Z');
    const two = readWorkerJournal(l, first, one.offset)!;
    expect(two.entries.map((e) => [e.kind, e.claim.id])).toEqual([
      ['end', 'a'],
      ['start', 'b'],
    ]);
    expect(two.entries[0]).toMatchObject({ result: jobResult() });
    expect(two.offset).toBe(statSync(path()).size);
    expect(readWorkerJournal(l, first, two.offset)).toEqual({ entries: [], bad: [], offset: two.offset, partial: 0 });
    expect(listResults(l)).toEqual({ files: [], journals: [first] });
  });

  it('leaves a line being written for the next read, and reports lines that are no start or end of its claims', () => {
    const w = new WorkerJournalWriter(l, 2, TOKEN);
    w.started(claim('a'), '2026-12-03T10:00:00.000Z');
    appendFileSync(
      path(),
      `not json\nnull\n[1]\n${JSON.stringify({ start: claimFileName(claim('x', 'otherToken1')), at: 'now' })}\n{"end":"a.1.`,
    );
    const read = readWorkerJournal(l, first, 0)!;
    expect(read.entries).toHaveLength(1);
    expect(read.bad).toEqual(['not json', 'null', '[1]', expect.stringContaining('otherToken1')]);
    expect(read.partial).toBe('{"end":"a.1.'.length);
    expect(read.offset).toBe(statSync(path()).size - read.partial);
  });

  it('cuts a write that fails part-way back off, so the next line follows a whole one', () => {
    const w = new WorkerJournalWriter(l, 2, TOKEN);
    w.started(claim('a'), 't0');
    configureFailpoints('result.mid-append=1*error(ENOSPC)', undefined);
    expect(() => w.ended(claim('a'), jobResult())).toThrow(/ENOSPC|no space/i);
    const size = statSync(path()).size;
    expect(readFileSync(path(), 'utf8').endsWith('\n')).toBe(true);
    w.ended(claim('a'), jobResult());
    expect(statSync(path()).size).toBeGreaterThan(size);
    expect(readWorkerJournal(l, first, 0)!.entries.map((e) => e.kind)).toEqual(['start', 'end']);
  });

  it('starts a new file past its size limit, at a start, and each file reads alone', () => {
    const w = new WorkerJournalWriter(l, 2, TOKEN);
    const long = jobResult({ log_tail: 'x'.repeat(4096) });
    let i = 0;
    while ((statSync(path(), { throwIfNoEntry: false })?.size ?? 0) < JOURNAL_ROTATE_BYTES) {
      w.started(claim(`j${i}`), 't');
      w.ended(claim(`j${i}`), long);
      i += 1;
    }
    w.ended(claim('late'), jobResult());
    expect(readdirSync(l.results)).toEqual([workerJournalFileName(first)]);
    w.started(claim('next'), 't');
    expect(readdirSync(l.results).sort()).toEqual([path(1), path(2)].map((p) => p.slice(l.results.length + 1)));
    expect(readWorkerJournal(l, { ...first, n: 2 }, 0)!.entries).toMatchObject([{ kind: 'start', claim: claim('next'), at: 't', from: 0 }]);
    expect(readWorkerJournal(l, first, 0)!.entries.at(-1)).toMatchObject({ kind: 'end', claim: claim('late') });
  });

  it('names parse back, and result file names are not journal names', () => {
    expect(parseWorkerJournalName(workerJournalFileName({ slot: 8, token: TOKEN, n: 12 }))).toEqual({ slot: 8, token: TOKEN, n: 12 });
    expect(parseWorkerJournalName(`s9.${TOKEN}.1.jsonl`)).toBeUndefined();
    expect(parseWorkerJournalName(`s2.${claimFileName(claim('a'))}`)).toBeUndefined();
    expect(readWorkerJournal(l, first, 0)).toBeUndefined();
  });
});
