// Looking rather than reading, at 80x24 against a real spool with a real sentinel and worker:
// a running job's log followed and scrolled, the dashboard's completion sparkline and its
// bar chart of pending jobs by age (in ASCII with --ascii).
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSpool, manifest, until } from '../helpers/spool.js';
import { COLOR, ENTER, fitsTheTerminal, mount } from '../helpers/tui.js';

afterEach(() => cleanup());

/** A plugin that prints `tick 1` to `tick 150`, a line every 100 ms. */
const TICKER = { command: ['sh', '-c', 'i=0; while [ $i -lt 150 ]; do i=$((i+1)); echo "tick $i"; sleep 0.1; done'] };

const lastTick = (frame: string) => Math.max(0, ...[...frame.matchAll(/^tick (\d+)/gm)].map((m) => Number(m[1])));

describe('looking at the spool at 80x24', () => {
  it('opens a running job log with l, follows it, scrolls it and follows again with G', async () => {
    const t = makeSpool('[worker]\nheartbeat_ms = 200\n');
    t.plugin('ticker', TICKER);
    t.sentinel();
    t.worker();
    t.drop('chatty.json', manifest('chatty', 'ticker'));
    await until('chatty running', () => t.job('chatty')?.state === 'claimed');
    const ui = mount(t);
    await ui.see('the busy slot', () => /busy .*chatty/.test(ui.frame()));
    await ui.press('l', (f) => f.includes('log chatty claimed'));
    const first = await ui.see('ticks', () => lastTick(ui.frame()) || undefined);
    await ui.see('new lines followed', () => lastTick(ui.frame()) > first + 3);
    expect(ui.frame()).toContain('following');
    fitsTheTerminal(ui.frame());
    await ui.see('more than a screen of log', () => lastTick(ui.frame()) > 30);
    await ui.press('g', (f) => /^tick 1$/m.test(f) && f.includes('scrolled  lines 1-'));
    const held = lastTick(ui.frame());
    await new Promise((r) => setTimeout(r, 600));
    expect(lastTick(ui.frame()), 'a scrolled log stays put').toBe(held);
    // The worker's first line (=== attempt 1 ...) scrolls away first.
    await ui.press('jj', (f) => f.includes('lines 3-') && !/^tick 1$/m.test(f));
    await ui.press('G', (f) => f.includes('following') && lastTick(f) > held);
    await until('chatty done', () => t.job('chatty')?.state === 'done', 20_000);
    await ui.see('the whole log', () => ui.frame().includes('log chatty done') && lastTick(ui.frame()) === 150);
    await ui.press('\u001B', (f) => !f.includes('log chatty'));
    // From the jobs view and from a job's detail too.
    await ui.press('2');
    await ui.press('LLLL', (f) => /^chatty +done/m.test(f));
    await ui.press(ENTER, (f) => f.includes('timeline'));
    await ui.press('l', (f) => f.includes('log chatty done') && lastTick(f) === 150);
    await ui.press('\u001B', (f) => f.includes('timeline'));
    await ui.press('\u001B');
    await ui.press('l', (f) => f.includes('log chatty done'));
  });

  it('draws the completions per minute and the pending jobs by age on the dashboard, in ASCII with --ascii', async () => {
    const t = makeSpool();
    t.sentinel();
    t.worker();
    for (const id of ['quick-1', 'quick-2', 'quick-3']) t.drop(`${id}.json`, manifest(id, 'noop'));
    for (const id of ['later-1', 'later-2']) t.drop(`${id}.json`, manifest(id, 'noop', { not_before: '2099-01-01T00:00:00Z' }));
    await until('three done, two pending', () => ['quick-1', 'quick-2', 'quick-3'].every((id) => t.job(id)?.state === 'done'));
    await until('two pending', () => t.job('later-2')?.state === 'pending');
    const ui = mount(t);
    const chart = (f: string) => f.split('\n').findIndex((l) => /^done\/min, last 30m \(max [23]\)/.test(l));
    await ui.see('the charts', () => chart(ui.frame()) >= 0 && ui.frame().includes('pending by age (2)'));
    const lines = ui.frame().split('\n');
    const at = chart(ui.frame());
    // The completions fell in the last minute (or two): the sparkline's last column is its top.
    expect(lines[at + 1]).toMatch(/^ {28}[ ▁-█]█ +███ +2 +0 +0 +0 +0 +0$/u);
    expect(lines[at + 2]).toMatch(/^-30m +now +<5m +5-30m +30m-2h +2-12h +12h-2d +>2d$/);
    // The charts take their lines from the ledger tail: all four slots keep theirs.
    expect(lines[at + 3]).toMatch(/^── ledger/);
    fitsTheTerminal(ui.frame());
    cleanup();
    const plain = mount(t, { ...COLOR, ascii: true });
    await plain.see('ASCII charts', () => /^ {28}[ -~]# +### +2 /m.test(plain.frame()));
    expect(plain.frame()).not.toMatch(/[▁▂▃▄▅▆▇█]/u);
  });
});
