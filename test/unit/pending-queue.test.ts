// The sentinel's pending queue hands out entries in dispatch order (priority, then age, then
// name) whatever order they were listed in, and never hands out one that was removed or
// replaced since it was added.
import { describe, expect, it } from 'vitest';
import type { PendingEntry } from '../../src/sentinel/context.js';
import { PendingQueue } from '../../src/sentinel/pending-queue.js';

const entry = (name: string, priority = 0, mtimeMs = 0, readyAt = 0): PendingEntry => ({
  name,
  path: `/p/${name}`,
  id: name.split('.')[0]!,
  attempts: 0,
  priority,
  mtimeMs,
  plugin: 'noop',
  readyAt,
  requires: [],
});

/** Takes everything out, as dispatch does: the first entry, then its removal. */
function drain(q: PendingQueue): string[] {
  const out: string[] = [];
  for (let e = q.first(); e; e = q.first()) {
    out.push(e.name);
    q.delete(e.name);
  }
  return out;
}

describe('PendingQueue', () => {
  it('orders by priority, then the oldest file, then the name', () => {
    const q = new PendingQueue();
    q.set('c.json', entry('c.json', 0, 5));
    q.set('a.json', entry('a.json', 0, 5));
    q.set('old.json', entry('old.json', 0, 1));
    q.set('urgent.json', entry('urgent.json', 9, 100));
    q.set('low.json', entry('low.json', -1, 0));
    expect(drain(q)).toEqual(['urgent.json', 'old.json', 'a.json', 'c.json', 'low.json']);
  });

  it('matches a full sort on thousands of random entries, with removals and replacements', () => {
    const q = new PendingQueue();
    const live = new Map<string, PendingEntry>();
    let seed = 42;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 5000; i += 1) {
      const name = `j${rnd(3000)}.json`;
      if (rnd(4) === 0) {
        q.delete(name);
        live.delete(name);
      } else {
        const e = entry(name, rnd(3), rnd(50));
        q.set(name, e);
        live.set(name, e);
      }
    }
    expect(q.size).toBe(live.size);
    const sorted = [...live.values()]
      .sort((a, b) => b.priority - a.priority || a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : 1))
      .map((e) => e.name);
    expect(drain(q)).toEqual(sorted);
  });

  it('passes over an entry replaced under the same name', () => {
    const q = new PendingQueue();
    q.set('x.json', entry('x.json', 5));
    q.set('y.json', entry('y.json', 1));
    q.set('x.json', entry('x.json', 0));
    expect(drain(q)).toEqual(['y.json', 'x.json']);
  });

  it('is empty after clear', () => {
    const q = new PendingQueue();
    q.set('a.json', entry('a.json'));
    q.clear();
    expect(q.first()).toBeUndefined();
    expect(q.size).toBe(0);
  });

  it('keeps a job waiting for a time out of the order until release reaches that time', () => {
    const q = new PendingQueue();
    q.set('later.json', entry('later.json', 9, 0, 2000), [], 1000);
    q.set('now.json', entry('now.json', 0), [], 1000);
    expect(q.nextAt()).toBe(2000);
    q.release(1999);
    expect(drain(q)).toEqual(['now.json']);
    q.release(2000);
    expect(drain(q)).toEqual(['later.json']);
    expect(q.nextAt()).toBeUndefined();
  });

  it('keeps a job waiting for others until the last of them is done, then by its time', () => {
    const q = new PendingQueue();
    q.set('c.json', entry('c.json', 0, 0, 5000), ['a', 'b'], 1000);
    expect(q.waitsFor('c')).toEqual(['a', 'b']);
    expect(q.waitingOn('a').map((e) => e.name)).toEqual(['c.json']);
    q.satisfied('a', 1000);
    expect(q.waitsFor('c')).toEqual(['b']);
    expect(q.first()).toBeUndefined();
    q.satisfied('b', 1000);
    expect(q.waitsFor('c')).toBeUndefined();
    expect(q.first()).toBeUndefined();
    q.release(5000);
    expect(drain(q)).toEqual(['c.json']);
  });

  it('forgets what a removed job waited for', () => {
    const q = new PendingQueue();
    q.set('c.json', entry('c.json'), ['a']);
    q.delete('c.json');
    expect(q.waitingOn('a')).toEqual([]);
    expect(q.size).toBe(0);
  });

  it('hands back an entry taken out and put back in its place in the order', () => {
    const q = new PendingQueue();
    q.set('a.json', entry('a.json', 2));
    q.set('b.json', entry('b.json', 1));
    const a = q.take()!;
    expect(q.first()?.name).toBe('b.json');
    q.putBack(a);
    expect(drain(q)).toEqual(['a.json', 'b.json']);
  });
});
