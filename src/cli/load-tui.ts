/**
 * Loads the TUI only when asked for, from the bundle `npm run build` makes (dist/tui/bundle.js):
 * Ink as hundreds of separate modules takes most of a second to load; bundled, a tenth of it.
 */
import { UsageError } from '../errors.js';

type TuiModule = typeof import('../../tui/main.js');

export async function loadTui(): Promise<TuiModule['runTui']> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError(
      'spoolctl tui needs a terminal (stdin or stdout is not a TTY); for scripts and monitoring use `spoolctl status --json`.',
    );
  }
  const bundle = new URL('../../tui/bundle.js', import.meta.url);
  const mod = (await import(bundle.href)) as TuiModule;
  return mod.runTui;
}
