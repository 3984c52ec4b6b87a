/**
 * The journal on the share as `ledger verify`, `verify` and `doctor` see it: its chain link by
 * link and, given the ledger, whether the two agree (same events, same hashes, the journal not
 * behind). The ledger's head is read before the journal: the sentinel appends to the journal
 * before each commit, so a journal read later is never behind a sound ledger.
 */
import { hashLookup, lastEvent } from '../ledger/chain-range.js';
import type { Db } from '../ledger/open.js';
import type { Link } from '../chain/event.js';
import { journalDays, journalFileName } from '../spool/journal.js';
import { describeBreak, walkJournal } from '../spool/journal-read.js';
import type { Spool } from './spool.js';

export interface JournalProblem {
  file: string | null;
  line: number | null;
  seq: number;
  problem: string;
}

/** Every day file, or the newest alone: a quick look that reads one day, whatever the journal's age. */
export type JournalScope = 'all' | 'newest-day';

export interface JournalCheck {
  ok: boolean;
  scope: JournalScope;
  /** The files read: every day file, or the newest one. */
  files: string[];
  days: number;
  lines: number;
  first_seq: number | null;
  last_seq: number | null;
  /** False when older days were pruned (journal.keep_days), or not read: the chain read starts at first_seq. */
  from_genesis: boolean;
  /** The first bad link, or the first disagreement with the ledger. */
  problem: JournalProblem | null;
}

/**
 * Null when journal.enabled is off. While a sentinel runs (`live`), an unfinished last line is
 * its append in progress, read half-way, and not a problem.
 */
export function checkJournal(s: Spool, live: boolean, db?: Db, scope: JournalScope = 'all'): JournalCheck | null {
  if (!s.loaded.config.journal.enabled) return null;
  const head = db ? (lastEvent(db) ?? { seq: 0, hash: '' }) : undefined;
  const hashAt = db && hashLookup(db);
  const days = journalDays(s.l);
  const read = scope === 'all' ? days : days.slice(-1);
  let problem: JournalProblem | null = null;
  const differs = (e: Link, at: { file: string; line: number }): JournalProblem | null => {
    const hash = hashAt!(e.seq);
    if (hash === undefined || hash === e.hash) return null;
    return { ...at, seq: e.seq, problem: `${at.file} line ${at.line} (seq ${e.seq}) has another hash than the ledger's event ${e.seq}` };
  };
  // The quick look matches the ledger at its newest line both hold; the full check at every line.
  let newest: [Link, { file: string; line: number }] | undefined;
  const walk = walkJournal(
    s.l,
    (e, at) => {
      if (problem || !hashAt || e.seq > head!.seq) return;
      if (scope === 'all') problem = differs(e, at);
      else newest = [e, at];
    },
    read[0],
  );
  if (newest) problem ??= differs(...newest);
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
    scope,
    files: read.map(journalFileName),
    days: days.length,
    lines: walk.lines,
    first_seq: walk.first?.seq ?? null,
    last_seq: walk.last?.seq ?? null,
    from_genesis: walk.first === undefined || walk.from_genesis,
    problem,
  };
}
