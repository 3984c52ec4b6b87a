// A result's file goes round: the sentinel hands an applied one back (recycleResult) and the
// slot's worker rewrites it for its next result (publish with `reuse`), so a flood of jobs
// creates and frees no files. Real files in a real spool; inode numbers show the reuse.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publish } from '../../src/spool/atomic.js';
import { initSpool } from '../../src/spool/init.js';
import { resultFileName, spentResultPath, type ClaimName, type Layout } from '../../src/spool/layout.js';
import { listResults, publishResult, readResult, recycleResult } from '../../src/spool/results.js';
import { jobResult } from '../helpers/results.js';

let dir: string;
let l: Layout;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spoolctl-results-'));
  l = initSpool(dir);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const claim = (id: string, slot = 2): ClaimName => ({ slot, id, attempt: 1, token: 'tok123456789', nonce: 'nonce123' });
const result = jobResult;

describe('result files', () => {
  it('an applied result is handed back to its slot and its file carries the next result', () => {
    publishResult(l, claim('a'), result());
    const [first] = listResults(l);
    const ino = statSync(join(l.results, first!.name)).ino;
    recycleResult(l, first!.name, 2);
    expect(readdirSync(l.results)).toEqual([]);
    expect(statSync(spentResultPath(l, 2)).ino).toBe(ino);

    publishResult(l, claim('b'), result({ outcome: 'failed', exit_code: 3, error: 'exited with code 3' }));
    expect(readdirSync(l.results)).toEqual([resultFileName(claim('b'))]);
    expect(statSync(join(l.results, resultFileName(claim('b')))).ino).toBe(ino);
    expect(readResult(l, resultFileName(claim('b')))).toEqual(result({ outcome: 'failed', exit_code: 3, error: 'exited with code 3' }));
    expect(readdirSync(l.tmp)).toEqual([]);
  });

  it('a long result rewritten short leaves nothing of the old one behind', () => {
    const long = result({ outcome: 'failed', exit_code: 1, log_tail: 'x'.repeat(5000) });
    publishResult(l, claim('a'), long);
    recycleResult(l, resultFileName(claim('a')), 2);
    publishResult(l, claim('b'), result());
    const text = readFileSync(join(l.results, resultFileName(claim('b'))), 'utf8');
    expect(text).toHaveLength(1024);
    expect(JSON.parse(text)).toEqual(result());
  });

  it('a second applied result while one waits is removed, never put over the waiting one', () => {
    publishResult(l, claim('a'), result());
    publishResult(l, claim('b'), result());
    const waiting = statSync(join(l.results, resultFileName(claim('a')))).ino;
    recycleResult(l, resultFileName(claim('a')), 2);
    recycleResult(l, resultFileName(claim('b')), 2);
    expect(readdirSync(l.results)).toEqual([]);
    expect(readdirSync(l.tmp)).toEqual(['spent.s2.result']);
    expect(statSync(spentResultPath(l, 2)).ino).toBe(waiting);
  });

  it('each slot takes only its own spent file', () => {
    publishResult(l, claim('a', 2), result());
    recycleResult(l, resultFileName(claim('a', 2)), 2);
    publishResult(l, claim('b', 3), result());
    expect(readdirSync(l.tmp)).toEqual(['spent.s2.result']);
  });
});

describe('publish with reuse', () => {
  it('creates the file when there is nothing to reuse', () => {
    publish(l.tmp, join(l.pending, 'x.json'), '{"id":"x"}', { reuse: join(l.tmp, 'absent') });
    expect(readFileSync(join(l.pending, 'x.json'), 'utf8')).toBe('{"id":"x"}');
    expect(readdirSync(l.tmp)).toEqual([]);
  });
});
