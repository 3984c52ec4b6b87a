import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { padJson, publishAll } from '../../src/spool/atomic.js';

describe('padJson', () => {
  it('pads to whole blocks so that rewrites keep one size, and parses back unchanged', () => {
    const small = { slot: 1, state: 'idle' };
    const busy = { slot: 1, state: 'busy', job: 'a-much-longer-job-id', progress: 0.25, message: 'step 1 of 4' };
    expect(padJson(JSON.stringify(small))).toHaveLength(1024);
    expect(padJson(JSON.stringify(busy))).toHaveLength(1024);
    expect(JSON.parse(padJson(JSON.stringify(busy)))).toEqual(busy);
  });

  it('takes as many blocks as the content needs, counting bytes, not characters', () => {
    const big = JSON.stringify({ message: 'é'.repeat(600) });
    const padded = padJson(big);
    expect(Buffer.byteLength(padded)).toBe(2048);
    expect(JSON.parse(padded)).toEqual({ message: 'é'.repeat(600) });
    expect(Buffer.byteLength(padJson('x'.repeat(1024)))).toBe(2048);
    expect(Buffer.byteLength(padJson('x'.repeat(1023)))).toBe(1024);
  });
});

describe('publishAll', () => {
  it('places every file whole, and on a clash keeps those before it and leaves nothing in tmp/', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spoolctl-publishall-'));
    try {
      const [tmp, out] = [join(dir, 'tmp'), join(dir, 'out')];
      mkdirSync(tmp);
      mkdirSync(out);
      const files = (names: string[]) => names.map((n) => ({ target: join(out, n), data: `${n}\n` }));
      expect(await publishAll(tmp, files(['a', 'b']), { noClobber: true })).toEqual({ placed: 2 });
      writeFileSync(join(out, 'd'), 'a producer was first');
      const r = await publishAll(tmp, files(['c', 'd', 'e']), { noClobber: true });
      expect(r.placed).toBe(1);
      expect(r.error?.message).toContain('publish');
      expect(readdirSync(out).sort()).toEqual(['a', 'b', 'c', 'd']);
      expect(readFileSync(join(out, 'd'), 'utf8')).toBe('a producer was first');
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
