import { describe, expect, it } from 'vitest';
import { padJson } from '../../src/spool/atomic.js';

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
