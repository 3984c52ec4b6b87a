// Acceptance: each configuration layer overrides the one below it, as the CLI sees it, and
// `config show --origin` names the layer; a bad key in spool.toml names file, key and type.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSpool } from '../helpers/spool.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Row {
  key: string;
  value: unknown;
  origin: string;
}

describe('configuration layers through the CLI', () => {
  it('defaults < system file < user file < spool.toml < environment < --set, each named by config show --origin', () => {
    const t = makeSpool();
    const home = mkdtempSync(join(tmpdir(), 'spoolctl-cfg-'));
    dirs.push(home);
    const systemFile = join(home, 'etc-config.toml');
    const userFile = join(home, 'xdg', 'spoolctl', 'config.toml');
    mkdirSync(join(home, 'xdg', 'spoolctl'), { recursive: true });
    const env: NodeJS.ProcessEnv = { SPOOLCTL_SYSTEM_CONFIG: systemFile, XDG_CONFIG_HOME: join(home, 'xdg') };
    const shown = (extraArgs: string[] = [], extraEnv: NodeJS.ProcessEnv = {}) => {
      const r = t.run([...extraArgs, 'config', 'show', '--origin', '--json'], { ...env, ...extraEnv });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as Row[]).find((row) => row.key === 'jobs.max_attempts')!;
    };

    expect(shown()).toEqual({ key: 'jobs.max_attempts', value: 3, origin: 'default' });
    writeFileSync(systemFile, '[jobs]\nmax_attempts = 4\n');
    expect(shown()).toEqual({ key: 'jobs.max_attempts', value: 4, origin: systemFile });
    writeFileSync(userFile, '[jobs]\nmax_attempts = 5\n');
    expect(shown()).toEqual({ key: 'jobs.max_attempts', value: 5, origin: userFile });
    writeFileSync(join(t.dir, 'spool.toml'), '[jobs]\nmax_attempts = 6\n');
    expect(shown()).toEqual({ key: 'jobs.max_attempts', value: 6, origin: join(t.dir, 'spool.toml') });
    const envLayer = { SPOOLCTL_JOBS__MAX_ATTEMPTS: '7' };
    expect(shown([], envLayer)).toEqual({ key: 'jobs.max_attempts', value: 7, origin: 'env SPOOLCTL_JOBS__MAX_ATTEMPTS' });
    expect(shown(['--set', 'jobs.max_attempts=8'], envLayer)).toEqual({ key: 'jobs.max_attempts', value: 8, origin: 'flag' });

    const human = t.run(['--set', 'jobs.max_attempts=8', 'config', 'show', '--origin'], env).stdout;
    expect(human).toMatch(/jobs\.max_attempts\s+8\s+flag/);
    // The flag layer reaches the commands themselves, not only `config show`.
    expect(JSON.parse(t.run(['--set', 'worker.max_workers=2', 'status', '--json'], env).stdout).max_workers).toBe(2);
  });

  it('a bad key or type in spool.toml fails with the file, the key and the expected type', () => {
    const t = makeSpool();
    writeFileSync(join(t.dir, 'spool.toml'), '[worker]\nheartbeat_ms = "fast"\n');
    const r = t.run(['status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(t.dir, 'spool.toml'));
    expect(r.stderr).toContain('worker.heartbeat_ms must be an integer');
    writeFileSync(join(t.dir, 'spool.toml'), '[worker]\nheartbeat = 5\n');
    const unknown = t.run(['status']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(join(t.dir, 'spool.toml'));
    expect(unknown.stderr).toContain('heartbeat');
    writeFileSync(join(t.dir, 'spool.toml'), '');
    const badFlag = t.run(['--set', 'worker.max_workers=lots', 'status']);
    expect(badFlag.code).toBe(1);
    expect(badFlag.stderr).toContain('--set worker.max_workers');
  });
});
