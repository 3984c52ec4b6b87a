// Permissions: group-shared spools, refusal of a world-writable spool, and plugins dropped
// to worker.run_as when the worker runs as root.
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isDone, makeSpool, manifest, spoolAt, until } from '../helpers/spool.js';

const isRoot = process.getuid?.() === 0;

describe('permissions', () => {
  it('init --group makes setgid, group-writable directories and files', () => {
    const t = makeSpool();
    const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
    const dir = join(t.dir, 'shared');
    const r = t.run(['init', dir, '--group', String(gid)]);
    expect(r.code, r.stderr).toBe(0);
    for (const d of ['', 'pending', 'claimed/slot-3', 'control']) {
      const st = statSync(join(dir, d));
      expect(st.mode & 0o7777, d).toBe(0o2770);
      expect(st.gid, d).toBe(gid);
    }
    expect(statSync(join(dir, 'spool.toml')).mode & 0o777).toBe(0o660);
    const sub = spoolAt(dir).run(['submit', '--plugin', 'noop']);
    // no plugin in the new spool: the error names the plugin directory
    expect(sub.stderr).toContain('unknown plugin "noop"');
  });

  it('gives files written in a group spool group read-write permission', () => {
    const t = makeSpool();
    chmodSync(t.dir, 0o2770);
    const id = t.run(['submit', '--plugin', 'noop']).stdout.trim();
    expect(statSync(join(t.dir, 'pending', `${id}.json`)).mode & 0o777).toBe(0o660);
  });

  it('refuses to run the sentinel on a world-writable spool', async () => {
    const t = makeSpool();
    chmodSync(join(t.dir, 'pending'), 0o777);
    const s = t.sentinel();
    expect(await s.exited).toBe(1);
    expect(s.output()).toContain(`${join(t.dir, 'pending')} is world-writable (mode 777)`);
    expect(s.output()).toContain('chmod o-w');
  });

  it.runIf(isRoot)('runs plugins as worker.run_as when the worker is root', async () => {
    const t = makeSpool('[worker]\nrun_as = "nobody"\n');
    t.plugin('whoami', { command: ['id', '-u'] });
    t.sentinel();
    const w = t.worker();
    t.drop('who.json', manifest('who', 'whoami'));
    await until('done', () => isDone(t, 'who'));
    const uid = execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim();
    expect(readFileSync(join(t.dir, 'logs', 'who.log'), 'utf8')).toContain(`\n${uid}\n`);
    expect(w.output()).not.toContain('so will its plugins');
  });

  it.runIf(isRoot)('warns when a root worker has no run_as user', async () => {
    const t = makeSpool();
    const w = t.worker();
    await until('warned', () => w.output().includes('the worker runs as root, and so will its plugins'));
  });

  it('names a run_as user that does not exist', async () => {
    const t = makeSpool('[worker]\nrun_as = "no-such-user-here"\n');
    const w = t.worker();
    expect(await w.exited).toBe(1);
    expect(w.output()).toContain('worker.run_as = "no-such-user-here"');
  });
});
