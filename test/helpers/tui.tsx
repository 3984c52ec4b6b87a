/**
 * Driving the TUI in tests: the App rendered by ink-testing-library at 80x24 against a real
 * spool, keys typed into it, and the frame read back as plain text, its inverse stretches and
 * its selected row. A test file that checks colours sets FORCE_COLOR before ink loads.
 */
import type { Replay } from '../../src/api/replay.js';
import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { expect } from 'vitest';
import { openSpool } from '../../src/api/spool.js';
import { openSpools } from '../../src/api/spools.js';
import { App } from '../../tui/app.js';
import { ManySpools } from '../../tui/multi.js';
import { ThemeProvider, type Theme } from '../../tui/theme.js';
import { ESC, sgrPattern, visible } from './ansi.js';
import { makeSpool, until, type TestSpool } from './spool.js';

export const SIZE = { columns: 80, rows: 24 };
export const COLOR: Theme = { color: true, ascii: false, readonly: false };
export const ARROW_RIGHT = '\u001B[C';
export const ARROW_LEFT = '\u001B[D';
export const PAGE_UP = '\u001B[5~';
export const PAGE_DOWN = '\u001B[6~';
export const TAB = '\t';
export const BACKSPACE = '\u007F';
export const ENTER = '\r';

/** With `replay`, the TUI of `spoolctl tui --at` (which is read-only: give a readonly theme). */
export function mount(t: TestSpool, theme: Theme = COLOR, size = SIZE, replay?: Replay) {
  return drive(<App spool={openSpool(t.dir)} size={size} refreshMs={200} replay={replay} />, theme);
}

/** The TUI over several spools (the list first), as `spoolctl tui --spool A --spool B` opens them. */
export function mountSpools(dirs: string[], theme: Theme = COLOR, size = SIZE) {
  return drive(<ManySpools choices={openSpools(dirs)} size={size} refreshMs={200} />, theme);
}

function drive(root: ReactElement, theme: Theme) {
  const r = render(<ThemeProvider theme={theme}>{root}</ThemeProvider>);
  const raw = () => r.lastFrame() ?? '';
  const frame = () => visible(raw());
  /** The visible text of every inverse stretch of the frame: the selected row, the current tab. */
  const inverse = () => [...raw().matchAll(new RegExp(`${sgrPattern(7)}(.*?)${sgrPattern(27)}`, 'g'))].map((m) => visible(m[1]!));
  /** The visible text of the selected row: the inverse line that starts with a job id or a slot number (tab bars start with a space). */
  const selected = () =>
    raw()
      .split('\n')
      .filter((l) => l.startsWith(`${ESC}[7m`))
      .map(visible)
      .find((l) => /^[\w-]/.test(l) && !/^(spoolctl|SENTINEL|DATA STALE)/.test(l));
  /** Waits for `check`; on timeout the error shows the last frame. */
  const see = async <T,>(what: string, check: () => T | undefined | false | null, ms?: number): Promise<T> => {
    try {
      return await until(what, check, ms, 10);
    } catch (err) {
      throw new Error(`${(err as Error).message}; the frame:\n${frame()}`);
    }
  };
  /**
   * Types `keys` and waits for the frame to show them: `shows` when given, else any change of
   * the frame. Each press waits, so a lone Esc is never read with the next key as Alt+key.
   */
  const press = async (keys: string, shows?: (frame: string) => boolean) => {
    const before = raw();
    r.stdin.write(keys);
    await see(`the frame after ${JSON.stringify(keys)}`, () => (shows ? shows(frame()) : raw() !== before), 5_000);
  };
  /**
   * Types keys that leave the frame as it is (j on the last row); Ink reads a lone Esc on the
   * next turn of the event loop, so this waits for that turn, then the caller checks the frame.
   */
  const type = async (keys: string) => {
    r.stdin.write(keys);
    await new Promise((res) => setImmediate(res));
  };
  return { ...r, raw, frame, inverse, selected, press, type, see };
}

/** A spool with a sentinel and no worker: submitted jobs stay pending. */
export async function sentinelOnly(): Promise<{ t: TestSpool; sentinel: ReturnType<TestSpool['sentinel']> }> {
  const t = makeSpool();
  const sentinel = t.sentinel();
  await until('sentinel up', () => t.status().sentinel.up === true);
  return { t, sentinel };
}

/** The position footer of the jobs view: "N of M...". */
export function position(frame: string): string | undefined {
  return frame.match(/^(\d+ of [^ ]+(?: matching)?)/m)?.[1];
}

export function fitsTheTerminal(frame: string) {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(SIZE.rows - 1);
  for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(SIZE.columns);
}
