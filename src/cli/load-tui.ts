/**
 * Loads the TUI only when asked for, from the bundle `npm run build` makes (dist/tui/bundle.js):
 * Ink as hundreds of separate modules takes most of a second to load; bundled, a tenth of it.
 * It is imported through dist/tui/load.cjs, a file Node loads itself: the command line runs
 * from V8's code cache (bin/spoolctl.js), where import() has no loader behind it on Node 20.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { packageRoot } from '../paths.js';

type TuiModule = typeof import('../../tui/main.js');

export async function loadTui(): Promise<TuiModule['runTui']> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError(
      'spoolctl tui needs a terminal (stdin or stdout is not a TTY); for scripts and monitoring use `spoolctl status --json`.',
    );
  }
  const load = createRequire(import.meta.url)(join(packageRoot(), 'dist', 'tui', 'load.cjs')) as () => Promise<TuiModule>;
  return (await load()).runTui;
}
