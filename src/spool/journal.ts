/**
 * The journal's files on the share (spool-layout.md, "The journal"): journal/<day>.jsonl,
 * appended to by the sentinel alone. One append is one O_APPEND write of a pass's lines and an
 * fdatasync; a new day file's directory entry is fsynced too. An append cut short (a full
 * share) is cut back off, so the file only ever ends with whole lines.
 */
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeSync,
  constants as C,
} from 'node:fs';
import { SpoolIoError, errnoOf } from '../errors.js';
import type { HeldLock } from '../locks.js';
import { fail } from '../faults/failpoints.js';
import { formatLine, type JournalEntry } from '../ledger/journal-line.js';
import type { EventSink } from '../ledger/writer.js';
import { fsyncDir, unlinkQuiet } from './atomic.js';
import { journalAsidePath, journalDayOf, journalDayPath, type Layout } from './layout.js';
import { listNames } from './scan.js';

/** The journal's day files, oldest first (the names sort by day). */
export function journalDays(l: Layout): string[] {
  return listNames(l.journal)
    .flatMap((name) => journalDayOf(name) ?? [])
    .sort();
}

export function journalFileName(day: string): string {
  return `${day}.jsonl`;
}

export function readJournalDay(l: Layout, day: string): string {
  return readFileSync(journalDayPath(l, day), 'utf8');
}

/**
 * The ledger writer's sink: a pass's events as one append to one day file, the day of its first
 * event (a pass across midnight stays whole in the earlier file). A day never goes back, even
 * when the clock does, so the files stay in chain order.
 */
export class JournalAppender implements EventSink {
  private lastDay: string | undefined;

  /** `lock`: the sentinel's, which fences the journal as it fences dispatch. */
  constructor(
    private readonly l: Layout,
    private readonly lock?: HeldLock,
  ) {
    this.lastDay = journalDays(l).at(-1);
  }

  append(entries: JournalEntry[]): void {
    // A sentinel paused past the stale limit may have been replaced: its events would fork the chain.
    if (this.lock && !this.lock.fresh())
      throw new Error('the sentinel lock went unrefreshed past the stale limit: not appending to the journal');
    const first = entries[0]!.at.slice(0, 10);
    const day = this.lastDay !== undefined && this.lastDay > first ? this.lastDay : first;
    fail('journal.before-append');
    appendJournal(this.l, day, entries.map(formatLine).join(''));
    this.lastDay = day;
    fail('journal.after-append');
  }
}

/** Appends `text` (whole lines) to the day file in one write, and makes it durable before returning. */
export function appendJournal(l: Layout, day: string, text: string): void {
  const path = journalDayPath(l, day);
  let fd: number;
  let created = false;
  try {
    try {
      // Mode as publish() gives files (the umask decides): a sentinel started later as another user of a group spool appends too.
      fd = openSync(path, C.O_WRONLY | C.O_APPEND | C.O_CREAT | C.O_EXCL, 0o666);
      created = true;
    } catch (err) {
      if (errnoOf(err) !== 'EEXIST') throw err;
      fd = openSync(path, C.O_WRONLY | C.O_APPEND);
    }
  } catch (err) {
    throw new SpoolIoError('open for append', path, err as NodeJS.ErrnoException);
  }
  const start = fstatSync(fd).size;
  try {
    const buf = Buffer.from(text);
    // With O_APPEND a short write's rest lands right after it: the lines stay in order.
    for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off);
    fdatasyncSync(fd);
  } catch (err) {
    cutBack(fd, start);
    closeSync(fd);
    throw new SpoolIoError('append', path, err as NodeJS.ErrnoException);
  }
  closeSync(fd);
  if (created) fsyncDir(l.journal);
}

/** Takes a partial append back off; what cannot be cut is a torn last line, which the next start trims. */
function cutBack(fd: number, size: number): void {
  try {
    ftruncateSync(fd, size);
  } catch {
    // the share refused even that: trimTornTail finds the partial line on the next start
  }
}

/**
 * A last line without its newline can only be an append the sentinel did not finish (it was
 * killed mid-write): its events never reached the ledger, so the partial line is removed.
 * Returns the bytes removed.
 */
export function trimTornTail(l: Layout): number {
  const last = journalDays(l).at(-1);
  if (!last) return 0;
  const path = journalDayPath(l, last);
  const text = readFileSync(path);
  if (text.length === 0 || text[text.length - 1] === 0x0a) return 0;
  const keep = text.lastIndexOf(0x0a) + 1;
  truncateSync(path, keep);
  return text.length - keep;
}

/**
 * Sets the journal aside from a bad line on (`ledger rebuild` could not replay past it): the
 * day file is kept whole under another name and cut back to the lines before `offset`; later
 * day files are renamed aside whole. New events then chain onto the last good line.
 */
export function setAsideFrom(l: Layout, day: string, offset: number, stamp: string): string[] {
  const aside: string[] = [];
  for (const d of journalDays(l).filter((x) => x >= day)) {
    const path = journalDayPath(l, d);
    const to = journalAsidePath(l, d, stamp);
    const text = readFileSync(path);
    renameSync(path, to);
    aside.push(to);
    if (d === day && offset > 0) appendJournal(l, d, text.subarray(0, offset).toString());
  }
  fsyncDir(l.journal);
  return aside;
}

/**
 * Removes day files older than `keepDays` days, never the newest one: it holds the chain's
 * tip, which the next event links to. Returns the names removed.
 */
export function pruneJournal(l: Layout, keepDays: number, nowMs: number): string[] {
  const cutoff = new Date(nowMs - keepDays * 86_400_000).toISOString().slice(0, 10);
  const days = journalDays(l);
  const old = days.slice(0, -1).filter((d) => d < cutoff);
  for (const d of old) unlinkQuiet(journalDayPath(l, d));
  if (old.length) fsyncDir(l.journal);
  return old.map(journalFileName);
}
