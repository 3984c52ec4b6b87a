/**
 * Reading the journal back, link by link: every line must parse, recompute to its hash and
 * follow the line before it. The walk stops at the first line that does not and names it
 * (file, line, seq); what came before it is good history.
 */
import { linkProblem, startsAtGenesis, type Link } from '../chain/event.js';
import { parseLine, type JournalEntry } from '../chain/line.js';
import { journalDays, journalFileName, readJournalDay } from './journal.js';
import type { Layout } from './layout.js';

export interface JournalBreak {
  file: string;
  day: string;
  /** 1-based. */
  line: number;
  /** The line's seq, or the seq that was due when the line has none. */
  seq: number;
  /** Where the line starts in its file: a rebuild keeps the bytes before it. */
  offset: number;
  problem: string;
  /** The line is the unfinished end of the newest file: an append still being written, or cut short by a crash. */
  unfinished: boolean;
}

export interface JournalWalk {
  lines: number;
  first: JournalEntry | undefined;
  /** The last good line. */
  last: Link | undefined;
  /** The first line is seq 1 after the genesis hash: nothing was pruned. */
  from_genesis: boolean;
  broken: JournalBreak | undefined;
}

/** Walks the day files from `fromDay` (default: the oldest), calling `visit` on each good line. */
export function walkJournal(
  l: Layout,
  visit: (e: JournalEntry, at: { file: string; line: number }) => void = () => undefined,
  fromDay?: string,
): JournalWalk {
  const walk: JournalWalk = { lines: 0, first: undefined, last: undefined, from_genesis: false, broken: undefined };
  const days = journalDays(l);
  for (const day of days.filter((d) => fromDay === undefined || d >= fromDay)) {
    const text = readJournalDay(l, day);
    let offset = 0;
    let line = 0;
    while (offset < text.length) {
      const end = text.indexOf('\n', offset);
      line += 1;
      const bad = (seq: number, problem: string, unfinished = false): JournalWalk => {
        const at = Buffer.byteLength(text.slice(0, offset));
        walk.broken = { file: journalFileName(day), day, line, seq, offset: at, problem, unfinished };
        return walk;
      };
      const due = (walk.last?.seq ?? 0) + 1;
      if (end < 0) return bad(due, 'is cut short (the file ends inside it)', day === days.at(-1));
      const parsed = parseLine(text.slice(offset, end));
      if (typeof parsed === 'string') return bad(due, parsed);
      const problem = linkProblem(walk.last, parsed);
      if (problem) return bad(parsed.seq, problem);
      if (!walk.first) {
        walk.first = parsed;
        walk.from_genesis = startsAtGenesis(parsed);
      }
      walk.lines += 1;
      walk.last = { seq: parsed.seq, hash: parsed.hash };
      visit(parsed, { file: journalFileName(day), line });
      offset = end + 1;
    }
  }
  return walk;
}

/** The newest day whose first line is at or before `seq`: a walk from it sees every line after `seq`. */
export function dayHolding(l: Layout, seq: number): string | undefined {
  const days = journalDays(l);
  for (const day of [...days].reverse()) {
    const text = readJournalDay(l, day);
    const first = parseLine(text.slice(0, Math.max(0, text.indexOf('\n'))));
    if (typeof first !== 'string' && first.seq <= seq) return day;
  }
  return days[0];
}

export function describeBreak(b: JournalBreak): string {
  return `journal chain broken at ${b.file} line ${b.line} (seq ${b.seq}): the line ${b.problem}`;
}
