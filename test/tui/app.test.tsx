// The TUI's frames at 80x24 against a real spool with a real sentinel and worker, driven by
// keys through ink-testing-library; includes a requeue that the sentinel applies.
import { linkSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryJobs } from '../../src/api/jobs.js';
import { openSpool } from '../../src/api/spool.js';
import { App } from '../../tui/app.js';
import { ThemeProvider } from '../../tui/theme.js';
import { ESC, sgrPattern, sgrSequences, visible } from '../helpers/ansi.js';
import { exitedWithin, makeSpool, manifest, until, type TestSpool } from '../helpers/spool.js';
import {
  ARROW_LEFT,
  ARROW_RIGHT,
  BACKSPACE,
  COLOR,
  ENTER,
  fitsTheTerminal,
  mount,
  PAGE_DOWN,
  PAGE_UP,
  position,
  sentinelOnly,
  TAB,
} from '../helpers/tui.js';

// Ink's colours and attributes are written only when chalk thinks the output takes them; the
// test's stdout is no terminal (and CI=true), so force them for this file's imports, or a
// frame without colour proves nothing. Removed again so that no child process inherits it.
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});
delete process.env.FORCE_COLOR;

afterEach(() => cleanup());

/** SGR parameters in a raw frame that set a colour (39/49 only reset it). */
function colourCodes(rawFrame: string): string[] {
  return sgrSequences(rawFrame)
    .filter(({ params }) =>
      params.some((p) => (p >= 30 && p <= 38) || (p >= 40 && p <= 48) || (p >= 90 && p <= 97) || (p >= 100 && p <= 107)),
    )
    .map(({ sequence }) => sequence);
}

async function liveSpool(): Promise<TestSpool> {
  const t = makeSpool('[worker]\nheartbeat_ms = 200\n');
  t.sentinel();
  t.worker();
  await until('worker up', () => t.status().slots[0].state === 'idle');
  return t;
}

