// Unit tests for the one judgement of a slot (src/slot-state.ts): each condition from
// the slot's files, which rule wins when several apply, and the reading of a heartbeat caught
// mid-rewrite.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initSpool } from '../../src/spool/init.js';
import { heartbeatPath, layoutOf } from '../../src/spool/layout.js';
import { isLive, judgeSlot, readSlotStates, shownSlots, type Judge, type SlotState } from '../../src/slot-state.js';
import type { Heartbeat, SlotFiles } from '../../src/spool/slots.js';

const HOST = 'this-host';
const NOW = 1_000_000;
const JUDGE: Judge = { serverNowMs: NOW, host: HOST, staleAfterMs: 10_000 };
/** A pid that ran and exited: nothing runs under it now. */
const DEAD_PID = spawnSync(process.execPath, ['-e', '']).pid!;

function beat(over: Partial<Heartbeat> = {}): Heartbeat {
  return {
    slot: 1,
    host: HOST,
    pid: process.pid,
    token: 'tok',
    state: 'idle',
    started_at: '2024-01-01T00:00:00.000Z',
    beat_at: '2024-01-01T00:00:01.000Z',
    jobs_done: 0,
    jobs_failed: 0,
    ...over,
  };
}

function files(hb: Heartbeat | undefined, ageMs = 500, over: Partial<SlotFiles> = {}): SlotFiles {
  return { heartbeat: hb, heartbeatMtimeMs: hb ? NOW - ageMs : undefined, locked: hb !== undefined, draining: false, ...over };
}

const condition = (f: SlotFiles) => judgeSlot(1, f, JUDGE).condition;

describe('judgeSlot', () => {
  it('calls a slot with no heartbeat free, even while a starting worker holds its lock', () => {
    expect(condition(files(undefined))).toBe('free');
    expect(judgeSlot(1, files(undefined, 0, { locked: true }), JUDGE)).toMatchObject({ condition: 'free', locked: true });
  });

  it('takes idle and busy from a live heartbeat, and its age by the file server clock', () => {
    expect(judgeSlot(1, files(beat(), 1234), JUDGE)).toMatchObject({ condition: 'idle', heartbeatAgeMs: 1234 });
    expect(condition(files(beat({ state: 'busy', job: 'j1' })))).toBe('busy');
  });

  it('calls a live holder draining when its marker is set or its heartbeat says so', () => {
    expect(judgeSlot(1, files(beat({ state: 'busy' }), 500, { draining: true }), JUDGE)).toMatchObject({
      condition: 'draining',
      draining: true,
    });
    expect(condition(files(beat({ state: 'draining' })))).toBe('draining');
  });

  it('calls a heartbeat older than the stale limit stale, with why', () => {
    const hb = beat({ host: 'other-host', pid: 4242 });
    expect(condition(files(hb, JUDGE.staleAfterMs))).toBe('idle');
    const stale = judgeSlot(1, files(hb, JUDGE.staleAfterMs + 1), JUDGE);
    expect(stale).toMatchObject({ condition: 'stale', reason: 'heartbeat of pid 4242 on other-host is 10.0s old (limit 10s)' });
  });

  it("calls this host's holder whose pid is gone dead at once, before its heartbeat ages", () => {
    expect(judgeSlot(1, files(beat({ pid: DEAD_PID })), JUDGE)).toMatchObject({
      condition: 'dead',
      reason: `worker pid ${DEAD_PID} on ${HOST} is not running`,
    });
    expect(condition(files(beat({ pid: DEAD_PID }), 60_000))).toBe('dead');
  });

  it("never judges another host's pid from here", () => {
    expect(condition(files(beat({ host: 'other-host', pid: DEAD_PID })))).toBe('idle');
  });

  it('keeps the drain flag of a holder that is gone, whose condition says it is gone', () => {
    expect(judgeSlot(1, files(beat({ pid: DEAD_PID }), 500, { draining: true }), JUDGE)).toMatchObject({
      condition: 'dead',
      draining: true,
    });
  });
});

describe('isLive', () => {
  it('counts idle, busy and draining holders as live', () => {
    expect((['free', 'idle', 'busy', 'draining', 'stale', 'dead'] as const).filter(isLive)).toEqual(['idle', 'busy', 'draining']);
  });
});

describe('readSlotStates', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('reads every slot, and keeps the last holder of a heartbeat that does not parse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spoolctl-slot-state-'));
    dirs.push(dir);
    initSpool(dir);
    const l = layoutOf(dir);
    const judge = { ...JUDGE, serverNowMs: Date.now() };
    writeFileSync(heartbeatPath(l, 2), JSON.stringify(beat({ slot: 2, state: 'busy' })));
    const first = readSlotStates(l, judge);
    expect(first.map((x) => x.condition)).toEqual(['free', 'busy', 'free', 'free', 'free', 'free', 'free', 'free']);
    writeFileSync(heartbeatPath(l, 2), '{"slot": 2, "ho');
    expect(readSlotStates(l, judge, first)[1]).toMatchObject({ condition: 'busy', heartbeat: { pid: process.pid } });
    expect(readSlotStates(l, judge)[1]!.condition).toBe('free');
  });

  it('reads again only the slots named, but finds a named-or-not holder on this host dead once its pid is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spoolctl-slot-state-'));
    dirs.push(dir);
    initSpool(dir);
    const l = layoutOf(dir);
    const judge = { ...JUDGE, serverNowMs: Date.now() };
    const child = spawn('sleep', ['30']);
    writeFileSync(heartbeatPath(l, 2), JSON.stringify(beat({ slot: 2, state: 'busy' })));
    writeFileSync(heartbeatPath(l, 3), JSON.stringify(beat({ slot: 3, pid: child.pid! })));
    const first = readSlotStates(l, judge);
    writeFileSync(heartbeatPath(l, 1), JSON.stringify(beat({ slot: 1 })));
    writeFileSync(heartbeatPath(l, 2), JSON.stringify(beat({ slot: 2, state: 'idle' })));
    const second = readSlotStates(l, judge, first, new Set([1]));
    expect(second.slice(0, 3).map((x) => x.condition)).toEqual(['idle', 'busy', 'idle']);
    expect(second[1]).toBe(first[1]);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(
      readSlotStates(l, judge, second, new Set())
        .slice(0, 3)
        .map((x) => x.condition),
    ).toEqual(['idle', 'busy', 'dead']);
  });
});

describe('shownSlots', () => {
  it('shows slots up to max_workers, and a higher one only when it is held or locked', () => {
    const free = (slot: number, over: Partial<SlotState> = {}) => ({ ...judgeSlot(slot, files(undefined), JUDGE), ...over }) as SlotState;
    const states = [free(1), free(2), free(3, { locked: true }), free(4), { ...judgeSlot(5, files(beat()), JUDGE), slot: 5 }];
    expect(shownSlots(states, 2).map((x) => x.slot)).toEqual([1, 2, 3, 5]);
  });
});
