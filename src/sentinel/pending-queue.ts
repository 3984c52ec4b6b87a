/**
 * pending/ as the sentinel last listed it: by file name, and in dispatch order (highest
 * priority first, then the oldest file, then the name). The order is a binary heap, so a
 * flood of 10,000 manifests costs log n per claim instead of a scan of all of them.
 * Entries removed by name (held, cancelled, gone from the directory) stay in the heap until
 * they reach its top and are passed over there.
 */
import type { PendingEntry } from './context.js';

function dispatchedBefore(a: PendingEntry, b: PendingEntry): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.mtimeMs !== b.mtimeMs) return a.mtimeMs < b.mtimeMs;
  return a.name < b.name;
}

export class PendingQueue {
  private readonly byName = new Map<string, PendingEntry>();
  private heap: PendingEntry[] = [];

  get size(): number {
    return this.byName.size;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  keys(): IterableIterator<string> {
    return this.byName.keys();
  }

  set(name: string, entry: PendingEntry): void {
    this.byName.set(name, entry);
    this.heap.push(entry);
    this.up(this.heap.length - 1);
    // Removed entries are only dropped at the top: rebuild before they outnumber live ones.
    if (this.heap.length > 2 * this.byName.size + 64) this.rebuild();
  }

  delete(name: string): void {
    this.byName.delete(name);
  }

  clear(): void {
    this.byName.clear();
    this.heap = [];
  }

  /** The entry to dispatch next, left in place. */
  first(): PendingEntry | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (this.byName.get(top.name) === top) return top;
      this.pop();
    }
    return undefined;
  }

  private rebuild(): void {
    this.heap = [...this.byName.values()];
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i -= 1) this.down(i);
  }

  private pop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!dispatchedBefore(h[i]!, h[parent]!)) return;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < h.length && dispatchedBefore(h[l]!, h[best]!)) best = l;
      if (r < h.length && dispatchedBefore(h[r]!, h[best]!)) best = r;
      if (best === i) return;
      [h[i], h[best]] = [h[best]!, h[i]!];
      i = best;
    }
  }
}
