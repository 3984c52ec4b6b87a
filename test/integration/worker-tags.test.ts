// Worker tags: `worker --tag` (repeatable) and worker.tags in spool.toml reach the heartbeat
// sorted and unique, `workers list` shows them, start-services passes --tag to every worker,
// and a bad tag stops the worker before it takes a slot, naming the flag or the file and key.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkerRow } from '../../src/api/workers.js';
import { exitedWithin, makeSpool, until, type TestSpool } from '../helpers/spool.js';

const FAST = '[worker]\nheartbeat_ms = 200\nstale_after_ms = 3000\n';

function rows(t: TestSpool): WorkerRow[] {
  const r = t.run(['workers', 'list', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { slots: WorkerRow[] }).slots;
}

const heartbeat = (t: TestSpool, slot: number) =>
  JSON.parse(readFileSync(join(t.dir, 'slots', `slot-${slot}.json`), 'utf8')) as { tags?: string[] };

describe('worker tags', () => {
  it('writes the union of --tag and worker.tags into the heartbeat, sorted and unique; workers list shows them', async () => {
    const t = makeSpool(`${FAST}tags = " ssd, gpu ,"\n`);
    t.worker(['--slot', '1', '--tag', 'gpu', '--tag', 'cuda-12.1', '--tag', 'gpu']);
    t.worker(['--slot', '2']);
    await until('two idle workers', () => rows(t).filter((r) => r.state === 'idle').length === 2);
    expect(heartbeat(t, 1).tags).toEqual(['cuda-12.1', 'gpu', 'ssd']);
    expect(heartbeat(t, 2).tags).toEqual(['gpu', 'ssd']);
    const listed = rows(t);
    expect(listed.find((r) => r.slot === 1)!.tags).toEqual(['cuda-12.1', 'gpu', 'ssd']);
    expect(listed.find((r) => r.slot === 3)!.tags).toBeNull();
    const text = t.run(['workers', 'list']).stdout;
    expect(text).toMatch(/^SLOT .* TAGS$/m);
    expect(text).toMatch(/^1 .* cuda-12\.1,gpu,ssd$/m);
  });

  it('refuses a bad --tag with exit 2 and a bad worker.tags naming the file, before taking a slot', async () => {
    const t = makeSpool(FAST);
    const flag = t.worker(['--tag', 'big disk']);
    expect(await exitedWithin(flag, 10_000, 'worker with a bad --tag')).toBe(2);
    expect(flag.output()).toContain('--tag: "big disk" is not a tag');
    const comma = t.run(['worker', '--tag', 'a,b']);
    expect(comma.code).toBe(2);
    expect(comma.stderr).toContain('"a,b" is not a tag');

    writeFileSync(join(t.dir, 'spool.toml'), `${FAST}tags = "gpu,big disk"\n`);
    const file = t.run(['worker']);
    expect(file.code).toBe(1);
    expect(file.stderr).toContain(`${join(t.dir, 'spool.toml')}: worker.tags: "big disk" is not a tag`);
    expect(t.files('slots').filter((n) => n.startsWith('slot-'))).toEqual([]);
  });

  it('start-services --tag gives every worker the tag', async () => {
    const t = makeSpool(FAST);
    const started = t.run(['start-services', '--workers', '2', '--tag', 'gpu']);
    expect(started.code, started.stderr).toBe(0);
    try {
      const live = rows(t).filter((r) => r.state === 'idle');
      expect(live.map((r) => r.tags)).toEqual([['gpu'], ['gpu']]);
      expect(t.run(['start-services', '--tag', 'no space']).code).toBe(2);
    } finally {
      expect(t.run(['stop-services']).code).toBe(0);
    }
  });
});
