// The TUI over several spools, at 80x24 through ink-testing-library, against real spools with
// real sentinels: a row each, enter opens a spool in the single-spool TUI with its own keys,
// esc with nothing to close comes back to the list, and a spool that cannot be opened says why.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ESC } from '../helpers/ansi.js';
import { makeSpool, manifest, until } from '../helpers/spool.js';
import { ENTER, fitsTheTerminal, mountSpools, position, sentinelOnly } from '../helpers/tui.js';

// The selected row is told by its inverse video, which Ink writes only when chalk thinks the
// output takes attributes: forced for this file's imports, then removed for child processes.
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});
delete process.env.FORCE_COLOR;

afterEach(() => cleanup());

/** The list's row of `dir`: its path at 80 columns may keep only its end. */
const rowOf = (frame: string, dir: string) => frame.split('\n').find((l) => l.includes(dir.slice(-16)) && !l.startsWith(dir));
const listShown = (frame: string) => frame.startsWith('spoolctl  2 spools');

describe('the TUI over two spools', () => {
  it('shows a row per spool, opens each with enter (the same keys inside) and comes back with esc', async () => {
    const a = await sentinelOnly();
    const b = await sentinelOnly();
    for (const id of ['b-1', 'b-2']) b.t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('admitted', () => b.t.status().counts.pending === 2);
    const ui = mountSpools([a.t.dir, b.t.dir]);

    const list = await ui.see('both rows', () => {
      const f = ui.frame();
      return / up +0 +0 /.test(rowOf(f, a.t.dir) ?? '') && / up +2 +0 /.test(rowOf(f, b.t.dir) ?? '') ? f : undefined;
    });
    expect(list.split('\n')[0]).toMatch(/^spoolctl {2}2 spools +\d\d:\d\d:\d\d /);
    expect(list).toContain('SENTINEL PEND  RUN DONE FAIL HELD  REJ CANC SLOTS /MIN');
    expect(rowOf(list, b.t.dir)).toMatch(/^ {2}\S+ +up +2 +0 +0 +0 +0 +0 +0 +0\/4 +0$/);
    fitsTheTerminal(list);
    expect(ui.inverse().some((s) => s.includes(a.t.dir.slice(-16)))).toBe(true);

    await ui.press(ENTER, (f) => f.startsWith(`spoolctl ${a.t.dir} (`));
    fitsTheTerminal(ui.frame());
    expect(ui.frame()).toContain('sentinel UP');
    await ui.press(ESC, listShown);

    await ui.press('j', () => ui.inverse().some((s) => s.includes(b.t.dir.slice(-16))));
    await ui.press(ENTER, (f) => f.startsWith(`spoolctl ${b.t.dir} (`));
    // Inside, the single-spool keys: the jobs view, a job's detail, and esc closing it first.
    await ui.press('2', (f) => position(f) === '1 of 2');
    await ui.press(ENTER, (f) => /^job b-\d/m.test(f));
    await ui.press(ESC, (f) => position(f) === '1 of 2');
    await ui.press(ESC, listShown);
    // The list kept its selection while the spool was open.
    expect(ui.inverse().some((s) => s.includes(b.t.dir.slice(-16)))).toBe(true);
  });

  it('gives a spool that cannot be opened a row saying why, and marks the ones with a problem', async () => {
    const nowhere = mkdtempSync(join(tmpdir(), 'spoolctl-not-a-spool-'));
    const down = makeSpool();
    const a = await sentinelOnly();
    try {
      const ui = mountSpools([nowhere, down.dir, a.t.dir]);
      const list = await ui.see('three rows', () => (ui.frame().includes('3 spools') ? ui.frame() : undefined));
      expect(rowOf(list, nowhere)).toMatch(/^! \S+ +cannot be opened: /);
      // The selected row's whole story, under the list.
      expect(list.replace(/\s+/g, ' ')).toContain(`cannot be opened: ${nowhere} is not a spool (no spool.toml)`);
      expect(rowOf(list, down.dir)).toMatch(/^! \S+ +DOWN /);
      expect(rowOf(list, a.t.dir)).toMatch(/^ {2}\S+ +up /);
      expect(list.split('\n')[0]).toContain('3 spools, 2 with a problem');
      fitsTheTerminal(list);

      // Enter on it stays on the list and says so; the others open.
      await ui.press(ENTER, (f) => f.includes(`${nowhere} cannot be opened`));
      expect(ui.frame()).toMatch(/^spoolctl {2}3 spools/);
      await ui.press('j', (f) => f.includes('sentinel DOWN'));
      await ui.press('j', (f) => f.includes('nothing wrong'));

      // A pause is a problem too, named under the list with who paused and why.
      expect(a.t.run(['pause', '--reason', 'disk swap']).code).toBe(0);
      const paused = await ui.see('the pause', () => (/dispatch PAUSED by .+: disk swap/.test(ui.frame()) ? ui.frame() : undefined));
      expect(rowOf(paused, a.t.dir)).toMatch(/^! \S+ +up /);
      await ui.press(ENTER, (f) => f.startsWith(`spoolctl ${a.t.dir} (`));
    } finally {
      rmSync(nowhere, { recursive: true, force: true });
    }
  });
});
