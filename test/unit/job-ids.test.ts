// Unit test of the job id generator: generated ids keep nanoid's length and alphabet, and none
// starts with "-", which commands taking ids would read as an option.
import { describe, expect, it } from 'vitest';
import { newJobId } from '../../src/api/job-ids.js';
import { isValidId } from '../../src/spool/layout.js';

describe('newJobId', () => {
  it('gives 100k distinct 12-character ids, none starting with "-", using "-" and "_" elsewhere', () => {
    const ids = Array.from({ length: 100_000 }, newJobId);
    expect(ids.filter((id) => id.startsWith('-')).slice(0, 5)).toEqual([]);
    expect(ids.every((id) => id.length === 12 && isValidId(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // The rest of the id keeps the whole alphabet: the entropy is nanoid's.
    expect(ids.some((id) => id.slice(1).includes('-'))).toBe(true);
    expect(ids.some((id) => id.startsWith('_'))).toBe(true);
  });
});
