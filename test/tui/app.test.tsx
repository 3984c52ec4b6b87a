// The TUI's frames at 80x24 against a real spool with a real sentinel and worker, driven by
// keys through ink-testing-library; includes a requeue that the sentinel applies.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { openSpool } from '../../src/api/spool.js';
import { App } from '../../tui/app.js';
import { ThemeProvider, type Theme } from '../../tui/theme.js';
import { makeSpool, manifest, until, type TestSpool } from '../helpers/spool.js';

const SIZE = { columns: 80, rows: 24 };
const COLOR: Theme = { color: true, ascii: false, readonly: false };
const ARROW_RIGHT = '\u001B[C';
const ENTER = '\r';
const ESC = '\u001B';

afterEach(() => cleanup());

// Strips colour and attribute escapes to measure what a person sees.
const visible = (frame: string) => frame.replace(/\u001B\[[0-9;]*m/g, '');

function mount(t: TestSpool, theme: Theme = COLOR) {
  const r = render(
    <ThemeProvider theme={theme}>
      <App spool={openSpool(t.dir)} size={SIZE} refreshMs={200} />
    </ThemeProvider>,
  );
  const frame = () => visible(r.lastFrame() ?? '');
  const press = async (keys: string) => {
    r.stdin.write(keys);
    await new Promise((res) => setTimeout(res, 60));
  };
  return { ...r, frame, press };
}

function fitsTheTerminal(frame: string) {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(SIZE.rows - 1);
  for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(SIZE.columns);
}

async function liveSpool(): Promise<TestSpool> {
  const t = makeSpool('[worker]\nheartbeat_ms = 200\n');
  t.sentinel();
  t.worker();
  await until('worker up', () => JSON.parse(t.run(['status', '--json']).stdout).slots[0].state === 'idle');
  return t;
}

describe('tui frames at 80x24', () => {
  it('draws the dashboard: sentinel, counts, the slot board with progress, the ledger tail', async () => {
    const t = await liveSpool();
    t.drop('busy-one.json', manifest('busy-one', 'work', { params: { ms: 4000 } }));
    const ui = mount(t);
    await until('busy slot with progress', () => /1 +busy +\S+ +busy-one +work +\S+ +\d+%/.test(ui.frame()) && !/ 0% /.test(ui.frame().split('\n').find((l) => l.includes('busy-one')) ?? ' 0% '), 15_000);
    const f = ui.frame();
    expect(f).toMatch(/sentinel UP \S+:\d+ up/);
    expect(f).toMatch(/pending 0 +claimed 1 +done 0/);
    expect(f).toContain('1 Dashboard');
    expect(f).toMatch(/claimed +busy-one +slot 1/);
    expect(f).toMatch(/^ {3}working \d\/4$/m);
    fitsTheTerminal(f);
  });

  it('switches views, filters, opens a job and requeues it through the sentinel', async () => {
    const t = await liveSpool();
    t.drop('ok-1.json', manifest('ok-1', 'noop'));
    t.drop('bad-1.json', manifest('bad-1', 'fail', { params: { code: 5 }, max_attempts: 1 }));
    await until('bad-1 failed', () => t.job('bad-1')?.state === 'failed');
    const ui = mount(t);
    await ui.press('2');
    await until('jobs view', () => ui.frame().includes('ID') && ui.frame().includes('pending 0'));
    await ui.press(`${ARROW_RIGHT}${ARROW_RIGHT}`);
    await until('failed tab', () => /bad-1 +failed +fail/.test(ui.frame()));
    expect(ui.frame()).toContain('1 of 1');
    fitsTheTerminal(ui.frame());
    await ui.press(ENTER);
    await until('detail', () => ui.frame().includes('timeline') && ui.frame().includes('job bad-1'));
    expect(ui.frame()).toContain('exited with code 5');
    expect(ui.frame()).toContain('upload refused: quota exceeded (exit 5)');
    fitsTheTerminal(ui.frame());
    // Requeue asks first and defaults to No.
    await ui.press('r');
    expect(ui.frame()).toContain('Requeue job bad-1 (failed)? [y/N]');
    await ui.press('n');
    expect(ui.frame()).not.toContain('[y/N]');
    expect(t.events('bad-1').some((e) => e.type === 'requeued')).toBe(false);
    await ui.press('r');
    await ui.press('y');
    await until('requeued by the sentinel', () => t.events('bad-1').some((e) => e.type === 'requeued'), 10_000);
    await until('outcome shown', () => ui.frame().includes('bad-1: requeue done (failed -> pending)'), 10_000);
    await ui.press(ESC);
    await ui.press('/ok');
    await until('filtered', () => ui.frame().includes('/ok_'));
    await ui.press(ESC);
    await ui.press('4');
    await until('events view', () => ui.frame().includes('TIME     EVENT'));
    expect(ui.frame()).toMatch(/requeued +bad-1/);
  });

  it('handles several keys in one chunk, shows help from the key table, and hides actions read-only', async () => {
    const t = await liveSpool();
    for (const id of ['a1', 'a2', 'a3', 'a4']) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('all done', () => ['a1', 'a2', 'a3', 'a4'].every((id) => t.job(id)?.state === 'done'));
    const ui = mount(t, { color: false, ascii: true, readonly: true });
    await ui.press('2');
    await ui.press('LLLL');
    await until('done tab', () => /a\d +done/.test(ui.frame()));
    await ui.press('jjj');
    await until('cursor moved three rows', () => ui.frame().includes('4 of 4'));
    await ui.press('?');
    const help = ui.frame();
    expect(help).toContain('Keys (any key closes this help)');
    expect(help).toContain('filter id/plugin/error');
    expect(help).not.toContain('requeue job');
    await ui.press('x');
    expect(ui.frame()).not.toContain('Keys (any key');
    await ui.press('r');
    expect(ui.frame()).not.toContain('[y/N]');
    expect(ui.frame()).not.toMatch(/[█░…─]/);
    fitsTheTerminal(ui.frame());
  });

  it('shows the sentinel down as a banner', async () => {
    const t = makeSpool();
    const ui = mount(t);
    await until('banner', () => ui.frame().includes('SENTINEL DOWN: nothing is dispatched'));
    fitsTheTerminal(ui.frame());
  });

  it('says the terminal is too small below 80x24', () => {
    const t = makeSpool();
    const r = render(
      <ThemeProvider theme={COLOR}>
        <App spool={openSpool(t.dir)} size={{ columns: 70, rows: 20 }} />
      </ThemeProvider>,
    );
    expect(visible(r.lastFrame() ?? '')).toContain('Terminal too small: 70x20. spoolctl tui needs at least 80x24.');
  });
});
