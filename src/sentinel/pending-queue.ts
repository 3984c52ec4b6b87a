/**
 * pending/ as the sentinel last listed it, by file name, in three places (spool-layout.md,
 * "Scheduling"): jobs that may run now, in a heap in dispatch order (highest priority first,
 * then the oldest file, then the name); jobs waiting for a time, in a heap by that time, moved
 * to the first when it comes; jobs waiting for other jobs, by the ids they wait for, moved
 * when the last of those is done. So a waiting job never stands in front of a runnable one,
 * and a flood of 10,000 costs log n per claim, never a scan of all of them.
 * Entries removed by name (held, cancelled, gone from the directory) stay in a heap until they
 * reach its top and are passed over there.
 */
import type { PendingEntry } from './context.js';
import { Heap } from './heap.js';

type Place = 'ready' | 'timed' | 'blocked';

function dispatchedBefore(a: PendingEntry, b: PendingEntry): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.mtimeMs !== b.mtimeMs) return a.mtimeMs < b.mtimeMs;
  return a.name < b.name;
}

export class PendingQueue {
  private readonly byName = new Map<string, PendingEntry>();
  private readonly place = new Map<string, Place>();
  private readonly ready = new Heap<PendingEntry>(dispatchedBefore);
  private readonly timed = new Heap<PendingEntry>((a, b) => a.readyAt < b.readyAt);
  /** By job id: the ids it still waits for. */
  private readonly unmet = new Map<string, Set<string>>();
  /** By the id waited for: the ids of the jobs that wait for it. */
  private readonly dependents = new Map<string, Set<string>>();
  /** Job id to file name, for the jobs that wait for others. */
  private readonly nameOf = new Map<string, string>();

  get size(): number {
    return this.byName.size;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  keys(): IterableIterator<string> {
    return this.byName.keys();
  }

  entries(): IterableIterator<PendingEntry> {
    return this.byName.values();
  }

  /** Adds or replaces an entry; `waitsFor` are the ids it runs after that are not done yet. */
  set(name: string, entry: PendingEntry, waitsFor: readonly string[] = [], now = Date.now()): void {
    this.delete(name);
    this.byName.set(name, entry);
    if (waitsFor.length > 0) {
      this.place.set(name, 'blocked');
      this.unmet.set(entry.id, new Set(waitsFor));
      this.nameOf.set(entry.id, name);
      for (const id of waitsFor) {
        const set = this.dependents.get(id) ?? new Set();
        set.add(entry.id);
        this.dependents.set(id, set);
      }
    } else this.schedule(entry, now);
    // Removed entries are only dropped at a heap's top: rebuild before they outnumber live ones.
    if (this.ready.length + this.timed.length > 2 * this.byName.size + 64) this.rebuild();
  }

  delete(name: string): void {
    const e = this.byName.get(name);
    if (!e) return;
    this.byName.delete(name);
    this.place.delete(name);
    if (this.unmet.delete(e.id)) this.nameOf.delete(e.id);
  }

  clear(): void {
    for (const name of [...this.byName.keys()]) this.delete(name);
    this.dependents.clear();
    this.ready.reset([]);
    this.timed.reset([]);
  }

  /** The entry to dispatch next, left in place. */
  first(): PendingEntry | undefined {
    for (;;) {
      const top = this.ready.peek();
      if (!top || this.live(top, 'ready')) return top;
      this.ready.pop();
    }
  }

  /** Takes the next runnable entry out of the order (it stays pending): claim it, or `putBack`. */
  take(): PendingEntry | undefined {
    const top = this.first();
    if (top) this.ready.pop();
    return top;
  }

  putBack(e: PendingEntry): void {
    if (this.live(e, 'ready')) this.ready.push(e);
  }

  /** Moves the entries whose time has come into the dispatch order. */
  release(now: number): void {
    for (let top = this.timed.peek(); top && (top.readyAt <= now || !this.live(top, 'timed')); top = this.timed.peek()) {
      this.timed.pop();
      if (this.live(top, 'timed')) {
        this.place.set(top.name, 'ready');
        this.ready.push(top);
      }
    }
  }

  /** The earliest time a waiting entry is due, if any waits for one. */
  nextAt(): number | undefined {
    for (let top = this.timed.peek(); top; top = this.timed.peek()) {
      if (this.live(top, 'timed')) return top.readyAt;
      this.timed.pop();
    }
    return undefined;
  }

  /** The ids job `id` still waits for; undefined when it waits for none (or is not here). */
  waitsFor(id: string): string[] | undefined {
    const set = this.unmet.get(id);
    return set ? [...set] : undefined;
  }

  /** The entries that wait for job `id`. */
  waitingOn(id: string): PendingEntry[] {
    const out: PendingEntry[] = [];
    for (const dep of this.dependents.get(id) ?? []) {
      const e = this.byName.get(this.nameOf.get(dep) ?? '');
      if (e && this.unmet.get(dep)?.has(id)) out.push(e);
    }
    return out;
  }

  /** Job `id` is done: those waiting for it wait for one job less. Returns them. */
  satisfied(id: string, now = Date.now()): PendingEntry[] {
    const freed = this.waitingOn(id);
    this.dependents.delete(id);
    for (const e of freed) {
      const set = this.unmet.get(e.id)!;
      set.delete(id);
      if (set.size > 0) continue;
      this.unmet.delete(e.id);
      this.nameOf.delete(e.id);
      this.schedule(e, now);
    }
    return freed;
  }

  private schedule(e: PendingEntry, now: number): void {
    const timed = e.readyAt > now;
    this.place.set(e.name, timed ? 'timed' : 'ready');
    (timed ? this.timed : this.ready).push(e);
  }

  private live(e: PendingEntry, place: Place): boolean {
    return this.byName.get(e.name) === e && this.place.get(e.name) === place;
  }

  private rebuild(): void {
    const all = [...this.byName.values()];
    this.ready.reset(all.filter((e) => this.place.get(e.name) === 'ready'));
    this.timed.reset(all.filter((e) => this.place.get(e.name) === 'timed'));
  }
}
