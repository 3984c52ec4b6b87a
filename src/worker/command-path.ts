/**
 * Where a plugin's command is, found in the job's PATH as the spawn addon would find it, and
 * kept: searching PATH costs a stat of every entry before the match on each start, about ten
 * system calls a job under a flood of short jobs. A kept answer is checked against the
 * mtimes of the directories it searched, at most once every RECHECK_MS, so a command
 * installed or removed in PATH is seen within that time, as a fresh search would see it; the
 * spawner searches again at once when a start fails with ENOENT or EACCES.
 *
 * Only found commands are kept: a command that is not found is left to the addon, which
 * searches and fails with the errno that names why.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';

/** The addon's PATH when the job's environment has none. */
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';
const RECHECK_MS = 1000;

interface Found {
  file: string;
  /** Every directory searched, the match's last, with its mtime then (undefined: not there). */
  dirs: { dir: string; mtimeMs: number | undefined }[];
  checkedAtMs: number;
}

function mtimeOf(dir: string): number | undefined {
  return statSync(dir, { throwIfNoEntry: false })?.mtimeMs;
}

function runnable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A bare command's file in `path` (empty and relative entries are relative to `cwd`, as in the child). */
function search(command: string, path: string, cwd: string, nowMs: number): Found | undefined {
  const dirs: Found['dirs'] = [];
  for (const entry of path.split(':')) {
    const dir = entry === '' ? cwd : entry.startsWith('/') ? entry : join(cwd, entry);
    dirs.push({ dir, mtimeMs: mtimeOf(dir) });
    const file = `${dir}/${command}`;
    if (runnable(file)) return { file, dirs, checkedAtMs: nowMs };
  }
  return undefined;
}

export class CommandPaths {
  private readonly found = new Map<string, Found>();

  /** The file to run for `command`; the command itself when it names a path or is not found. */
  fileFor(command: string, pathVar: string | undefined, cwd: string, nowMs = Date.now()): string {
    if (command.includes('/')) return command;
    const key = `${cwd}\0${pathVar ?? DEFAULT_PATH}\0${command}`;
    let f = this.found.get(key);
    if (f && nowMs - f.checkedAtMs >= RECHECK_MS) {
      f = f.dirs.every((d) => mtimeOf(d.dir) === d.mtimeMs) ? Object.assign(f, { checkedAtMs: nowMs }) : undefined;
    }
    f ??= search(command, pathVar ?? DEFAULT_PATH, cwd, nowMs);
    if (f) this.found.set(key, f);
    else this.found.delete(key);
    return f?.file ?? command;
  }

  /** A start of `command` failed as if its file were gone or not runnable: search again next time. */
  forget(command: string, pathVar: string | undefined, cwd: string): void {
    this.found.delete(`${cwd}\0${pathVar ?? DEFAULT_PATH}\0${command}`);
  }
}
