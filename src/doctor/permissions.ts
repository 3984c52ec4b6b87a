/**
 * The layout and its permissions: every directory `init` makes is there, none is
 * world-writable (anyone could add, alter or remove jobs, so the sentinel refuses such a
 * spool), and this user can write where spoolctl's commands and workers write: pending/
 * (submit), control/ (jobs and workers commands), results/ and slots/ (workers).
 */
import { accessSync, existsSync, statSync, constants as C } from 'node:fs';
import { errnoOf } from '../errors.js';
import { allDirs, relativeToSpool } from '../spool/layout.js';
import type { Spool } from '../api/spool.js';
import { fixForErrno, pass, type Check } from './check.js';

function shown(s: Spool, dir: string): string {
  return `${relativeToSpool(s.l, dir) || '.'}/`;
}

function layoutDirs(s: Spool): string[] {
  return [s.l.root, ...allDirs(s.l)];
}

export function checkLayout(s: Spool): Check {
  const missing = layoutDirs(s).filter((d) => !existsSync(d));
  if (missing.length === 0) return pass('layout', `every directory of the layout is in ${s.l.root}`);
  return {
    name: 'layout',
    status: 'fail',
    detail: `missing: ${missing.map((d) => shown(s, d)).join(', ')}`,
    fix: `\`spoolctl init ${s.l.root}\` creates them (it is safe to re-run).`,
  };
}

export function checkWorldWritable(s: Spool): Check {
  const open = layoutDirs(s).filter((d) => existsSync(d) && statSync(d).mode & 0o002);
  if (open.length === 0) return pass('world-writable', 'no spool directory is world-writable');
  // The directories the sentinel checks before it starts (src/sentinel/loop.ts).
  const refused = [s.l.root, s.l.pending, s.l.control, s.l.claimed, s.l.results].some((d) => open.includes(d));
  return {
    name: 'world-writable',
    status: 'fail',
    detail: `world-writable, so anyone can add, alter or remove files there${refused ? ' (the sentinel refuses to run)' : ''}: ${open.map((d) => `${shown(s, d)} (${(statSync(d).mode & 0o7777).toString(8)})`).join(', ')}`,
    fix: `run \`chmod -R o-w ${s.l.root}\`, or share the spool with a group (\`spoolctl init DIR --group G\`).`,
  };
}

export function checkWriteAccess(s: Spool): Check {
  const denied: { dir: string; code: string | undefined }[] = [];
  for (const dir of [s.l.pending, s.l.control, s.l.results, s.l.slots]) {
    try {
      accessSync(dir, C.W_OK | C.X_OK);
    } catch (err) {
      denied.push({ dir, code: errnoOf(err) });
    }
  }
  const who = `uid ${process.getuid?.() ?? '?'}`;
  if (denied.length === 0) return pass('write-access', `this user (${who}) can write pending/, control/, results/ and slots/`);
  return {
    name: 'write-access',
    status: 'fail',
    detail: `this user (${who}) cannot write ${denied.map((d) => `${shown(s, d.dir)} (${d.code ?? 'unknown error'})`).join(', ')}`,
    fix: fixForErrno(denied[0]!.code, denied[0]!.code === 'EROFS' ? s.l.root : denied.map((d) => shown(s, d.dir)).join(', ')),
  };
}
