// submit's scheduling flags write the manifest fields the sentinel schedules by: --at and
// --in become not_before (UTC, with Z), --after and --requires become after and requires.
// Bad values (a time without a zone, an unknown unit, zero, a tag with a space, an unknown
// or self-naming --after) exit 2 with one sentence and publish nothing. run takes the same flags.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSpool, manifest, type TestSpool } from '../helpers/spool.js';

function submitted(t: TestSpool, args: string[]): Record<string, unknown> {
  const r = t.run(['submit', '--plugin', 'noop', ...args]);
  expect(r.code, r.stderr).toBe(0);
  const id = r.stdout.trim();
  return JSON.parse(readFileSync(join(t.dir, 'pending', `${id}.json`), 'utf8')) as Record<string, unknown>;
}

function refused(t: TestSpool, args: string[], message: string) {
  const before = t.files('pending').length;
  const r = t.run(['submit', '--plugin', 'noop', ...args]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(t.files('pending')).toHaveLength(before);
}

describe('submit --at, --in, --after, --requires', () => {
  it('writes not_before in UTC, after and requires', () => {
    const t = makeSpool();
    expect(submitted(t, ['--at', '2030-05-01T16:30+02:00']).not_before).toBe('2030-05-01T14:30:00.000Z');
    expect(submitted(t, ['--at', '2030-05-01T14:30:05.25Z']).not_before).toBe('2030-05-01T14:30:05.250Z');
    const before = Date.now();
    const delayed = Date.parse(submitted(t, ['--in', '2h']).not_before as string) - before;
    expect(delayed).toBeGreaterThanOrEqual(2 * 3_600_000 - 1000);
    expect(delayed).toBeLessThan(2 * 3_600_000 + 10_000);
    const local = Date.parse(submitted(t, ['--at', '03:15']).not_before as string);
    expect(local).toBeGreaterThan(Date.now());
    expect(local - Date.now()).toBeLessThanOrEqual(86_400_000);
    expect(new Date(local).getMinutes()).toBe(15);

    t.drop('dropped.json', manifest('dropped', 'noop'));
    const first = t.run(['submit', '--plugin', 'noop', '--id', 'first']);
    expect(first.code).toBe(0);
    const m = submitted(t, ['--after', 'first', '--after', 'dropped', '--requires', 'gpu', '--requires', 'big-disk', '--requires', 'gpu']);
    expect(m.after).toEqual(['first', 'dropped']);
    expect(m.requires).toEqual(['gpu', 'big-disk']);
    expect(m.not_before).toBeUndefined();
  });

  it('refuses bad values with exit 2 and publishes nothing', () => {
    const t = makeSpool();
    refused(t, ['--at', '2030-05-01T14:30'], '--at 2030-05-01T14:30 has no time zone');
    refused(t, ['--at', '2030-05-01 14:30:00'], 'has no time zone');
    refused(t, ['--at', 'tomorrow'], '--at takes an ISO 8601 time with a zone');
    refused(t, ['--at', '2030-02-30T10:00Z'], 'no such date or time');
    refused(t, ['--at', '24:00'], 'not a time of day');
    refused(t, ['--in', '10y'], '--in takes a number and a unit: s, m, h or d');
    refused(t, ['--in', '0m'], '--in must be more than zero');
    refused(t, ['--in', '-5m'], '--in takes a number and a unit');
    refused(t, ['--at', '12:00', '--in', '1h'], 'Give --at or --in, not both.');
    refused(t, ['--requires', 'big disk'], '--requires: "big disk" is not a tag');
    refused(t, ['--after', 'no/such'], '--after takes a job id');
    refused(t, ['--after', 'ghost'], '"after" names ghost, which is no job of the spool nor of this submission');
    refused(t, ['--id', 'me', '--after', 'me'], 'job me names itself in "after"');
    refused(t, ['--max-attempts', '0'], 'max_attempts must be >= 1');
  });

  it('run takes the same flags', () => {
    const t = makeSpool();
    const r = t.run(['run', '--plugin', 'noop', '--in', '10y']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--in takes a number and a unit');
    const files = t.run(['run', join(t.dir, 'spool.toml'), '--requires', 'gpu']);
    expect(files.code).toBe(2);
    expect(files.stderr).toContain('--requires describe a --plugin job');
  });
});
