/** Where spoolctl's own files (schemas, fixtures) are, whether run from src/ or dist/. */
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the spoolctl package root');
    dir = up;
  }
  root = dir;
  return dir;
}

/** The command line that starts this same spoolctl in a child process. */
export function selfCommand(): string[] {
  return [process.execPath, join(packageRoot(), 'bin', 'spoolctl.js')];
}

/**
 * How a person runs this same spoolctl from a shell, for hints printed on exit: `spoolctl`
 * when that is what PATH finds (an `npm install -g`), else the launcher's absolute path
 * (`npm start` in a checkout puts nothing on PATH).
 */
export function selfForHints(): string {
  const launcher = realpathSync(join(packageRoot(), 'bin', 'spoolctl.js'));
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      if (dir && realpathSync(join(dir, 'spoolctl')) === launcher) return 'spoolctl';
    } catch {
      // not there
    }
  }
  return launcher;
}
