/** Recomputes the event hash chain and names every row that does not fit it. */
import { GENESIS_HASH, hashEvent, type EventRow } from '../chain/event.js';
import { chainStart } from './chain-range.js';
import type { Db } from './open.js';

export interface ChainProblem {
  seq: number;
  problem: string;
}

export interface ChainReport {
  events: number;
  ok: boolean;
  problems: ChainProblem[];
}

/** The whole chain, or with `upTo` its events up to that seq (a head recorded elsewhere, as an evidence bundle's). */
export function verifyChain(db: Db, maxProblems = 20, upTo?: number): ChainReport {
  const problems: ChainProblem[] = [];
  // A ledger rebuilt from a pruned journal starts where the kept history does.
  const start = chainStart(db);
  let prev = start?.hash ?? GENESIS_HASH;
  let expectedSeq = start?.seq ?? 1;
  let count = 0;
  const rows = db.prepare('SELECT * FROM events WHERE seq <= ? ORDER BY seq').iterate(upTo ?? Number.MAX_SAFE_INTEGER);
  for (const row of rows as IterableIterator<EventRow>) {
    count += 1;
    if (row.seq !== expectedSeq) problems.push({ seq: row.seq, problem: `rows ${expectedSeq}..${row.seq - 1} are missing` });
    if (row.prev_hash !== prev)
      problems.push({ seq: row.seq, problem: 'prev_hash does not match the previous row (a row before it was changed or removed)' });
    if (hashEvent(row) !== row.hash) problems.push({ seq: row.seq, problem: 'contents do not match its hash (the row was edited)' });
    prev = row.hash;
    expectedSeq = row.seq + 1;
    if (problems.length >= maxProblems) break;
  }
  const head = db.prepare("SELECT value FROM meta WHERE key = 'head'").get() as { value: string } | undefined;
  if (problems.length < maxProblems && head && upTo === undefined) {
    const [seq, hash] = head.value.split(':');
    if (Number(seq) !== expectedSeq - 1 || hash !== prev) {
      problems.push({
        seq: Number(seq),
        problem: `the chain ends at row ${expectedSeq - 1} but the recorded head is row ${seq} (rows were removed from the end)`,
      });
    }
  }
  return { events: count, ok: problems.length === 0, problems };
}
