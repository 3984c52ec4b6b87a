/**
 * What a plugin runs, as the exporting host holds it: the files its command names, by sha256,
 * and its environment directory (env_hash, a name under worker.envs_dir) as a listing. These
 * are the files now, not at the time the job ran: nothing in the ledger records them.
 */
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { isAbsolute, join, relative } from 'node:path';
import { errnoOf } from '../errors.js';
import type { CommandFile } from './bundle.js';

function fileSha256(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * argv[0], resolved as a worker resolves it (a path with "/" from the spool root, its working
 * directory), and every later argument that is an absolute path to a file: the script an
 * interpreter runs is what a plugin's behaviour hangs on.
 */
export function commandFiles(command: readonly string[], spoolRoot: string, envDir: string): CommandFile[] {
  const out: CommandFile[] = [];
  command.forEach((arg, i) => {
    const written = envDir ? arg.replaceAll('{env_dir}', envDir) : arg;
    const isPath = written.includes('/');
    if (i > 0 && !(isAbsolute(written) && isFile(written))) return;
    const file = (fields: Partial<CommandFile>): CommandFile => ({
      arg: i,
      written: arg,
      path: null,
      sha256: null,
      unhashed: null,
      ...fields,
    });
    if (/\{[^}]+\}/.test(written)) return out.push(file({ unhashed: 'it comes from the job (a placeholder)' }));
    if (!isPath) return out.push(file({ unhashed: "a bare name, looked up on each worker's PATH" }));
    const path = isAbsolute(written) ? written : join(spoolRoot, written);
    try {
      out.push(file({ path, sha256: fileSha256(path) }));
    } catch (err) {
      out.push(file({ path, unhashed: `cannot be read here (${errnoOf(err) ?? (err as Error).message})` }));
    }
  });
  return out;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * One line per entry under `dir`, sorted: type, mode, size, path, and a link's target. Links
 * are listed, never followed. Contents are not read: an environment may hold many thousands of files.
 */
export function directoryListing(dir: string): string {
  const lines: { path: string; line: string }[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const st = lstatSync(path);
      const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : '?';
      const target = type === 'l' ? ` -> ${readlinkSync(path)}` : '';
      const rel = relative(dir, path);
      lines.push({
        path: rel,
        line: `${type} ${(st.mode & 0o7777).toString(8).padStart(4, '0')} ${type === 'f' ? st.size : 0} ${rel}${target}\n`,
      });
      if (type === 'd') walk(path);
    }
  };
  walk(dir);
  return lines
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((l) => l.line)
    .join('');
}
