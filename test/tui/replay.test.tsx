// Acceptance (README, "Replay"): `tui --at` shows the slot board, counts and ledger tail the
// ledger implies at a moment, compared with what `status --json` said at that moment while
// real workers ran; it steps by event and by minute, plays, and is read-only.
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Replay } from '../../src/api/replay.js';
import { openSpool } from '../../src/api/spool.js';
import { makeSpool, manifest, until } from '../helpers/spool.js';
import { COLOR, fitsTheTerminal, mount } from '../helpers/tui.js';

afterEach(() => cleanup());

const READONLY = { ...COLOR, readonly: true };

describe('replay', () => {
  it('shows the slots, counts and events of a recorded moment, steps by event and minute, and plays', async () => {
    const t = makeSpool('[worker]\nheartbeat_ms = 200\n');
    t.sentinel();
    t.worker();
    t.worker();
    await until('two workers', () => t.status().slots.filter((x: { condition: string }) => x.condition === 'idle').length === 2);
    t.drop('long-a.json', manifest('long-a', 'work', { params: { ms: 3000 } }));
    t.drop('long-b.json', manifest('long-b', 'work', { params: { ms: 3000 } }));
    t.drop('queued.json', manifest('queued', 'work', { params: { ms: 3000 }, priority: -1 }));
    // The moment: both slots busy, one job waiting, as status --json says it then.
    const then = await until('both running', () => {
      const st = t.status();
      return st.slots.filter((x: { condition: string }) => x.condition === 'busy').length === 2 && st.counts.pending === 1 ? st : undefined;
    });
    const at = Date.now();
    await until('all done', () => ['long-a', 'long-b', 'queued'].every((id) => t.job(id)?.state === 'done'), 20_000);

    const replay = Replay.open(openSpool(t.dir), at);
    const ui = mount(t, READONLY, undefined, replay);
    await ui.see('the replay banner', () => /^REPLAY \d{4}-\d\d-\d\d \d\d:\d\d:\d\d #\d+ paused/m.test(ui.frame()));
    for (const slot of then.slots as { slot: number; condition: string; host: string; pid: number; job: string | null }[]) {
      const holder = slot.host ? `${slot.host}:${slot.pid}` : '-';
      const row = new RegExp(`^${slot.slot} +${slot.condition} +${holder} +${slot.job ?? '-'}`, 'm');
      expect(ui.frame(), `slot ${slot.slot}`).toMatch(row);
    }
    expect(ui.frame()).toMatch(new RegExp(`^pending ${then.counts.pending} claimed ${then.counts.claimed} done ${then.counts.done} `, 'm'));
    fitsTheTerminal(ui.frame());
    // Nothing that changes the spool is offered.
    expect(ui.frame()).toContain('read-only');

    const seq = () => Number(/^REPLAY .* #(\d+) /m.exec(ui.frame())![1]);
    const before = seq();
    await ui.press('.', () => seq() === before + 1);
    await ui.press(',', () => seq() === before);
    // A minute on: everything the workers did is done, and the board shows no job.
    await ui.press('>', () => /^pending 0 claimed 0 done 3 /m.test(ui.frame()));
    expect(ui.frame()).toMatch(/^1 +idle +\S+:\d+ +-\s*$/m);
    await ui.press('<', () => seq() === before);
    await ui.press('+', () => /#\d+ paused/.test(ui.frame()));
    await ui.press(' ', () => /playing 10x/.test(ui.frame()));
    await ui.see('played on to the end', () => /^pending 0 claimed 0 done 3 /m.test(ui.frame()), 10_000);
    replay.close();
  });

  it('refuses, in one line, a time it cannot read or one before the ledger begins', async () => {
    const t = makeSpool();
    t.sentinel();
    await until('a ledger', () => t.events().length > 0);
    for (const [at, said] of [
      ['yesterday-ish', /--at takes an ISO 8601 time/],
      ['2000-01-01T00:00Z', /starts at .*: replay from that time or later/],
    ] as const) {
      const r = t.run(['tui', '--at', at]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(said);
    }
  });
});
