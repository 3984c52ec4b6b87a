/** Where spoolctl's own files (schemas, fixtures) are, whether run from src/ or dist/. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
