// Unit tests for configuration layering: defaults < system file < user file < spool.toml
// < SPOOLCTL_SECTION__KEY variables < flags, with `origins` naming the layer of every key,
// and errors that name the file, the key and what is wrong.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { defaultConfig, loadConfig, systemConfigPath, userConfigPath } from '../../src/config/load.js';
import { CONFIG_SCHEMA, HARD_SLOT_CAP } from '../../src/config/schema.js';

let savedEnv: NodeJS.ProcessEnv;
let root: string;
let spoolDir: string;
let systemFile: string;
let userFile: string;
let spoolFile: string;

beforeEach(() => {
  savedEnv = { ...process.env };
  // Nothing from the machine running the tests may leak into a layer.
  for (const name of Object.keys(process.env)) if (/^SPOOLCTL_/.test(name)) Reflect.deleteProperty(process.env, name);
  root = mkdtempSync(join(tmpdir(), 'spoolctl-config-'));
  spoolDir = join(root, 'spool');
  mkdirSync(spoolDir);
  mkdirSync(join(root, 'xdg', 'spoolctl'), { recursive: true });
  systemFile = join(root, 'etc', 'config.toml');
  mkdirSync(join(root, 'etc'));
  userFile = join(root, 'xdg', 'spoolctl', 'config.toml');
  spoolFile = join(spoolDir, 'spool.toml');
  process.env.SPOOLCTL_SYSTEM_CONFIG = systemFile;
  process.env.XDG_CONFIG_HOME = join(root, 'xdg');
});

afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, savedEnv);
  rmSync(root, { recursive: true, force: true });
});

function expectConfigError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('paths', () => {
  it('takes the system file from SPOOLCTL_SYSTEM_CONFIG and the user file from XDG_CONFIG_HOME', () => {
    expect(systemConfigPath()).toBe(systemFile);
    expect(userConfigPath()).toBe(userFile);
    delete process.env.SPOOLCTL_SYSTEM_CONFIG;
    expect(systemConfigPath()).toBe('/etc/spoolctl/config.toml');
  });
});