describe('tui frames at 80x24', () => {
  it('draws the dashboard: sentinel, counts, the slot board with progress, the ledger tail', async () => {
    const t = await liveSpool();
    t.drop('busy-one.json', manifest('busy-one', 'work', { params: { ms: 4000 } }));
    const ui = mount(t);
    await until(
      'busy slot with progress',
      () =>
        /1 +busy +\S+ +busy-one +work +\S+ +\d+%/.test(ui.frame()) &&
        !/ 0% /.test(
          ui
            .frame()
            .split('\n')
            .find((l) => l.includes('busy-one')) ?? ' 0% ',
        ),
      15_000,
    );
    const f = ui.frame();
    expect(f).toMatch(/sentinel UP \S+:\d+ up/);
    expect(f).toMatch(/pending 0 +claimed 1 +done 0/);
    expect(f).toContain('1 Dashboard');
    expect(f).toMatch(/claimed +busy-one +slot 1/);
    expect(f).toMatch(/^ {3}working \d\/4$/m);
    expect(f).not.toContain('journal');
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
    await ui.press('r', (f) => f.includes('Requeue job bad-1 (failed)? [y/N]'));
    await ui.press('n', (f) => !f.includes('[y/N]'));
    expect(t.events('bad-1').some((e) => e.type === 'requeued')).toBe(false);
    await ui.press('r');
    await ui.press('y');
    await until('requeued by the sentinel', () => t.events('bad-1').some((e) => e.type === 'requeued'), 10_000);
    await until('outcome shown', () => ui.frame().includes('bad-1: requeue done (failed -> pending)'), 10_000);
    await ui.press(ESC);
    // The "all" tab lists both jobs; the filter leaves only the matching one.
    await ui.press('LLLLL');
    await ui.see('all tab with both jobs', () => /ok-1 +\w+/.test(ui.frame()) && /bad-1 +\w+/.test(ui.frame()));
    expect(position(ui.frame())).toMatch(/^1 of [2-9]\d*$/);
    await ui.press('/ok');
    await ui.see('filtered', () => ui.frame().includes('/ok_'));
    await ui.see('the list filtered', () => !/^bad-1 /m.test(ui.frame()) && /^ok-1 +\w+/m.test(ui.frame()));
    expect(position(ui.frame())).toBe('1 of 1 matching');
    // A job that succeeded silently has no log file, and the detail says so.
    await until('ok-1 done', () => t.job('ok-1')?.state === 'done');
    await ui.press(ENTER);
    await ui.press(ENTER);
    await until('ok-1 detail', () => ui.frame().includes('job ok-1') && ui.frame().includes('timeline'));
    expect(ui.frame()).toContain('(none: the job printed nothing)');
    fitsTheTerminal(ui.frame());
    await ui.press(ESC);
    await ui.see('back to the filtered list', () => position(ui.frame()) === '1 of 1 matching');
    await ui.press(ESC);
    await ui.see('the filter cleared', () => /^bad-1 +\w+/m.test(ui.frame()) && /^ok-1 +\w+/m.test(ui.frame()));
    expect(position(ui.frame())).not.toContain('matching');
    await ui.press('4');
    await ui.see('events view', () => ui.frame().includes('TIME     EVENT'));
    expect(ui.frame()).toMatch(/requeued +bad-1/);
  });

  it('handles several keys in one chunk, shows help from the key table, and hides actions read-only', async () => {
    const t = await liveSpool();
    for (const id of ['a1', 'a2', 'a3', 'a4']) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('all done', () => ['a1', 'a2', 'a3', 'a4'].every((id) => t.job(id)?.state === 'done'));
    const ui = mount(t, { color: false, ascii: true, readonly: true });
    await ui.press('2');
    await ui.press('LLLL');
    await ui.see('done tab', () => /a\d +done/.test(ui.frame()));
    await ui.press('jjj');
    await ui.see('cursor moved three rows', () => ui.frame().includes('4 of 4'));
    await ui.press('?', (f) => f.includes('Keys (any key closes this help)'));
    const help = ui.frame();
    expect(help).toContain('Keys (any key closes this help)');
    expect(help).toContain('filter id/plugin/error');
    expect(help).not.toContain('requeue job');
    await ui.press('x', (f) => !f.includes('Keys (any key'));
    // Read-only, r does nothing. The help opened and closed after it proves Ink has read the
    // r (a question, had r asked one, would have taken the ? as its No).
    const framesBefore = ui.frames.length;
    await ui.type('r');
    await ui.press('?', (f) => f.includes('Keys (any key closes this help)'));
    await ui.press('x', (f) => !f.includes('Keys (any key'));
    expect(ui.frames.slice(framesBefore).filter((f) => f.includes('[y/N]'))).toEqual([]);
    expect(ui.frame()).not.toMatch(/[█░…─]/);
    fitsTheTerminal(ui.frame());
  });

  it('shows the sentinel down as a banner', async () => {
    const t = makeSpool();
    const ui = mount(t);
    await ui.see('banner', () => ui.frame().includes('SENTINEL DOWN: nothing is dispatched'));
    fitsTheTerminal(ui.frame());
  });

  it('marks the journal behind in the header while the share refuses it, and drops the mark once it catches up', async () => {
    const t = makeSpool('[sentinel]\nscan_interval_ms = 200\n');
    // About 6 s of refusals at one flush per 200 ms pass.
    t.sentinel({ SPOOLCTL_FAILPOINTS: 'journal.before-append=30*error(ENOSPC)' });
    const ui = mount(t);
    const line = await ui.see(
      'the journal mark',
      () =>
        ui
          .frame()
          .split('\n')
          .find((l) => /journal BEHIND \d+$/.test(l)),
      10_000,
    );
    expect(line).toMatch(/sentinel UP \S+:\d+ up \S+ journal BEHIND \d+$/);
    fitsTheTerminal(ui.frame());
    await ui.see('the mark gone', () => !ui.frame().includes('journal'), 20_000);
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

describe('tui views and keys at 80x24', () => {
  it('draws the slots view (3) and drains the selected slot after asking, default No', async () => {
    const t = makeSpool('[worker]\nheartbeat_ms = 200\n');
    t.sentinel();
    const worker = t.worker();
    await until('worker up', () => t.status().slots[0].state === 'idle');
    t.drop('slow-one.json', manifest('slow-one', 'work', { params: { ms: 3000 } }));
    const ui = mount(t);
    await ui.press('3');
    await ui.see(
      'slots view with the busy slot',
      () => /^1 +busy +\S+:\d+ +\d+ +\d+ +[\d.]+s +slow-one \S+ \d+%/m.test(ui.frame()),
      15_000,
    );
    const f = ui.frame();
    expect(f).toMatch(/^# +STATE +HOST:PID +DONE +FAIL +BEAT +JOB \/ WHY/m);
    for (const slot of [2, 3, 4]) expect(f).toMatch(new RegExp(`^${slot} +free +- +- +- +-`, 'm'));
    expect(f).toContain('max_workers 4   d drain the selected slot');
    expect(f).not.toContain('#  STATE    HOST:PID      JOB'); // not the dashboard's board
    fitsTheTerminal(f);
    expect(ui.selected()).toMatch(/^1 +busy/);
    // j and k move the selection over the slots.
    await ui.press('j');
    await ui.see('slot 2 selected', () => /^2 +free/.test(ui.selected() ?? ''));
    await ui.press('k');
    await ui.see('slot 1 selected', () => /^1 +busy/.test(ui.selected() ?? ''));
    // Drain asks; Enter (like any key but y) is No.
    await ui.press('d', (f) => f.includes('Drain slot 1: its worker finishes its job, then exits? [y/N]'));
    await ui.press(ENTER, (f) => !f.includes('[y/N]'));
    expect(t.events().some((e) => e.type === 'drain_requested')).toBe(false);
    await ui.press('d');
    await ui.press('y');
    await until('drain applied by the sentinel', () => t.events().some((e) => e.type === 'drain_requested' && e.slot === 1), 10_000);
    await ui.see('outcome shown', () => ui.frame().includes('slot-1: drain done (active -> draining)'), 10_000);
    await ui.see('slot shown draining', () => /^1 +draining +\S+:\d+/m.test(ui.frame()), 10_000);
    // The worker finishes its job, then exits; the slot stays drained, with no holder.
    await exitedWithin(worker, 15_000, 'after its drain');
    await ui.see('slot drained, no holder', () => /^1 +free +- +- +- +- +drained: no worker until undrain/m.test(ui.frame()), 10_000);
    expect(t.job('slow-one')?.state).toBe('done');
  });

  it('moves the selection with j/k, g/G and PgUp/PgDn, switches views with tab and states with left/right', async () => {
    const { t } = await sentinelOnly();
    const ids = Array.from({ length: 40 }, (_, i) => `job-${String(i + 1).padStart(2, '0')}`);
    for (const id of ids) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('all admitted', () => ids.every((id) => t.job(id)?.state === 'pending'));
    const order = queryJobs(openSpool(t.dir), { state: 'pending', limit: 100 }).map((j) => j.id);
    expect(order).toHaveLength(40);
    const ui = mount(t);
    await ui.press('2');
    await ui.see('jobs view', () => position(ui.frame()) === '1 of 40');
    const at = async (n: number) => {
      await ui.see(`row ${n} selected`, () => position(ui.frame()) === `${n} of 40` && ui.selected()?.startsWith(order[n - 1]!));
      fitsTheTerminal(ui.frame());
    };
    await at(1);
    await ui.press('j');
    await at(2);
    await ui.press('jj');
    await at(4);
    await ui.press('k');
    await at(3);
    await ui.press('G');
    await at(40);
    await ui.type('j');
    await at(40);
    await ui.press('g');
    await at(1);
    await ui.type('k');
    await at(1);
    // A page is the rows the view shows (16 at 80x24).
    await ui.press(PAGE_DOWN);
    await at(17);
    await ui.press(PAGE_DOWN);
    await at(33);
    await ui.press(PAGE_DOWN);
    await at(40);
    await ui.press(PAGE_UP);
    await at(24);
    await ui.press(`${PAGE_UP}${PAGE_UP}`);
    await at(1);
    // left/right walk the state tabs, wrapping around.
    expect(ui.inverse()).toContain(' pending 40 ');
    await ui.press(ARROW_RIGHT);
    await ui.see('claimed tab', () => ui.inverse().includes(' claimed 0 ') && position(ui.frame()) === '0 of 0');
    await ui.press(ARROW_LEFT);
    await ui.see('pending tab', () => ui.inverse().includes(' pending 40 ') && position(ui.frame()) === '1 of 40');
    await ui.press(ARROW_LEFT);
    await ui.see('all tab', () => ui.inverse().includes(' all ') && position(ui.frame()) === '1 of 40');
    await ui.press(ARROW_RIGHT);
    await ui.see('pending tab again', () => ui.inverse().includes(' pending 40 '));
    // tab goes through the views in order and back to the dashboard.
    await ui.press(TAB);
    await ui.see('slots view', () => ui.frame().includes('JOB / WHY') && ui.inverse().includes(' 3 Slots '));
    await ui.press(TAB);
    await ui.see('events view', () => ui.frame().includes('TIME     EVENT') && ui.inverse().includes(' 4 Events '));
    await ui.press(TAB);
    await ui.see('dashboard', () => ui.frame().includes('── ledger') && ui.inverse().includes(' 1 Dashboard '));
    await ui.press(TAB);
    await ui.see('jobs view', () => position(ui.frame()) === '1 of 40' && ui.inverse().includes(' 2 Jobs '));
  });

  it('filters as you type: rows that do not match go, and "N of M" follows', async () => {
    const { t } = await sentinelOnly();
    const ids = ['alpha-1', 'alpha-2', 'beta-1'];
    for (const id of ids) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('admitted', () => ids.every((id) => t.job(id)?.state === 'pending'));
    const ui = mount(t);
    await ui.press('2');
    await ui.see('jobs view', () => position(ui.frame()) === '1 of 3' && ids.every((id) => ui.frame().includes(id)));
    await ui.press('/alp');
    await ui.see('filtered', () => ui.frame().includes('/alp_') && !ui.frame().includes('beta-1'));
    expect(ui.frame()).toMatch(/alpha-1 +pending/);
    expect(ui.frame()).toMatch(/alpha-2 +pending/);
    expect(position(ui.frame())).toBe('1 of 2 matching');
    // Keys typed while filtering are text, not commands.
    await ui.press('j');
    await ui.see('no match', () => ui.frame().includes('/alpj_') && !ui.frame().includes('alpha-1'));
    expect(position(ui.frame())).toBe('0 of 0 matching');
    await ui.press(`${BACKSPACE}${BACKSPACE}${BACKSPACE}${BACKSPACE}`);
    await ui.see('filter emptied', () => ui.frame().includes(' /_') && ids.every((id) => ui.frame().includes(id)));
    // Typed ahead in one chunk, Enter included.
    await ui.press(`beta${ENTER}`);
    await ui.see('filter kept after enter', () => ui.frame().includes('filter: beta') && !ui.frame().includes('alpha-'));
    expect(position(ui.frame())).toBe('1 of 1 matching');
    await ui.press(ESC);
    // The selection stays on beta-1, now the third row of the whole list.
    await ui.see('filter cleared', () => position(ui.frame()) === '3 of 3' && ids.every((id) => ui.frame().includes(id)));
    expect(ui.selected()).toMatch(/^beta-1 /);
    expect(ui.frame()).not.toContain('filter:');
  });

  it('holds and releases with h, and cancels with c only after a yes', async () => {
    const { t } = await sentinelOnly();
    for (const id of ['keep-1', 'stop-1']) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('admitted', () => ['keep-1', 'stop-1'].every((id) => t.job(id)?.state === 'pending'));
    const order = queryJobs(openSpool(t.dir), { state: 'pending', limit: 10 }).map((j) => j.id);
    const ui = mount(t);
    await ui.press('2');
    await ui.see('jobs view', () => position(ui.frame()) === '1 of 2');
    // Select keep-1 and hold it: no question, the sentinel applies it.
    if (order[0] !== 'keep-1') await ui.press('j');
    await ui.see('keep-1 selected', () => ui.selected()?.startsWith('keep-1'));
    await ui.press('h');
    await until('held by the sentinel', () => t.job('keep-1')?.state === 'held', 10_000);
    await ui.see('hold shown', () => ui.frame().includes('keep-1: hold done (pending -> held)'));
    await ui.see('gone from pending', () => !/^keep-1 /m.test(ui.frame()));
    // On the held tab, h releases it.
    await ui.press('LLL');
    await ui.see('held tab', () => ui.inverse().includes(' held 1 ') && /keep-1 +held/.test(ui.frame()));
    await ui.press('h');
    await until('released by the sentinel', () => t.job('keep-1')?.state === 'pending', 10_000);
    await ui.see('release shown', () => ui.frame().includes('keep-1: release done (held -> pending)'));
    expect(t.events('keep-1').map((e) => e.type)).toEqual(expect.arrayContaining(['held', 'released']));
    // Cancel asks, and anything but y (n, Enter, Esc) is No.
    await ui.press('HHH');
    await ui.see('pending tab', () => ui.inverse().includes(' pending 2 '));
    await ui.type('g');
    // keep-1 came back to pending: the list's order is the sort's, not the order at the start.
    if (!(await ui.see('a row selected', () => ui.selected())).startsWith('stop-1')) await ui.press('j');
    await ui.see('stop-1 selected', () => ui.selected()?.startsWith('stop-1'));
    for (const no of ['n', ENTER, ESC]) {
      await ui.press('c', (f) => f.includes('Cancel job stop-1 (pending)? [y/N]'));
      await ui.press(no, (f) => !f.includes('[y/N]'));
    }
    expect(t.events('stop-1').some((e) => e.type === 'cancelled')).toBe(false);
    expect(t.job('stop-1')?.state).toBe('pending');
    await ui.press('c');
    await ui.press('y');
    await until('cancelled by the sentinel', () => t.events('stop-1').some((e) => e.type === 'cancelled'), 10_000);
    expect(t.job('stop-1')?.state).toBe('cancelled');
    await ui.see('cancel shown', () => ui.frame().includes('stop-1: cancel done (pending -> cancelled)'));
    // h on a job that is neither pending nor held says what it does.
    await ui.press('HHH');
    await ui.see('cancelled tab', () => ui.inverse().includes(' cancelled 1 ') && /stop-1 +cancelled/.test(ui.frame()));
    await ui.press('h');
    await ui.see('h explained', () => ui.frame().includes('h holds a pending job or releases a held one'));
  });

  it('marks the row while an action waits for the sentinel, until it applies it', async () => {
    const { t, sentinel } = await sentinelOnly();
    t.drop('wait-1.json', manifest('wait-1', 'noop'));
    await until('admitted', () => t.job('wait-1')?.state === 'pending');
    const ui = mount(t);
    await ui.press('2');
    await ui.see('jobs view', () => /wait-1 +pending/.test(ui.frame()));
    // A stopped sentinel is alive but answers nothing: the requests wait.
    process.kill(sentinel.pid, 'SIGSTOP');
    await ui.press('h');
    await ui.see('hold pending on the row', () => /^wait-1 +hold\.\.\. /m.test(ui.frame()));
    expect(ui.frame()).toContain('hold wait-1: waiting for the sentinel...');
    await ui.press('3');
    await ui.press('d');
    await ui.press('y');
    await ui.see('drain pending on the slot row', () => /^1 +drain\.\.\. /m.test(ui.frame()));
    expect(t.job('wait-1')?.state).toBe('pending');
    process.kill(sentinel.pid, 'SIGCONT');
    await until('drain applied', () => t.events().some((e) => e.type === 'drain_requested' && e.slot === 1), 10_000);
    await ui.see(
      'drain marker gone',
      () => /^1 +free .* drained: no worker until undrain/m.test(ui.frame()) && !ui.frame().includes('drain...'),
      10_000,
    );
    await until('hold applied', () => t.job('wait-1')?.state === 'held', 10_000);
    await ui.press('2');
    await ui.see('hold marker gone', () => !ui.frame().includes('hold...') && !/wait-1 +pending/.test(ui.frame()));
  });

  it('without colour (NO_COLOR, --no-color) writes no colour codes, and state reads as words, bold and inverse', async () => {
    const { t, sentinel } = await sentinelOnly();
    t.drop('gone-1.json', manifest('gone-1', 'noop'));
    await until('admitted', () => t.job('gone-1')?.state === 'pending');
    expect(t.run(['jobs', 'cancel', 'gone-1']).code).toBe(0);
    await until('cancelled', () => t.job('gone-1')?.state === 'cancelled');
    // With colour the same screens carry colour codes: the check below can fail.
    const coloured = mount(t);
    await until('dashboard in colour', () => coloured.frame().includes('sentinel UP'));
    expect(colourCodes(coloured.raw()).length).toBeGreaterThan(0);
    coloured.unmount();

    const ui = mount(t, { color: false, ascii: false, readonly: false });
    await ui.see('dashboard', () => ui.frame().includes('sentinel UP') && ui.frame().includes('── ledger'));
    expect(colourCodes(ui.raw())).toEqual([]);
    expect(ui.inverse()).toContain(' 1 Dashboard ');
    expect(ui.selected()).toMatch(/^1 +free/);
    await ui.press('2');
    await ui.press('HHH');
    await ui.see('cancelled tab', () => /gone-1 +cancelled/.test(ui.frame()));
    expect(colourCodes(ui.raw())).toEqual([]);
    expect(ui.inverse()).toContain(' cancelled 1 ');
    // The sentinel's death is an inverse, bold banner in words.
    sentinel.child.kill('SIGKILL');
    await sentinel.exited;
    await ui.see('banner', () => ui.frame().includes('SENTINEL DOWN: nothing is dispatched'));
    expect(colourCodes(ui.raw())).toEqual([]);
    const [inverse, bold] = [sgrPattern(7), sgrPattern(1)];
    expect(ui.raw()).toMatch(new RegExp(`(${inverse}${bold}|${bold}${inverse})SENTINEL DOWN: nothing is dispatched`));
    fitsTheTerminal(ui.frame());
  });

  it('lists every rejected file on the rejected tab, odd names too, and counts them alike', async () => {
    const { t } = await sentinelOnly();
    t.drop('twice.json', manifest('twice', 'noop'));
    await until('twice admitted', () => t.job('twice')?.state === 'pending');
    t.drop('notes.txt', 'not a manifest');
    t.drop('has space.json', manifest('spaced', 'noop'));
    t.drop('nameless', manifest('nameless', 'noop'));
    t.drop('broken-3.json', '{ not json');
    writeFileSync(join(t.dir, 'tmp', 'twice.producer'), JSON.stringify(manifest('twice', 'noop')));
    linkSync(join(t.dir, 'tmp', 'twice.producer'), join(t.dir, 'pending', 'twice.1.json'));
    await until('five rejected', () => t.files('rejected').length === 5, 10_000);
    const ui = mount(t);
    await ui.press('2');
    await ui.press('HH');
    const rejectedRows = () =>
      ui
        .frame()
        .split('\n')
        .filter((l) => /^\S+ +rejected /.test(l));
    // The tab and its count are drawn before the rows of the new tab are loaded.
    await ui.see(
      'rejected tab with its rows',
      () => ui.inverse().includes(' rejected 5 ') && position(ui.frame()) === '1 of 5' && rejectedRows().length > 0,
      10_000,
    );
    const rows = rejectedRows();
    expect(rows).toHaveLength(5);
    for (const plain of ['notes.txt.', 'has_space.json.', 'nameless.', 'twice.1.json.', 'broken-3 '])
      expect(
        rows.some((l) => l.startsWith(plain)),
        plain,
      ).toBe(true);
    expect(ui.frame()).toMatch(/rejected 5/);
    expect(JSON.parse(t.run(['status', '--json']).stdout).counts.rejected).toBe(5);
    fitsTheTerminal(ui.frame());
    // The detail of a file with no usable id names its reason.
    await ui.press('G');
    await ui.press(ENTER);
    await ui.see('detail', () => ui.frame().includes('timeline') && /error .+/.test(ui.frame()));
    fitsTheTerminal(ui.frame());
  });

  it('keeps the rejected count true as files come into and leave rejected/', async () => {
    const { t } = await sentinelOnly();
    const ui = mount(t);
    await ui.see('header', () => /rejected 0/.test(ui.frame()));
    t.drop('broken-1.json', '{ not json');
    await ui.see('one rejected', () => /rejected 1 /.test(ui.frame()), 10_000);
    // A second one at once, inside the directory's timestamp granularity, is counted too.
    t.drop('broken-2.json', '{ not json either');
    await ui.see('two rejected', () => /rejected 2 /.test(ui.frame()), 10_000);
    expect(JSON.parse(t.run(['status', '--json']).stdout).counts.rejected).toBe(2);
    // Once rejected/ is older than the timestamp granularity its count is kept, not listed on
    // each reload; an operator then removes one by hand: the count follows.
    const rejectedDir = join(t.dir, 'rejected');
    await until('rejected/ unchanged for 2.5 s', () => Date.now() - statSync(rejectedDir).mtimeMs > 2500, 10_000);
    await ui.see('still two', () => /rejected 2 /.test(ui.frame()));
    const file = readdirSync(join(t.dir, 'rejected')).find((n) => n.startsWith('broken-1') && !n.endsWith('.error.json'))!;
    rmSync(join(t.dir, 'rejected', file));
    await ui.see('one left', () => /rejected 1 /.test(ui.frame()), 10_000);
    expect(JSON.parse(t.run(['status', '--json']).stdout).counts.rejected).toBe(1);
  });
});
