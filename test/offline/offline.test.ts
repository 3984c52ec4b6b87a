// Acceptance (offline package): `npm run pack:offline` builds one tarball and its checksum;
// it installs with `npm install -g --offline` and an empty cache (any fetch fails), and by
// unpacking; the installed spoolctl runs a job through a sentinel and a worker; a Node whose
// ABI differs from the binding's is refused with a message that names both.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { allDone, exitedWithin, spoolAt, until } from '../helpers/spool.js';

const root = packageRoot();
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const name = `spoolctl-${version}-node${process.versions.modules}-${process.platform}-${process.arch}`;
let work: string;
let tarball: string;

/** npm with no registry it could reach, no user config and a cache of its own. */
function npm(args: string[], cwd: string) {
  const home = join(work, 'home');
  mkdirSync(home, { recursive: true });
  const env = {
    ...process.env,
    HOME: home,
    npm_config_cache: join(work, 'empty-cache'),
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_userconfig: join(home, '.npmrc'),
  };
  return spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'spoolctl-offline-'));
  const out = join(work, 'out');
  const r = spawnSync('npm', ['run', 'pack:offline', '--silent', '--', '--out', out], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  tarball = join(out, `${name}.tgz`);
  expect(r.stdout).toContain(tarball);
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('offline package', () => {
  it('is one tarball named for its Node ABI and platform, with a checksum that sha256sum accepts', () => {
    expect(readdirSync(join(work, 'out')).sort()).toEqual([`${name}.tgz`, `${name}.tgz.sha256`]);
    expect(execFileSync('sha256sum', ['-c', `${name}.tgz.sha256`], { cwd: join(work, 'out'), encoding: 'utf8' })).toContain(': OK');
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n');
    for (const f of [
      'bin/spoolctl.js',
      'build-info.json',
      'README.md',
      'docs/systemd/spoolctl-sentinel.service',
      'docs/systemd/spoolctl-worker@.service',
      'dist/tui/bundle.js',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'build/Release/posix_spawn.node',
      'man/spoolctl.1',
    ]) {
      expect(files, f).toContain(`${name}/${f}`);
    }
    // The binding is compiled; its C sources and the TUI's bundled dependencies stay out.
    expect(files.some((f) => f.startsWith(`${name}/node_modules/better-sqlite3/deps/`))).toBe(false);
    expect(files.some((f) => f.startsWith(`${name}/node_modules/ink/`))).toBe(false);
  });

  it('installs with npm --offline and an empty cache, then runs init, submit, a sentinel and a worker to a done job', async () => {
    const prefix = join(work, 'prefix');
    const install = npm(['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], work);
    expect(install.status, install.stdout + install.stderr).toBe(0);
    const bin = join(prefix, 'bin', 'spoolctl');
    // `man spoolctl` finds the page where npm links it.
    const manEnv = { ...process.env, MANPATH: join(prefix, 'share', 'man'), MANPAGER: 'cat', MANWIDTH: '100' };
    const man = spawnSync('man', ['spoolctl'], { encoding: 'utf8', env: manEnv });
    if (man.error) throw new Error(`man(1) is needed to check the man page (.ci/run installs man-db): ${man.error.message}`);
    expect(man.status, man.stderr).toBe(0);
    expect(man.stdout).toContain('spoolctl - job dispatcher over a file-based spool');

    const v = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toContain(`spoolctl ${version}`);
    expect(v.stdout).toContain(`Node.js ${process.version} (ABI ${process.versions.modules}`);
    expect(v.stdout).toMatch(/SQLite 3\.\d+\.\d+/);

    const dir = join(work, 'spool');
    const init = spawnSync(bin, ['init', dir], { encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    const t = spoolAt(dir, {}, [bin]);
    t.plugin('hello', { command: ['echo', 'hello', '{input}'] });
    const submit = t.run(['submit', '--plugin', 'hello', '--input', 'offline']);
    expect(submit.code, submit.stderr).toBe(0);
    const id = submit.stdout.trim();
    const sentinel = t.sentinel();
    const worker = t.worker();
    await until('the job done', () => allDone(t, [id]), 30_000);
    expect(t.job(id)).toMatchObject({ state: 'done', attempts: 1 });
    const log = t.run(['jobs', 'log', id]);
    expect(log.stdout, worker.output()).toContain('hello offline');
    // The installed worker loads the addon it was packed with.
    expect(worker.output()).toContain('"plugins_start_with":"posix_spawn"');
    worker.child.kill('SIGTERM');
    sentinel.child.kill('SIGTERM');
    expect(await exitedWithin(worker, 20_000, 'after SIGTERM')).toBe(0);
    expect(await exitedWithin(sentinel, 20_000, 'after SIGTERM')).toBe(0);
  }, 300_000);

  it('runs unpacked, with its TUI bundle complete, and refuses a Node of another ABI by name', async () => {
    const opt = join(work, 'opt');
    mkdirSync(opt);
    execFileSync('tar', ['-xzf', tarball, '-C', opt]);
    const top = join(opt, name);
    const launcher = join(top, 'bin', 'spoolctl.js');
    const v = spawnSync(process.execPath, [launcher, '--version'], { encoding: 'utf8' });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toContain(`spoolctl ${version}`);
    const tui = (await import(join(top, 'dist', 'tui', 'bundle.js'))) as { runTui?: unknown };
    expect(typeof tui.runTui).toBe('function');

    // A package built under another Node: the launcher compares build-info.json with this one.
    const info = join(top, 'build-info.json');
    const built = JSON.parse(readFileSync(info, 'utf8')) as Record<string, string>;
    expect(built).toMatchObject({
      spoolctl: version,
      abi: process.versions.modules,
      node: process.version,
      platform: process.platform,
      arch: process.arch,
    });
    writeFileSync(info, JSON.stringify({ ...built, node: 'v99.1.0', abi: '999' }));
    const r = spawnSync(process.execPath, [launcher, 'status'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('built for Node.js v99.1.0 (ABI 999');
    expect(r.stderr).toContain(`this is Node.js ${process.version} (ABI ${process.versions.modules}`);
    expect(r.stderr).toContain('Run it with Node.js 99.x');
    expect(r.stderr).toContain(`spoolctl-${version}-node${process.versions.modules}-${process.platform}-${process.arch}.tgz`);
    expect(existsSync(join(top, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
  });
});