describe('layering', () => {
  it('with no files, variables or flags every key is its default', () => {
    const { config, origins } = loadConfig(spoolDir);
    expect(config).toEqual(defaultConfig().config);
    expect(config.worker.max_workers).toBe(CONFIG_SCHEMA.worker.max_workers.default);
    expect(config.jobs.max_attempts).toBe(3);
    expect(Object.values(origins).every((o) => o === 'default')).toBe(true);
    expect(Object.keys(origins)).toContain('ledger.busy_timeout_ms');
  });

  it('each layer overrides the one below and origins names the layer', () => {
    // Every layer sets heartbeat_ms; each higher layer also stops setting one key, so
    // every layer ends up the winner for exactly one key.
    writeFileSync(
      systemFile,
      '[worker]\nheartbeat_ms = 101\nstale_after_ms = 1001\nkill_grace_ms = 11\nstop_timeout_ms = 21\nlog_max_bytes = 2001\nmax_workers = 1\n',
    );
    writeFileSync(
      userFile,
      '[worker]\nheartbeat_ms = 102\nstale_after_ms = 1002\nkill_grace_ms = 12\nstop_timeout_ms = 22\nlog_max_bytes = 2002\n',
    );
    writeFileSync(spoolFile, '[worker]\nheartbeat_ms = 103\nstale_after_ms = 1003\nkill_grace_ms = 13\nstop_timeout_ms = 23\n');
    process.env.SPOOLCTL_WORKER__HEARTBEAT_MS = '104';
    process.env.SPOOLCTL_WORKER__STALE_AFTER_MS = '1004';
    process.env.SPOOLCTL_WORKER__KILL_GRACE_MS = '14';

    const { config, origins } = loadConfig(spoolDir, { 'worker.heartbeat_ms': 105, 'worker.stale_after_ms': 1005 });

    expect(config.worker.heartbeat_ms).toBe(105);
    expect(origins['worker.heartbeat_ms']).toBe('flag');
    expect(config.worker.stale_after_ms).toBe(1005);
    expect(origins['worker.stale_after_ms']).toBe('flag');
    expect(config.worker.kill_grace_ms).toBe(14);
    expect(origins['worker.kill_grace_ms']).toBe('env SPOOLCTL_WORKER__KILL_GRACE_MS');
    expect(config.worker.stop_timeout_ms).toBe(23);
    expect(origins['worker.stop_timeout_ms']).toBe(spoolFile);
    expect(config.worker.log_max_bytes).toBe(2002);
    expect(origins['worker.log_max_bytes']).toBe(userFile);
    expect(config.worker.max_workers).toBe(1);
    expect(origins['worker.max_workers']).toBe(systemFile);
    expect(config.jobs.max_attempts).toBe(3);
    expect(origins['jobs.max_attempts']).toBe('default');
  });

  it('without a spool directory spool.toml is not read', () => {
    writeFileSync(spoolFile, '[jobs]\nmax_attempts = 9\n');
    expect(loadConfig(undefined).config.jobs.max_attempts).toBe(3);
    expect(loadConfig(spoolDir).config.jobs.max_attempts).toBe(9);
    expect(loadConfig(spoolDir).origins['jobs.max_attempts']).toBe(spoolFile);
  });

  it('environment variables are converted to the key type', () => {
    process.env.SPOOLCTL_LEDGER__PATH = '/var/lib/spoolctl/ledger.db';
    process.env.SPOOLCTL_JOBS__MAX_MANIFEST_BYTES = ' 4096 ';
    const { config, origins } = loadConfig(spoolDir);
    expect(config.ledger.path).toBe('/var/lib/spoolctl/ledger.db');
    expect(origins['ledger.path']).toBe('env SPOOLCTL_LEDGER__PATH');
    expect(config.jobs.max_manifest_bytes).toBe(4096);
  });

  it('variables that are not SECTION__KEY settings are ignored', () => {
    process.env.SPOOLCTL_SPOOL = '/somewhere';
    process.env.SPOOLCTL_worker__max_workers = '7';
    const { config } = loadConfig(spoolDir);
    expect(config.worker.max_workers).toBe(4);
  });

  it('string values from files are kept as strings', () => {
    writeFileSync(spoolFile, '[worker]\nenvs_dir = "/opt/envs"\n[ledger]\npath = "/local/ledger.db"\n');
    const { config, origins } = loadConfig(spoolDir);
    expect(config.worker.envs_dir).toBe('/opt/envs');
    expect(config.ledger.path).toBe('/local/ledger.db');
    expect(origins['worker.envs_dir']).toBe(spoolFile);
  });
});

