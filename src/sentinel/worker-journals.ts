/**
 * What the sentinel has read of the workers' journals (src/spool/worker-journal.ts): how far
 * into each file, and which claims each recorded as started. A restarted sentinel reads them
 * whole again; an end line it has applied before is dropped then, as a result file would be
 * (./results.ts). A file is removed once its worker writes to it no more and every claim it
 * names has left claimed/.
 */
import { unlinkQuiet } from '../spool/atomic.js';
import { claimFileName, workerJournalFileName, workerJournalPath, type ClaimName, type WorkerJournalName } from '../spool/layout.js';
import { readWorkerJournal, type JournalEntry } from '../spool/worker-journal.js';
import type { SentinelContext } from './context.js';

type EndLine = Extract<JournalEntry, { kind: 'end' }>;

interface Tracked {
  name: WorkerJournalName;
  /** Where the next read begins: past the lines applied. */
  offset: number;
  /** Past the last whole line read: where `offset` goes once the file's last end line read is applied. */
  readTo: number;
  /** Where the last end line read begins (-1: none): once it is applied, `offset` moves to `readTo`. */
  lastEnd: number;
  /** Bytes past the last whole line at the last read. */
  partial: number;
  /** The claims whose start line this file holds, by claim file name. */
  started: Set<string>;
  /** When a read last found it longer (the sentinel's clock). */
  grewAt: number;
}

export class WorkerJournals {
  private readonly files = new Map<string, Tracked>();

  /** Whether a journal recorded `c` as started: its attempt counts. */
  started(c: ClaimName): boolean {
    const name = claimFileName(c);
    for (const f of this.files.values()) if (f.name.token === c.token && f.started.has(name)) return true;
    return false;
  }

  /** Whether the worker with this token has a journal. */
  hasToken(token: string): boolean {
    for (const f of this.files.values()) if (f.name.token === token) return true;
    return false;
  }

  /**
   * The end lines written since the last read of each listed journal, in file order. A file's
   * read position moves past an end line only once `applied` says so: a pass that fails part-way
   * reads the lines it did not apply again.
   */
  read(ctx: SentinelContext, listed: WorkerJournalName[], fresh = false): { file: string; line: EndLine }[] {
    const ends: { file: string; line: EndLine }[] = [];
    const present = new Set<string>();
    // A worker's older files first: its lines stay in the order it wrote them.
    for (const name of [...listed].sort((a, b) => a.n - b.n)) {
      const file = workerJournalFileName(name);
      present.add(file);
      const f: Tracked = this.files.get(file) ?? {
        name,
        offset: 0,
        readTo: 0,
        lastEnd: -1,
        partial: 0,
        started: new Set<string>(),
        grewAt: Date.now(),
      };
      this.files.set(file, f);
      let read: ReturnType<typeof readWorkerJournal>;
      try {
        read = readWorkerJournal(ctx.l, name, f.offset, fresh);
      } catch (err) {
        // One unreadable journal holds up only its own worker's results.
        ctx.throttled('warn', `journal:${file}`, "cannot read a worker's journal; retrying", { file, error: (err as Error).message });
        continue;
      }
      if (!read) continue;
      if (read.offset > f.offset || read.partial !== f.partial) f.grewAt = Date.now();
      for (const line of read.bad)
        ctx.log.warn("skipping a line of a worker's journal that is no start or end of its claims", { file, line: line.slice(0, 200) });
      f.partial = read.partial;
      f.readTo = read.offset;
      const fileEnds = read.entries.filter((e): e is EndLine => e.kind === 'end');
      for (const e of read.entries) if (e.kind === 'start') f.started.add(claimFileName(e.claim));
      f.lastEnd = fileEnds.at(-1)?.from ?? -1;
      f.offset = fileEnds[0]?.from ?? read.offset;
      for (const line of fileEnds) ends.push({ file, line });
    }
    for (const file of this.files.keys()) if (!present.has(file)) this.files.delete(file);
    return ends;
  }

  /** An end line `read` returned was applied (or fenced, or found applied before). */
  applied(file: string, line: EndLine): void {
    const f = this.files.get(file);
    if (f) f.offset = line.from === f.lastEnd ? f.readTo : line.next;
  }

  /**
   * Removes the files no worker will write again whose claims have all left claimed/: the
   * worker started a newer file, or it is gone (no heartbeat, or a dead pid). A worker replaced
   * in its slot may still be alive somewhere (paused, cut off): its file stays until it has not
   * grown for twice worker.stale_after_ms, so that a late result of it is still read and fenced.
   * A line a dead worker left torn is dropped with its file.
   */
  prune(ctx: SentinelContext): void {
    for (const [file, f] of this.files) {
      const { slot, token, n } = f.name;
      const view = ctx.slots.find((v) => v.slot === slot);
      const gone = !view || view.condition === 'free' || (view.condition === 'dead' && view.heartbeat?.token === token);
      const replaced = view?.heartbeat !== undefined && view.heartbeat.token !== token;
      const quiet = Date.now() - f.grewAt > 2 * ctx.cfg.worker.stale_after_ms;
      const newer = [...this.files.values()].some((o) => o.name.token === token && o.name.n > n);
      if (!gone && !(replaced && quiet) && (!newer || f.partial > 0)) continue;
      const claims = ctx.claims.get(slot) ?? [];
      if (claims.some((c) => f.started.has(claimFileName(c)))) continue;
      // Lines written since the last read are the next pass's to apply.
      const unread = readWorkerJournal(ctx.l, f.name, f.offset, true);
      if (unread && unread.entries.length + unread.bad.length > 0) continue;
      unlinkQuiet(workerJournalPath(ctx.l, f.name));
      this.files.delete(file);
    }
  }
}
