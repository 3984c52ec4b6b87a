// The TUI as an operator leans on it, at 80x24 against a real spool with a real sentinel and
// workers: the selection stays on the chosen job while the list re-sorts, the events view
// follows the newest event until scrolled, actions a job's state cannot take are refused
// before asking, notices fade, `d` undrains a draining slot and `x` cleans up a dead one.
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeSpool, manifest, paced, until } from '../helpers/spool.js';
import { ARROW_RIGHT, ENTER, fitsTheTerminal, mount, position, sentinelOnly } from '../helpers/tui.js';

// The selection is drawn inverse, which Ink writes only when chalk thinks the output takes
// attributes: force them for this file's imports, then remove it so no child inherits it.
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});
delete process.env.FORCE_COLOR;

afterEach(() => cleanup());

describe('tui for an operator at 80x24', () => {
  it('keeps the selection on the chosen job when a refresh re-sorts the list, and acts on that job', async () => {
    const { t } = await sentinelOnly();
    const ids = ['batch-1', 'batch-2', 'batch-3'];
    for (const id of ids) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('admitted', () => ids.every((id) => t.job(id)?.state === 'pending'));
    const ui = mount(t);
    await ui.press('2');
    await ui.see('three pending', () => position(ui.frame()) === '1 of 3');
    await ui.press('j');
    const chosen = (await ui.see('the second row selected', () => ui.selected()))!.split(' ')[0]!;
    // A job of higher priority sorts above every other: the chosen job moves down a row.
    t.drop('urgent.json', manifest('urgent', 'noop', { priority: 10 }));
    await ui.see('urgent listed first', () => /^urgent +pending/m.test(ui.frame()) && position(ui.frame())?.endsWith('of 4'), 10_000);
    expect(ui.selected()?.split(' ')[0]).toBe(chosen);
    expect(position(ui.frame())).toBe('3 of 4');
    // h (which asks nothing) holds the chosen job, not the one now on its old row.
    await ui.press('h');
    await until('the chosen job held', () => t.job(chosen)?.state === 'held', 10_000);
    expect(ids.filter((id) => id !== chosen).every((id) => t.job(id)?.state === 'pending')).toBe(true);
    // Its row left the list: the selection stays at that row, on the job now there.
    // The count (status) and the rows (the jobs query) are read one after the other: a hold
    // applied between them shows at the next refresh.
    await ui.see(
      'held job gone from pending',
      () => !new RegExp(`^${chosen} `, 'm').test(ui.frame()) && position(ui.frame()) === '3 of 3',
      10_000,
    );
    fitsTheTerminal(ui.frame());
  });

  it('opens the events view at the newest event and follows new ones until scrolled up', async () => {
    const { t } = await sentinelOnly();
    const ids = Array.from({ length: 30 }, (_, i) => `ev-${String(i).padStart(2, '0')}`);
    for (const id of ids) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('all admitted', () => t.events().filter((e) => e.type === 'submitted').length === 30, 10_000);
    const ui = mount(t);
    await ui.press('4');
    const newest = () => t.events().at(-1)!;
    await ui.see('the newest event selected', () => ui.selected()?.includes(newest().job ?? newest().type));
    t.drop('late-1.json', manifest('late-1', 'noop'));
    await ui.see('follows the new one', () => ui.selected()?.includes('late-1'), 10_000);
    // Scrolled up: the selection stays on its event while new ones arrive.
    await ui.press('k');
    const held = ui.selected()!;
    expect(held).not.toContain('late-1');
    t.drop('late-2.json', manifest('late-2', 'noop'));
    await until('late-2 in the ledger', () => t.events('late-2').length > 0, 10_000);
    await ui.see('the count of events grown', () => ui.frame().includes('(newest 33)'), 10_000);
    expect(ui.selected()).toBe(held);
    // G follows again.
    await ui.press('G', () => ui.selected()?.includes('late-2') ?? false);
    fitsTheTerminal(ui.frame());
  });

  it('refuses an action the job cannot take before asking, and lets a notice fade', async () => {
    const { t } = await sentinelOnly();
    t.drop('broken.json', '{ not json');
    await until('rejected', () => t.files('rejected').length === 1, 10_000);
    const ui = mount(t);
    await ui.press('2');
    await ui.press('HH');
    await ui.see('rejected tab', () => /^broken +rejected/m.test(ui.frame()), 10_000);
    await ui.press('r', (f) => f.includes('broken: a rejected file, no job to requeue: fix and resubmit it, or purge'));
    expect(ui.frame()).not.toContain('[y/N]');
    await ui.see('the notice faded', () => !ui.frame().includes('a rejected file, no job'), 15_000);
    expect(ui.frame().split('\n').at(-1)).toMatch(/^\? help {2}q quit/);
  });

  it('undrains a draining slot with d, and cleans up a dead slot with x, each after a yes', async () => {
    const t = makeSpool('[worker]\nheartbeat_ms = 200\nmax_workers = 2\n');
    t.sentinel();
    const busy = t.worker(['--slot', '1']);
    const doomed = t.worker(['--slot', '2']);
    await until('both workers up', () => t.status().slots.filter((s: { state: string }) => s.state === 'idle').length === 2, 20_000);
    t.drop('long.json', manifest('long', 'work', { params: { ms: 20_000 } }));
    await until('long running', () => t.job('long')?.state === 'claimed', 10_000);
    expect(t.run(['workers', 'drain', '1']).code).toBe(0);
    const ui = mount(t);
    await ui.press('3');
    await ui.see('slot 1 draining', () => /^1 +draining/m.test(ui.frame()), 10_000);
    await ui.press('d', (f) => f.includes('Undrain slot 1: its worker goes on taking jobs? [y/N]'));
    await ui.press('y');
    await until('undrained by the sentinel', () => t.events().some((e) => e.type === 'drain_cancelled' && e.slot === 1), 10_000);
    await ui.see('slot 1 busy again', () => /^1 +busy/m.test(ui.frame()), 10_000);
    // Nothing to clean while both workers live.
    await ui.press('x', (f) => f.includes('no dead or stale slots'));
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    await ui.see('slot 2 dead', () => /^2 +dead/m.test(ui.frame()), 10_000);
    await ui.press('x', (f) => /Clean up: free slot 2 \(dead\)\? \[y\/N\]/.test(f));
    await ui.press(ENTER, (f) => !f.includes('[y/N]'));
    expect(ui.frame()).toMatch(/^2 +dead/m);
    await ui.press('x', (f) => f.includes('[y/N]'));
    await ui.press('y');
    await ui.see('cleaned up', () => ui.frame().includes('cleaned up: freed slot 2'), 20_000);
    await ui.see('slot 2 free', () => /^2 +free/m.test(ui.frame()), 10_000);
    expect(busy.child.exitCode).toBeNull();
  });

  it('says which claim waits queued behind a running job in its slot', async () => {
    // The queued claim is given back once the job ahead has run queue_behind_ms: long enough to look.
    const t = makeSpool('[worker]\nheartbeat_ms = 200\n[sentinel]\nscan_interval_ms = 200\nqueue_behind_ms = 30000\n');
    t.sentinel();
    t.worker(['--slot', '1']);
    await paced(t);
    t.drop('long.json', manifest('long', 'work', { params: { ms: 20_000 }, priority: 1 }));
    t.drop('next.json', manifest('next', 'noop'));
    await until('both claimed in slot 1', () => t.files('claimed/slot-1').length === 2, 10_000);
    const ui = mount(t);
    await ui.press('2');
    await ui.press(ARROW_RIGHT, (f) => /^ID +STATE/m.test(f));
    await ui.see('the queued claim says so', () => /^next +claimed .*queued behind long in slot 1/m.test(ui.frame()), 10_000);
    expect(ui.frame()).toMatch(/^long +claimed /m);
    expect(ui.frame()).not.toMatch(/^long .*queued/m);
    fitsTheTerminal(ui.frame());
  });

  it("pauses and resumes dispatch with p after a yes, shows who paused, why jobs wait, and each slot's tags", async () => {
    const t = makeSpool('[worker]\nheartbeat_ms = 200\n');
    t.sentinel();
    t.worker(['--tag', 'gpu']);
    await until('worker up', () => t.status().slots[0].state === 'idle', 20_000);
    const ui = mount(t);
    await ui.press('p', (f) => f.includes('Pause dispatch: running jobs go on, nothing new is claimed? [y/N]'));
    await ui.press('y');
    await ui.see('paused banner', () => /DISPATCH PAUSED by \S+.*: paused from the TUI; p resumes/.test(ui.frame()), 10_000);
    expect(t.events().some((e) => e.type === 'paused')).toBe(true);
    t.drop('held-back.json', manifest('held-back', 'noop'));
    t.drop('tomorrow.json', manifest('tomorrow', 'noop', { not_before: new Date(Date.now() + 86_400_000).toISOString() }));
    await until('both admitted', () => t.job('held-back')?.state === 'pending' && t.job('tomorrow')?.state === 'pending', 10_000);
    await ui.see('scheduled told beside pending', () => /pending 2 \(1 sched\)/.test(ui.frame()), 10_000);
    await ui.see('why they wait, on the dashboard', () => /^waiting: .*1 scheduled, next at/m.test(ui.frame()), 10_000);
    await ui.press('2');
    await ui.see('the scheduled job says when', () => /^tomorrow +pending .*not before/m.test(ui.frame()), 10_000);
    fitsTheTerminal(ui.frame());
    await ui.press('3');
    await ui.see("the slot's tags", () => /^1 +idle .*tags gpu/m.test(ui.frame()), 10_000);
    expect(t.job('held-back')?.state).toBe('pending');
    await ui.press('p', (f) => /Resume dispatch \(paused by .+\)\? \[y\/N\]/.test(f));
    await ui.press('y');
    await ui.see('banner gone', () => !ui.frame().includes('DISPATCH PAUSED'), 10_000);
    await until('dispatched again', () => t.job('held-back')?.state === 'done', 20_000);
    expect(t.job('tomorrow')?.state).toBe('pending');
  });

  it('shows in the footer a request the sentinel refused while nobody waited for it', async () => {
    const t = makeSpool();
    // Queued while the sentinel is down: nobody is there to read the refusal when it comes.
    expect(t.run(['workers', 'drain', '9']).code).toBe(1);
    t.sentinel();
    const ui = mount(t);
    await ui.see(
      'the refusal in the footer',
      () => /^refused: drain slot-9: there is no slot 9 .*\(asked by \S+/m.test(ui.frame()),
      15_000,
    );
    fitsTheTerminal(ui.frame());
  });
});