describe('errors', () => {
  it('an unknown key names the file and the key', () => {
    writeFileSync(spoolFile, '[worker]\nmax_worker = 3\n');
    const err = expectConfigError(() => loadConfig(spoolDir));
    expect(err.message).toContain(spoolFile);
    expect(err.message).toContain('worker.max_worker');
  });

  it('an unknown key in the user file names the user file', () => {
    writeFileSync(userFile, '[jobs]\nretries = 3\n');
    const err = expectConfigError(() => loadConfig(spoolDir));
    expect(err.message).toContain(userFile);
    expect(err.message).toContain('jobs.retries');
  });

  it('an unknown section names the file and the section', () => {
    writeFileSync(systemFile, '[wrker]\nmax_workers = 3\n');
    const err = expectConfigError(() => loadConfig(spoolDir));
    expect(err.message).toContain(systemFile);
    expect(err.message).toContain('[wrker]');
  });

  it('an unknown key in a variable names the variable', () => {
    process.env.SPOOLCTL_WORKER__NOPE = '1';
    const err = expectConfigError(() => loadConfig(spoolDir));
    expect(err.message).toContain('SPOOLCTL_WORKER__NOPE');
    expect(err.message).toContain('worker.nope');
  });

  it('an unknown flag key is refused', () => {
    const err = expectConfigError(() => loadConfig(spoolDir, { 'worker.nope': 1 }));
    expect(err.message).toContain('worker.nope');
    expect(err.message).toContain('command-line flag');
  });

  it('a wrong type names the file, the key and the expected type', () => {
    writeFileSync(spoolFile, '[worker]\nheartbeat_ms = "fast"\n');
    const err = expectConfigError(() => loadConfig(spoolDir));
    expect(err.message).toContain(spoolFile);
    expect(err.message).toContain('worker.heartbeat_ms');
    expect(err.message).toContain('an integer');
    expect(err.message).toContain('"fast"');
  });

  it('a fractional number is not an integer', () => {
    writeFileSync(userFile, '[jobs]\nmax_attempts = 2.5\n');
    const err = expectConfigError(() => loadConfig(spoolDir));
    expect(err.message).toContain(userFile);
    expect(err.message).toContain('jobs.max_attempts must be an integer');
  });

  it('a number where a string belongs is refused', () => {
    writeFileSync(spoolFile, '[ledger]\npath = 5\n');
    const err = expectConfigError(() => loadConfig(spoolDir));
    expect(err.message).toContain('ledger.path must be a string');
  });

  it('a non-numeric variable for an integer key names the variable and the type', () => {
    process.env.SPOOLCTL_WORKER__HEARTBEAT_MS = '1e3';
    const err = expectConfigError(() => loadConfig(spoolDir));
    expect(err.message).toContain('environment variable SPOOLCTL_WORKER__HEARTBEAT_MS');
    expect(err.message).toContain('an integer');
  });

  it(`worker.max_workers = 9 is refused with the hard cap of ${HARD_SLOT_CAP}`, () => {
    writeFileSync(spoolFile, '[worker]\nmax_workers = 9\n');
    const err = expectConfigError(() => loadConfig(spoolDir));
    expect(err.message).toContain(spoolFile);
    expect(err.message).toContain('worker.max_workers');
    expect(err.message).toContain('hard cap of 8');
  });

  it('the hard cap also applies to variables and flags', () => {
    process.env.SPOOLCTL_WORKER__MAX_WORKERS = '9';
    expect(expectConfigError(() => loadConfig(spoolDir)).message).toContain('hard cap of 8');
    delete process.env.SPOOLCTL_WORKER__MAX_WORKERS;
    expect(expectConfigError(() => loadConfig(spoolDir, { 'worker.max_workers': 12 })).message).toContain('hard cap of 8');
    expect(loadConfig(spoolDir, { 'worker.max_workers': 8 }).config.worker.max_workers).toBe(8);
  });

  it('a value out of range names the range', () => {
    writeFileSync(spoolFile, '[worker]\nheartbeat_ms = 10\n');
    const err = expectConfigError(() => loadConfig(spoolDir));
    expect(err.message).toContain('worker.heartbeat_ms = 10 is out of range (50 to 60000)');
  });

  it('invalid TOML names the file and the line', () => {
    writeFileSync(spoolFile, '[worker]\nmax_workers = 3\nheartbeat_ms = = 1\n');
    const err = expectConfigError(() => loadConfig(spoolDir));
    expect(err.message).toContain(spoolFile);
    expect(err.message).toContain('invalid TOML');
    expect(err.message).toMatch(/line 3\b/);
  });

  it('a section that is not a table is refused', () => {
    writeFileSync(spoolFile, 'worker = 3\n');
    const err = expectConfigError(() => loadConfig(spoolDir));
    expect(err.message).toContain(spoolFile);
    expect(err.message).toContain('"worker" must be a table');
  });

  it('a config path that cannot be read (a directory) is an error, not skipped', () => {
    mkdirSync(systemFile.replace(/config\.toml$/, 'dir.toml'));
    process.env.SPOOLCTL_SYSTEM_CONFIG = systemFile.replace(/config\.toml$/, 'dir.toml');
    const err = expectConfigError(() => loadConfig(spoolDir));
    expect(err.message).toContain('Cannot read config file');
    expect(err.message).toContain('dir.toml');
  });
});
