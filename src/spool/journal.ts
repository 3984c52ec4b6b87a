/**
 * The journal's files on the share (spool-layout.md, "The journal"): journal/<day>.jsonl,
 * appended to by the sentinel alone. One append is one O_APPEND write of a pass's lines and an
 * fdatasync; a new day file's directory entry is fsynced too. An append cut short (a full
 * share) is cut back off, at once or, when the share refuses even that, before the next one:
 * no line is ever appended after a torn one.
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
import { formatLine, type EventSink, type JournalEntry } from '../chain/line.js';
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

/** The day file appends go to, kept open across passes: one open per day, not one per pass. */
interface OpenDay {
  day: string;
  fd: number;
  /** Where the file ends: what an append that fails is cut back to. */
  size: number;
  /** A new file's directory entry is made durable before its first append counts as done. */
  dirSynced: boolean;
}

/**
 * The ledger writer's sink: a pass's events as one append to one day file, the day of its first
 * event (a pass across midnight stays whole in the earlier file). A day never goes back, even
 * when the clock does, so the files stay in chain order. Every change to the journal's files
 * while the sentinel runs goes through here, so that the open file and its size stay true.
 */
export class JournalAppender implements EventSink {
  private lastDay: string | undefined;
  private file: OpenDay | undefined;
  /**
   * An append failed and cutting it back failed too: that day file holds bytes past `size` that
   * no ledger has (perhaps a torn line). They are cut off before anything else is appended, so
   * no line ever follows them.
   */
  private torn: { day: string; size: number } | undefined;

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
    this.write(day, entries.map(formatLine).join(''));
    this.lastDay = day;
    fail('journal.after-append');
  }

  /**
   * Removes from the journal's end what no ledger can hold: an append that failed and could not
   * be cut back, or a last line without its newline (the sentinel was killed mid-write).
   * Returns the bytes removed.
   */
  trimTornTail(): number {
    if (this.torn) return this.cutTorn();
    this.close();
    const last = journalDays(this.l).at(-1);
    if (!last) return 0;
    const path = journalDayPath(this.l, last);
    const text = readFileSync(path);
    if (text.length === 0 || text[text.length - 1] === 0x0a) return 0;
    const keep = text.lastIndexOf(0x0a) + 1;
    truncateSync(path, keep);
    return text.length - keep;
  }

  /**
   * Sets the journal aside from a bad line on (it could not be replayed past it): the day file
   * is kept whole under another name and cut back to the lines before `offset`; later day files
   * are renamed aside whole. New events then chain onto the last good line, in the files that
   * are left.
   */
  setAsideFrom(day: string, offset: number, stamp: string): string[] {
    this.close();
    const aside: string[] = [];
    for (const d of journalDays(this.l).filter((x) => x >= day)) {
      const path = journalDayPath(this.l, d);
      const to = journalAsidePath(this.l, d, stamp);
      const text = readFileSync(path);
      renameSync(path, to);
      aside.push(to);
      if (d === day && offset > 0) this.write(d, text.subarray(0, offset).toString());
    }
    fsyncDir(this.l.journal);
    this.lastDay = journalDays(this.l).at(-1);
    return aside;
  }

  close(): void {
    if (this.file) closeSync(this.file.fd);
    this.file = undefined;
  }

  /** Appends `text` (whole lines) in one write, and makes it durable before returning. */
  private write(day: string, text: string): void {
    if (this.torn) this.cutTorn();
    const f = this.open(day);
    const path = journalDayPath(this.l, day);
    if (!f.dirSynced) {
      fsyncDir(this.l.journal);
      f.dirSynced = true;
    }
    const buf = Buffer.from(text);
    try {
      // With O_APPEND a short write's rest lands right after it: the lines stay in order.
      for (let off = 0; off < buf.length;) off += writeSync(f.fd, buf, off, buf.length - off);
      fail('journal.mid-append');
      fdatasyncSync(f.fd);
    } catch (err) {
      const e = new SpoolIoError('append', path, err as NodeJS.ErrnoException);
      if (this.cutBack(f)) throw e;
      throw new Error(`${e.message}; cutting the partial append back failed too, so it is cut off before the next append`, { cause: e });
    }
    f.size += buf.length;
  }

  private open(day: string): OpenDay {
    if (this.file?.day === day) return this.file;
    this.close();
    const path = journalDayPath(this.l, day);
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
    this.file = { day, fd, size: fstatSync(fd).size, dirSynced: !created };
    return this.file;
  }

  /** Takes a failed append back off; false when the share refused that too (the cut is then owed). */
  private cutBack(f: OpenDay): boolean {
    try {
      fail('journal.cut-back');
      ftruncateSync(f.fd, f.size);
      return true;
    } catch {
      this.torn = { day: f.day, size: f.size };
      return false;
    }
  }

  /** Makes the owed cut: the failed append's bytes off the end of its day file. Throws while the share refuses it. */
  private cutTorn(): number {
    const { day, size } = this.torn!;
    const f = this.open(day);
    const path = journalDayPath(this.l, day);
    try {
      const extra = fstatSync(f.fd).size - size;
      if (extra > 0) {
        ftruncateSync(f.fd, size);
        fdatasyncSync(f.fd);
      }
      f.size = size;
      this.torn = undefined;
      return Math.max(0, extra);
    } catch (err) {
      throw new SpoolIoError('cut back a failed append to', path, err as NodeJS.ErrnoException);
    }
  }
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
