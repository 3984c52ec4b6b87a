import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileServerClock, fileServerNow } from '../../src/spool/clock.js';
import { layoutOf } from '../../src/spool/layout.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function spoolDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'spoolctl-clock-'));
  dirs.push(d);
  return d;
}

describe('file server clock', () => {
  it('reads the server time from a probe file at the top of the spool', () => {
    const l = layoutOf(spoolDir());
    const before = Date.now();
    const now = fileServerNow(l, 'host-a');
    expect(now).toBeGreaterThanOrEqual(before - 1000);
    expect(now).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('probes once per interval, not on every call', () => {
    const errors: Error[] = [];
    const l = layoutOf(spoolDir());
    const clock = new FileServerClock(l, 'host-a', (e) => errors.push(e), 60_000);
    clock.now();
    rmSync(l.root, { recursive: true });
    clock.now();
    expect(errors).toEqual([]);
  });

  it('keeps answering from the last offset when the probe cannot be written, and says why', () => {
    const errors: Error[] = [];
    const clock = new FileServerClock(layoutOf(join(spoolDir(), 'missing')), 'host-a', (e) => errors.push(e), 0);
    const now = clock.now();
    expect(Math.abs(now - Date.now())).toBeLessThan(1000);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('clock probe');
  });
});
