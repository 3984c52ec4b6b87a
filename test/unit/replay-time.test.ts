// `tui --at`: the moments a replay takes, read in this host's zone (TZ), and what it refuses.
import { afterAll, describe, expect, it } from 'vitest';
import { replayTime } from '../../src/cli/schedule.js';

const saved = process.env.TZ;
process.env.TZ = 'Asia/Kolkata';
afterAll(() => {
  if (saved === undefined) delete process.env.TZ;
  else process.env.TZ = saved;
});

// 2026-12-03 10:00:00 in Kolkata (+05:30).
const NOW = new Date('2026-12-03T04:30:00Z');

describe('replayTime', () => {
  it('reads a date and time without a zone in the local zone', () => {
    expect(replayTime('2026-12-03 07:30', NOW)).toBe('2026-12-03T02:00:00.000Z');
    expect(replayTime('2026-12-03T07:30:15', NOW)).toBe('2026-12-03T02:00:15.000Z');
  });

  it('reads HH:MM:SS and HH:MM as the last such local time', () => {
    expect(replayTime('09:15:30', NOW)).toBe('2026-12-03T03:45:30.000Z');
    expect(replayTime('11:00:00', NOW)).toBe('2026-12-02T05:30:00.000Z');
    expect(replayTime('09:15', NOW)).toBe('2026-12-03T03:45:00.000Z');
  });

  it('takes an age and an ISO time with a zone', () => {
    expect(replayTime('2h', NOW)).toBe('2026-12-03T02:30:00.000Z');
    expect(replayTime('2026-12-03T01:00:00Z', NOW)).toBe('2026-12-03T01:00:00.000Z');
  });

  it('refuses what is no time, naming --at', () => {
    expect(() => replayTime('25:00:00', NOW)).toThrow(/--at 25:00:00: not a time of day/);
    expect(() => replayTime('2026-02-30 10:00', NOW)).toThrow(/--at 2026-02-30 10:00: no such date or time here/);
    expect(() => replayTime('soon', NOW)).toThrow(/--at takes an ISO 8601 time/);
  });
});
