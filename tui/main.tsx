/**
 * `spoolctl tui`: the full-screen view, loaded only for this command. It draws on the
 * alternate screen and restores the terminal on q, Ctrl-C, SIGTERM and SIGHUP. Ended by a
 * signal it exits as a shell reports a death by that signal (128 + its number: 143, 129).
 */
import { constants } from 'node:os';
import chalk from 'chalk';
import { render } from 'ink';
import type { Replay } from '../src/api/replay.js';
import type { Spool } from '../src/api/spool.js';
import type { SpoolChoice } from '../src/api/spools.js';
import { App } from './app.js';
import { ManySpools } from './multi.js';
import { ThemeProvider, type Theme } from './theme.js';

export interface TuiOptions extends Theme {
  refreshMs?: number;
  /** `--at`: a replay of the spool at a moment, opened by the command (it can refuse the time). */
  replay?: Replay;
}

const ENTER = '\x1b[?1049h\x1b[H\x1b[2J\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';
/** Erase the scrollback: part of Ink's clearTerminal, which it writes when a frame is as tall as the terminal (after a resize that shrinks it). */
const ERASE_SCROLLBACK = '\x1b[3J';

/**
 * process.stdout for Ink, but never erasing the scrollback: the TUI draws on the alternate
 * screen, and a sysadmin's terminal (or tmux pane) history must survive it.
 */
function keepingScrollback(out: NodeJS.WriteStream): NodeJS.WriteStream {
  return new Proxy(out, {
    get(target, prop) {
      if (prop === 'write') {
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...a: unknown[]) => boolean)(
            typeof chunk === 'string' ? chunk.replaceAll(ERASE_SCROLLBACK, '') : chunk,
            ...rest,
          );
      }
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * How many colours Ink's styles (chalk) may use. chalk decides for itself from CI=true (none)
 * and from `--no-color` in the arguments (none: not even bold or inverse). The TUI runs only
 * on a terminal and decides colour itself (the theme), so the level is the terminal's, never
 * CI's, and never below 1: without colour, bold and inverse still carry the state.
 */
function styleLevel(out: NodeJS.WriteStream): 1 | 2 | 3 {
  const { CI, NO_COLOR, FORCE_COLOR, ...env } = process.env;
  const depth = typeof out.getColorDepth === 'function' ? out.getColorDepth(env) : 4;
  return depth >= 24 ? 3 : depth >= 8 ? 2 : 1;
}

/** One spool's TUI, or with several, the list of them (tui/multi.tsx). */
export async function runTui(target: Spool | SpoolChoice[], opts: TuiOptions): Promise<number> {
  chalk.level = styleLevel(process.stdout);
  // A terminal that is gone (the SSH session dropped) fails every write with EIO: nothing can
  // be drawn any more, but the TUI must still unmount and return, so that whoever started it
  // (the demo) stops what it started.
  process.stdout.on('error', () => undefined);
  process.stdout.write(ENTER);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.stdout.write(LEAVE);
  };
  process.once('exit', restore);
  const instance = render(
    <ThemeProvider theme={{ color: opts.color, ascii: opts.ascii, readonly: opts.readonly || opts.replay !== undefined, utc: opts.utc }}>
      {Array.isArray(target) ? (
        <ManySpools choices={target} refreshMs={opts.refreshMs} />
      ) : (
        <App spool={target} refreshMs={opts.refreshMs} replay={opts.replay} />
      )}
    </ThemeProvider>,
    // Each frame is rewritten whole, at most 10 a second: Ink's incrementalRendering left stale
    // lines of earlier frames on screen in tmux (the e2e test's one-header check shows it).
    { stdout: keepingScrollback(process.stdout), exitOnCtrlC: false, patchConsole: false, maxFps: 10 },
  );
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled ??= signal;
    instance.unmount();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    restore();
  }
  return signalled ? 128 + constants.signals[signalled] : 0;
}
