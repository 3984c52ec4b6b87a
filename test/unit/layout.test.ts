// Unit tests for the spool's file names: every name written is parsed back to the same
// values, and every name that is not one of ours is refused (never guessed at).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ERROR_SUFFIX,
  claimFileName,
  errorFileFor,
  isValidId,
  isValidToken,
  parseClaimName,
  parseResultName,
  parseStateName,
  quarantineName,
  resultFileName,
  stateFileName,
  type ClaimName,
} from '../../src/spool/layout.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'spoolctl-layout-'));
  dirs.push(d);
  return d;
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ID64 = 'a'.repeat(64);
const ID65 = 'a'.repeat(65);

describe('state file names', () => {
  it.each([
    ['job-1', 0, 'job-1.json'],
    ['job-1', 1, 'job-1.1.json'],
    ['A_b-9', 42, 'A_b-9.42.json'],
    [ID64, 999999, `${ID64}.999999.json`],
    ['123', 7, '123.7.json'],
  ])('stateFileName(%s, %i) = %s and parses back', (id, attempts, name) => {
    expect(stateFileName(id, attempts)).toBe(name);
    expect(parseStateName(name)).toEqual({ id, attempts });
  });

  it('has one spelling per attempt count: no .0 and no leading zeros', () => {
    expect(parseStateName('x.0.json')).toBeUndefined();
    expect(parseStateName('x.01.json')).toBeUndefined();
    expect(parseClaimName(1, 'x.0.tokenAB.nonce1.json')).toBeUndefined();
  });

  it('round-trips through a real directory listing', () => {
    const dir = tempDir();
    const jobs = [
      { id: 'alpha', attempts: 0 },
      { id: 'beta', attempts: 3 },
      { id: 'g_m-m-a', attempts: 12 },
    ];
    for (const j of jobs) writeFileSync(join(dir, stateFileName(j.id, j.attempts)), '{}');
    writeFileSync(join(dir, errorFileFor(stateFileName('beta', 3))), '{}');
    const parsed = readdirSync(dir)
      .map(parseStateName)
      .filter((p) => p !== undefined)
      .sort((a, b) => a.id.localeCompare(b.id));
    expect(parsed).toEqual(jobs);
    expect(readdirSync(dir)).toContain('beta.3.error.json');
  });

  it.each([
    ['', 'empty'],
    ['.json', 'no id'],
    ['x', 'no extension'],
    ['x.txt', 'wrong extension'],
    ['x.JSON', 'upper-case extension'],
    ['x.error.json', 'an error file'],
    ['x.1.error.json', 'an error file of a retried job'],
    ['a.b.json', 'a dot inside the id'],
    ['../x.json', 'a path'],
    ['a/b.json', 'a slash'],
    ['a\\b.json', 'a backslash'],
    [`${ID65}.json`, 'an id over 64 characters'],
    [`${ID65}.1.json`, 'an id over 64 characters with attempts'],
    ['x.1234567.json', 'attempts over 6 digits'],
    ['x.-1.json', 'negative attempts'],
    ['x..json', 'an empty attempts field'],
    ['x y.json', 'a space'],
    ['x.json\n', 'a trailing newline'],
    ['x\u0000.json', 'a NUL'],
    ['\u00e9t\u00e9.json', 'non-ASCII letters'],
    ['x.json.tmp', 'a temp suffix'],
  ])('parseStateName refuses %j (%s)', (name) => {
    expect(parseStateName(name)).toBeUndefined();
  });

  it('errorFileFor puts the error suffix next to the state file name', () => {
    expect(errorFileFor('job.json')).toBe('job.error.json');
    expect(errorFileFor('job.4.json')).toBe(`job.4${ERROR_SUFFIX}`);
  });
});

