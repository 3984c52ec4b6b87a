// Width, time, order and filter, against a real spool with a real sentinel (and a worker):
// the jobs and events views' columns grow at 132 columns, times are local (TZ) with the zone
// in the header or UTC with --utc, `s` cycles the sort key and `/!x` keeps what does not match.
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSpool, manifest, until } from '../helpers/spool.js';
import { countsThatFit } from '../../tui/components/Header.js';
import { zoneName } from '../../tui/text.js';
import { ARROW_LEFT, ARROW_RIGHT, COLOR, fitsTheTerminal, mount, sentinelOnly } from '../helpers/tui.js';

afterEach(() => cleanup());

const WIDE = { columns: 132, rows: 40 };
const LONG_ID = 'nightly-archive-of-the-accounting-share-2026';
const ERROR = 'exited with code 5 (attempt 1 of 1)';

describe('columns, times, order and filter', () => {
  it('shows a long id, error and plugin whole at 132 columns and cuts them at 80, in the jobs, events and dashboard views', async () => {
    const t = makeSpool();
    t.sentinel();
    t.worker();
    t.drop(`${LONG_ID}.json`, manifest(LONG_ID, 'fail', { params: { code: 5 }, max_attempts: 1 }));
    await until('failed', () => t.job(LONG_ID)?.state === 'failed');
    t.plugin('resize-image-large', { command: ['sleep', '30'] });
    t.drop('big.json', manifest('big', 'resize-image-large'));
    await until('big running', () => t.job('big')?.state === 'claimed');
    const narrow = mount(t);
    await narrow.see('the plugin cut on the slot board', () => /busy .* big +resize-i… /.test(narrow.frame()));
    await narrow.press('2');
    await narrow.press(`${ARROW_RIGHT}${ARROW_RIGHT}`, (f) => f.includes('nightly-archive-of-…'));
    expect(narrow.frame()).not.toContain(LONG_ID);
    expect(narrow.frame()).not.toContain(ERROR);
    fitsTheTerminal(narrow.frame());
    await narrow.press('4', (f) => f.includes('failed       nightly-archi…'));
    expect(narrow.frame()).not.toContain(LONG_ID);
    cleanup();
    const wide = mount(t, COLOR, WIDE);
    await wide.see('the plugin whole on the slot board', () => /busy .* big +resize-image-large /.test(wide.frame()));
    await wide.press('2');
    await wide.press(`${ARROW_RIGHT}${ARROW_RIGHT}`, (f) => f.includes(LONG_ID));
    expect(wide.frame()).toMatch(new RegExp(`^${LONG_ID} +failed +fail +0 +1 .* ${ERROR.replace(/[()]/g, '\\$&')}`, 'm'));
    expect(wide.frame()).toMatch(/^ID {43}STATE/m);
    await wide.press('4', (f) => new RegExp(`failed +${LONG_ID} +slot`).test(f));
    expect(wide.frame()).toMatch(/^TIME +EVENT +JOB {42}WHERE/m);
  });

  it('gives WAITING/ERROR what short ids and plugin names leave at 80 columns', async () => {
    const { t } = await sentinelOnly();
    t.drop('short-1.json', manifest('short-1', 'no-such-plugin'));
    await until('rejected', () => t.job('short-1')?.state === 'rejected');
    const error = String(t.job('short-1')!.last_error);
    const ui = mount(t);
    await ui.press('2');
    await ui.press(`${ARROW_LEFT}${ARROW_LEFT}`, (f) => /^short-1 +rejected/m.test(f));
    // ID takes 7 columns and PLUGIN 6 (its title), so the error gets 80 - 35 - 7 - 6 = 32 of them.
    const row = ui
      .frame()
      .split('\n')
      .find((l) => l.startsWith('short-1'))!;
    expect(row.endsWith(` ${error.slice(0, 31)}…`), row).toBe(true);
    expect(row).toMatch(/^short-1 rejected +- +0 +0 +\d+s +unknown plugin/);
    fitsTheTerminal(ui.frame());
  });

  it('shows times in the local zone named in the header, or in UTC with --utc', async () => {
    const { t } = await sentinelOnly();
    t.drop('tz-1.json', manifest('tz-1', 'noop'));
    const due = new Date(Date.now() + 7_200_000);
    t.drop('tz-2.json', manifest('tz-2', 'noop', { not_before: due.toISOString() }));
    await until('admitted', () => t.job('tz-1')?.state === 'pending' && t.job('tz-2')?.state === 'pending');
    const at = new Date(t.events('tz-1')[0]!.at);
    const saved = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata';
    try {
      const local = new Date(at.getTime() + 5.5 * 3600_000).toISOString().slice(11, 19);
      const ui = mount(t);
      await ui.see('the zone in the header', () => /^spoolctl .* \d\d:\d\d:\d\d \+05:30 sentinel UP/.test(ui.frame()));
      await ui.see('the submission at local time', () => new RegExp(`^${local} submitted +tz-1`, 'm').test(ui.frame()));
      const dueLocal = new Date(due.getTime() + 5.5 * 3600_000).toISOString().slice(11, 19);
      await ui.see('why a job waits, at local time', () => ui.frame().includes(`1 scheduled, next at ${dueLocal}`));
      cleanup();
      const utc = mount(t, { ...COLOR, utc: true });
      await utc.see('UTC in the header', () => /^spoolctl .* \d\d:\d\d:\d\d UTC sentinel UP/.test(utc.frame()));
      expect(utc.frame()).toMatch(new RegExp(`^${at.toISOString().slice(11, 19)} submitted +tz-1`, 'm'));
      await utc.see('why a job waits, in UTC', () => utc.frame().includes(`1 scheduled, next at ${due.toISOString().slice(11, 19)}`));
      // A zone with an abbreviation is named by it, in winter and in summer.
      const winter = new Date('2026-01-15T12:00:00Z');
      process.env.TZ = 'Europe/Berlin';
      expect([zoneName(false, winter), zoneName(false, new Date('2026-07-15T12:00:00Z'))]).toEqual(['CET', 'CEST']);
      process.env.TZ = 'America/New_York';
      expect(zoneName(false, winter)).toBe('EST');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('cycles the sort key with s and inverts the filter with a leading !, both shown in the header', async () => {
    const { t } = await sentinelOnly();
    // Submitted (created_at) in the order b, a, c.
    t.drop('b-low.json', manifest('b-low', 'noop', { priority: 1, created_at: '2026-01-01T00:00:00Z' }));
    t.drop('a-high.json', manifest('a-high', 'work', { priority: 9, created_at: '2026-01-01T01:00:00Z' }));
    t.drop('c-mid.json', manifest('c-mid', 'echo-args', { priority: 5, created_at: '2026-01-01T02:00:00Z' }));
    await until('admitted', () => ['a-high', 'b-low', 'c-mid'].every((id) => t.job(id)?.state === 'pending'));
    const ui = mount(t);
    const order = () => [...ui.frame().matchAll(/^([abc]-\w+) +pending/gm)].map((m) => m[1]).join();
    // The ledger's order of pending jobs is the dispatch order: highest priority first.
    await ui.press('2', (f) => f.includes('sort: ledger') && order() === 'a-high,c-mid,b-low');
    await ui.press('s', (f) => f.includes('sort: age') && order() === 'b-low,a-high,c-mid');
    await ui.press('s', (f) => f.includes('sort: priority') && order() === 'a-high,c-mid,b-low');
    await ui.press('s', (f) => f.includes('sort: plugin') && order() === 'c-mid,b-low,a-high');
    await ui.press('/!high', (f) => f.includes('filter: !high'));
    await ui.press('\r');
    await ui.see('the others', () => order() === 'c-mid,b-low');
    expect(ui.frame()).toMatch(/^1 of 2 matching/m);
    expect(ui.frame()).toMatch(/^ 1 Dashboard +2 Jobs +3 Slots +4 Events +sort: plugin +filter: !high$/m);
    fitsTheTerminal(ui.frame());
  });

  it('fits the counts line in 80 columns with big counts: rare states at zero go first, then long names', () => {
    const text = (room: number, counts: Record<string, number>) =>
      countsThatFit(counts, room)
        .map((e) => e.label + e.text)
        .join('');
    const rate = ' 35/min upd 0s'.length;
    const small = { pending: 2, claimed: 4, done: 9, failed: 1, held: 0, rejected: 0, cancelled: 0, scheduled: 0 };
    expect(text(80 - rate, small)).toBe('pending 2 claimed 4 done 9 failed 1 held 0 rejected 0 cancelled 0 ');
    const big = { pending: 123, claimed: 8, done: 9876, failed: 32, held: 0, rejected: 0, cancelled: 7, scheduled: 0 };
    expect(text(80 - rate, big)).toBe('pending 123 claimed 8 done 9876 failed 32 cancelled 7 ');
    const huge = { ...big, pending: 1234, done: 98765, failed: 321, held: 5, scheduled: 12 };
    const line = text(80 - rate, huge);
    expect(line).toBe('pend 1234 (12 sched) run 8 done 98765 fail 321 held 5 canc 7 ');
    expect(line.length).toBeLessThanOrEqual(80 - rate);
  });
});
