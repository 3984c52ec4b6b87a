// Acceptance (one judgement of a slot): every slot condition built from real files in a real
// spool, and `status` (JSON and human), `workers list` (JSON and human), the `workers cleanup`
// plan and the TUI's dashboard and slots view all say the same word for each slot.
import { spawnSync } from 'node:child_process';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { openSpool } from '../../src/api/spool.js';
import type { SlotStatus } from '../../src/api/slots.js';
import type { WorkerRow } from '../../src/api/workers.js';
import { hostId } from '../../src/config/identity.js';
import type { SlotCondition } from '../../src/slot-state.js';
import type { Heartbeat } from '../../src/spool/slots.js';
import { App } from '../../tui/app.js';
import { ThemeProvider } from '../../tui/theme.js';
import { makeSpool, until, type TestSpool } from '../helpers/spool.js';

const STALE_AFTER_MS = 30_000;

/** Slot number to the one word every output must show for it. */
const EXPECTED: Record<number, SlotCondition> = { 1: 'free', 2: 'idle', 3: 'busy', 4: 'draining', 5: 'stale', 6: 'dead' };
/** The same slots in `status --json`'s older `state`, which scripts read. */
const COMPATIBLE: Record<number, SlotStatus['state']> = { 1: 'free', 2: 'idle', 3: 'busy', 4: 'busy', 5: 'stale', 6: 'stale' };

afterEach(() => cleanup());

function writeHeartbeat(t: TestSpool, slot: number, over: Partial<Heartbeat>): string {
  const now = new Date().toISOString();
  const hb: Heartbeat = {
    slot,
    host: hostId(),
    // This test's own process: a live worker on this host.
    pid: process.pid,
    token: `token-${slot}`,
    state: 'idle',
    started_at: now,
    beat_at: now,
    jobs_done: 2,
    jobs_failed: 1,
    ...over,
  };
  const path = join(t.dir, 'slots', `slot-${slot}.json`);
  writeFileSync(path, JSON.stringify(hb));
  return path;
}

/** A spool whose slots 1 to 6 are, in order, free, idle, busy, draining, stale and dead. */
function everyCondition(): TestSpool {
  const t = makeSpool(`[worker]\nmax_workers = 6\nstale_after_ms = ${STALE_AFTER_MS}\n`);
  writeHeartbeat(t, 2, {});
  writeHeartbeat(t, 3, { state: 'busy', job: 'job-3', plugin: 'work', progress: 0.5, job_started_at: new Date().toISOString() });
  writeHeartbeat(t, 4, { state: 'busy', job: 'job-4', plugin: 'work', progress: 0.2, job_started_at: new Date().toISOString() });
  writeFileSync(join(t.dir, 'slots', 'slot-4.drain'), new Date().toISOString());
  const old = (Date.now() - 4 * STALE_AFTER_MS) / 1000;
  utimesSync(writeHeartbeat(t, 5, { host: 'another-host', pid: 4242 }), old, old);
  writeHeartbeat(t, 6, { pid: spawnSync(process.execPath, ['-e', '']).pid! });
  return t;
}

function run(t: TestSpool, args: string[]): string {
  const r = t.run(args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** Slot number to the state word of each table row that starts with a slot number. */
function wordsOf(text: string): Record<number, string> {
  const rows = [...stripVTControlCharacters(text).matchAll(/^([1-8]) +([a-z]+)\b/gm)];
  return Object.fromEntries(rows.map((m) => [Number(m[1]), m[2]!]));
}

describe('every slot condition, said the same everywhere', () => {
  it('status, workers list, workers cleanup and the TUI agree on each slot', async () => {
    const t = everyCondition();

    const status = JSON.parse(run(t, ['status', '--json'])) as { slots: SlotStatus[] };
    expect(Object.fromEntries(status.slots.map((x) => [x.slot, x.condition]))).toEqual(EXPECTED);
    expect(Object.fromEntries(status.slots.map((x) => [x.slot, x.state]))).toEqual(COMPATIBLE);
    expect(status.slots.filter((x) => x.draining).map((x) => x.slot)).toEqual([4]);
    expect(status.slots.find((x) => x.slot === 5)?.reason).toMatch(/^heartbeat of pid 4242 on another-host is \d+\.\ds old \(limit 30s\)$/);
    expect(status.slots.find((x) => x.slot === 6)?.reason).toMatch(/^worker pid \d+ on .+ is not running$/);

    expect(wordsOf(run(t, ['status']))).toEqual(EXPECTED);

    const workers = JSON.parse(run(t, ['workers', 'list', '--json'])) as { slots: WorkerRow[] };
    expect(Object.fromEntries(workers.slots.map((x) => [x.slot, x.state]))).toEqual(EXPECTED);
    const listed = run(t, ['workers', 'list']);
    expect(wordsOf(listed)).toEqual(EXPECTED);
    expect(listed).toMatch(/^slot 5 stale: heartbeat of pid 4242 on another-host/m);
    expect(listed).toMatch(/^slot 6 dead: worker pid \d+ on .+ is not running/m);

    // No terminal and no --yes: it prints the plan and changes nothing.
    const plan = t.run(['workers', 'cleanup']);
    expect(plan.stdout.match(/^ {2}slot \d: remove the lock and heartbeat of \w+ worker/gm)).toEqual([
      '  slot 5: remove the lock and heartbeat of stale worker',
      '  slot 6: remove the lock and heartbeat of dead worker',
    ]);

    const ui = render(
      <ThemeProvider theme={{ color: false, ascii: false, readonly: true }}>
        <App spool={openSpool(t.dir)} size={{ columns: 80, rows: 24 }} refreshMs={200} />
      </ThemeProvider>,
    );
    const frame = () => ui.lastFrame() ?? '';
    await until('the dashboard shows every slot', () => Object.keys(wordsOf(frame())).length === 6, 10_000);
    expect(wordsOf(frame())).toEqual(EXPECTED);
    ui.stdin.write('3');
    await until('the slots view', () => frame().includes('JOB / WHY'), 10_000);
    expect(wordsOf(frame())).toEqual(EXPECTED);
    for (const line of frame().split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
  });
});