describe('claim and result names', () => {
  const claim: ClaimName = { slot: 3, id: 'job-7', attempt: 2, token: 'tok_EN-1', nonce: 'n0nc' };

  it('claimFileName carries id, attempt, token and nonce and parses back', () => {
    const name = claimFileName(claim);
    expect(name).toBe('job-7.2.tok_EN-1.n0nc.json');
    expect(parseClaimName(3, name)).toEqual(claim);
    // The slot comes from the directory, not the name.
    expect(parseClaimName(5, name)).toEqual({ ...claim, slot: 5 });
  });

  it('resultFileName prefixes the slot and parses back to the same claim', () => {
    const name = resultFileName(claim);
    expect(name).toBe('s3.job-7.2.tok_EN-1.n0nc.json');
    expect(parseResultName(name)).toEqual(claim);
  });

  it.each([1, 2, 4, 8])('result names round-trip for slot %i', (slot) => {
    const c: ClaimName = { slot, id: ID64, attempt: 999999, token: 'T'.repeat(32), nonce: 'N'.repeat(32) };
    expect(parseResultName(resultFileName(c))).toEqual(c);
    expect(parseClaimName(slot, claimFileName(c))).toEqual(c);
  });

  it.each([
    ['job.1.tokenx.json', 'no nonce (the old format)'],
    ['job.1.short.nonce.json', 'a token under 6 characters'],
    [`job.1.${'t'.repeat(33)}.nonce.json`, 'a token over 32 characters'],
    ['job.1.tokenx.abc.json', 'a nonce under 4 characters'],
    [`job.1.tokenx.${'n'.repeat(33)}.json`, 'a nonce over 32 characters'],
    [`${ID65}.1.tokenx.nonce.json`, 'an id over 64 characters'],
    ['.1.tokenx.nonce.json', 'an empty id'],
    ['job.x.tokenx.nonce.json', 'a non-numeric attempt'],
    ['job.1234567.tokenx.nonce.json', 'an attempt over 6 digits'],
    ['job.1.tok.en.nonce.json', 'a dot in the token'],
    ['../job.1.tokenx.nonce.json', 'a path'],
    ['job.1.tokenx.nonce.error.json', 'an error file'],
    ['job.1.tokenx.nonce', 'no extension'],
  ])('parseClaimName refuses %j (%s)', (name) => {
    expect(parseClaimName(1, name)).toBeUndefined();
  });

  it.each([
    ['s0.job.1.tokenx.nonce.json', 'slot 0'],
    ['s9.job.1.tokenx.nonce.json', 'slot 9, above the hard cap'],
    ['s10.job.1.tokenx.nonce.json', 'a two-digit slot'],
    ['sx.job.1.tokenx.nonce.json', 'a non-numeric slot'],
    ['job.1.tokenx.nonce.json', 'no slot prefix'],
    ['s1job.1.tokenx.nonce.json', 'no dot after the slot'],
    ['s1.', 'nothing after the slot'],
    ['s1.job.1.tokenx.json', 'a malformed claim part'],
    ['s1.../job.1.tokenx.nonce.json', 'a path in the claim part'],
    ['', 'empty'],
  ])('parseResultName refuses %j (%s)', (name) => {
    expect(parseResultName(name)).toBeUndefined();
  });
});

describe('ids and tokens', () => {
  it('isValidId accepts 1..64 plain characters and nothing else', () => {
    expect(isValidId('a')).toBe(true);
    expect(isValidId(ID64)).toBe(true);
    expect(isValidId('A-z_0')).toBe(true);
    expect(isValidId('')).toBe(false);
    expect(isValidId(ID65)).toBe(false);
    expect(isValidId('a.b')).toBe(false);
    expect(isValidId('../a')).toBe(false);
    expect(isValidId('a/b')).toBe(false);
    expect(isValidId('a\n')).toBe(false);
  });

  it('isValidToken accepts 6..32 plain characters', () => {
    expect(isValidToken('abcdef')).toBe(true);
    expect(isValidToken('x'.repeat(32))).toBe(true);
    expect(isValidToken('abcde')).toBe(false);
    expect(isValidToken('x'.repeat(33))).toBe(false);
    expect(isValidToken('abc.def')).toBe(false);
  });
});

describe('quarantineName', () => {
  it('keeps a plain name and appends the unique part', () => {
    expect(quarantineName('job-1.json', 'u1')).toBe('job-1.json.u1');
  });

  it('turns a traversal into a plain name that stays in rejected/', () => {
    const name = quarantineName('../x', 'u1');
    expect(name).toBe('__x.u1');
    expect(name).not.toContain('/');
    expect(name.startsWith('.')).toBe(false);
    const deep = quarantineName('../../etc/passwd', 'u2');
    expect(deep).toBe('__.._etc_passwd.u2');
    expect(deep).not.toContain('/');
  });

  it('replaces control characters, spaces, backslashes and non-ASCII', () => {
    expect(quarantineName('a\u0000b\nc\u001bd\te.json', 'u')).toBe('a_b_c_d_e.json.u');
    expect(quarantineName('Not A Job.txt', 'u')).toBe('Not_A_Job.txt.u');
    expect(quarantineName('a\\b', 'u')).toBe('a_b.u');
    expect(quarantineName('\u00e9t\u00e9', 'u')).toBe('_t_.u');
  });

  it('never starts with a dot', () => {
    expect(quarantineName('.hidden', 'u')).toBe('_hidden.u');
    expect(quarantineName('...', 'u')).toBe('_.u');
    expect(quarantineName('..', 'u')).toBe('_.u');
  });

  it('names an empty original "unnamed"', () => {
    expect(quarantineName('', 'u9')).toBe('unnamed.u9');
  });

  it('caps the kept part at 80 characters', () => {
    const name = quarantineName('b'.repeat(500), 'uniq');
    expect(name).toBe(`${'b'.repeat(80)}.uniq`);
  });

  it('produces names that can be created in a real directory', () => {
    const dir = tempDir();
    const originals = ['../x', 'a\u0001b', '', '.', 'Not A Job.txt', 'x'.repeat(300)];
    originals.forEach((o, i) => writeFileSync(join(dir, quarantineName(o, `q${i}`)), 'x'));
    expect(readdirSync(dir).sort()).toEqual(['__x.q0', 'a_b.q1', 'unnamed.q2', '_.q3', 'Not_A_Job.txt.q4', `${'x'.repeat(80)}.q5`].sort());
  });
});
