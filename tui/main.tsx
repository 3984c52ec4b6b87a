/**
 * `spoolctl tui`: the full-screen view, loaded only for this command. It draws on the
 * alternate screen and restores the terminal on q, Ctrl-C, SIGTERM and SIGHUP.
 */
import { render } from 'ink';
import type { Spool } from '../src/api/spool.js';
import { App } from './app.js';
import { ThemeProvider, type Theme } from './theme.js';

export interface TuiOptions extends Theme {
  refreshMs?: number;
}

const ENTER = '\x1b[?1049h\x1b[H\x1b[2J\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';

export async function runTui(spool: Spool, opts: TuiOptions): Promise<number> {
  process.stdout.write(ENTER);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.stdout.write(LEAVE);
  };
  process.once('exit', restore);
  const instance = render(
    <ThemeProvider theme={{ color: opts.color, ascii: opts.ascii, readonly: opts.readonly }}>
      <App spool={spool} refreshMs={opts.refreshMs} />
    </ThemeProvider>,
    { exitOnCtrlC: false, patchConsole: false, maxFps: 10 },
  );
  const onSignal = () => instance.unmount();
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    restore();
  }
  return 0;
}
