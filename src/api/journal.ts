/**
 * The journal on the share as `ledger verify`, `doctor` and `status` see it: its chain link by
 * link and, given the ledger, whether the two agree (same events, same hashes, the journal not
 * behind). The ledger's head is read before the journal: the sentinel appends to the journal
 * before each commit, so a journal read later is never behind a sound ledger.
 */
import { hashAt, lastEvent } from '../ledger/chain-range.js';
import type { Db } from '../ledger/open.js';
import { journalDays } from '../spool/journal.js';
import { describeBreak, walkJournal } from '../spool/journal-read.js';
import type { Spool } from './spool.js';

export interface JournalProblem {
  file: string | null;
  line: number | null;
  seq: number;
  problem: string;
}

export interface JournalCheck {
  ok: boolean;
  days: number;
  lines: number;
  first_seq: number | null;
  last_seq: number | null;
  /** False when older days were pruned (journal.keep_days): the chain starts at first_seq. */
  from_genesis: boolean;
  /** The first bad link, or the first disagreement with the ledger. */
  problem: JournalProblem | null;
}

/**
 * Null when journal.enabled is off. While a sentinel runs (`live`), an unfinished last line is
 * its append in progress, read half-way, and not a problem.
 */
export function checkJournal(s: Spool, live: boolean, db?: Db): JournalCheck | null {
  if (!s.loaded.config.journal.enabled) return null;
  const head = db ? (lastEvent(db) ?? { seq: 0, hash: '' }) : undefined;
  let problem: JournalProblem | null = null;
  const walk = walkJournal(s.l, (e, at) => {
    if (problem || !db || e.seq > head!.seq) return;
    const hash = hashAt(db, e.seq);
    if (hash !== undefined && hash !== e.hash)
      problem = {
        ...at,
        seq: e.seq,
        problem: `${at.file} line ${at.line} (seq ${e.seq}) has another hash than the ledger's event ${e.seq}`,
      };
  });
  const b = walk.broken;
  if (b && !(live && b.unfinished)) problem ??= { file: b.file, line: b.line, seq: b.seq, problem: describeBreak(b) };
  if (!problem && head && (walk.last?.seq ?? 0) < head.seq) {
    problem = {
      file: null,
      line: null,
      seq: (walk.last?.seq ?? 0) + 1,
      problem: `the journal is behind the ledger: it ends at seq ${walk.last?.seq ?? 0}, the ledger at seq ${head.seq}`,
    };
  }
  return {
    ok: problem === null,
    days: journalDays(s.l).length,
    lines: walk.lines,
    first_seq: walk.first?.seq ?? null,
    last_seq: walk.last?.seq ?? null,
    from_genesis: walk.first === undefined || walk.from_genesis,
    problem,
  };
}
