// A failed attempt's wait doubles with each attempt up to the cap and is spread by ±20%, never below 0.
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/sentinel/backoff.js';

describe('retryDelayMs', () => {
  it('doubles per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(1000, 5000, a, 0.5))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('spreads by at most 20% either way', () => {
    expect(retryDelayMs(1000, 60_000, 1, 0)).toBe(800);
    expect(retryDelayMs(1000, 60_000, 1, 1)).toBe(1200);
    expect(retryDelayMs(0, 60_000, 3, 0)).toBe(0);
  });
});
