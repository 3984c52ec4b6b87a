/**
 * Loads configuration in layers, each overriding the one below, and remembers where every
 * value came from: defaults < /etc/spoolctl/config.toml < ~/.config/spoolctl/config.toml
 * < <spool>/spool.toml < SPOOLCTL_SECTION__KEY variables < flags.
 * This is the only module that reads process.env for settings.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigError, errnoOf } from '../errors.js';
import { CONFIG_SCHEMA, HARD_SLOT_CAP, type Config, type KeySpec } from './schema.js';
import { splitTags, tagProblem } from './tags.js';

export interface LoadedConfig {
  config: Config;
  /** "section.key" → the layer that set it ("default", a file path, "env SPOOLCTL_...", "flag"). */
  origins: Record<string, string>;
}

type Overrides = Record<string, string | number | boolean>;

const specs = CONFIG_SCHEMA as unknown as Record<string, Record<string, KeySpec>>;

export function systemConfigPath(): string {
  return process.env.SPOOLCTL_SYSTEM_CONFIG ?? '/etc/spoolctl/config.toml';
}

export function userConfigPath(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'spoolctl', 'config.toml');
}

export function defaultConfig(): LoadedConfig {
  const config: Record<string, Record<string, unknown>> = {};
  const origins: Record<string, string> = {};
  for (const [section, keys] of Object.entries(specs)) {
    config[section] = {};
    for (const [key, spec] of Object.entries(keys)) {
      config[section][key] = spec.default;
      origins[`${section}.${key}`] = 'default';
    }
  }
  return { config: config as Config, origins };
}

/** Loads every layer for a spool; `flags` are "section.key" → value from the command line. */
export function loadConfig(spoolDir: string | undefined, flags: Overrides = {}): LoadedConfig {
  const loaded = defaultConfig();
  applyFile(loaded, systemConfigPath());
  applyFile(loaded, userConfigPath());
  if (spoolDir) applyFile(loaded, join(spoolDir, 'spool.toml'));
  for (const [name, raw] of Object.entries(process.env)) {
    const m = /^SPOOLCTL_([A-Z0-9]+)__([A-Z0-9_]+)$/.exec(name);
    if (!m || raw === undefined) continue;
    const key = `${m[1]!.toLowerCase()}.${m[2]!.toLowerCase()}`;
    set(loaded, key, fromString(key, raw, `environment variable ${name}`), `env ${name}`, `environment variable ${name}`);
  }
  for (const [key, value] of Object.entries(flags)) {
    const where = `command-line flag --set ${key}`;
    set(loaded, key, typeof value === 'string' ? fromString(key, value, where) : value, 'flag', where);
  }
  return loaded;
}

function applyFile(loaded: LoadedConfig, file: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return;
    throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}.`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : '';
    throw new ConfigError(`${file}: invalid TOML${where}: ${(err as Error).message.split('\n')[0]}`);
  }
  for (const [section, table] of Object.entries(doc)) {
    if (!(section in specs)) {
      throw new ConfigError(`${file}: unknown section [${section}] (known: ${Object.keys(specs).join(', ')}).`);
    }
    if (typeof table !== 'object' || table === null || Array.isArray(table)) {
      throw new ConfigError(`${file}: "${section}" must be a table ([${section}]).`);
    }
    for (const [key, value] of Object.entries(table)) set(loaded, `${section}.${key}`, value, file, file);
  }
}

function specOf(key: string, where: string): KeySpec {
  const [section, name] = key.split('.') as [string, string | undefined];
  const spec = name === undefined ? undefined : specs[section]?.[name];
  if (!spec) throw new ConfigError(`${where}: unknown key "${key}" (see \`spoolctl config show\` for the known keys).`);
  return spec;
}

function fromString(key: string, raw: string, where: string): string | number | boolean {
  const spec = specOf(key, where);
  if (spec.type === 'integer' && /^-?\d+$/.test(raw.trim())) return Number(raw);
  if (spec.type === 'boolean' && /^(true|false)$/.test(raw.trim())) return raw.trim() === 'true';
  return raw;
}

function set(loaded: LoadedConfig, key: string, value: unknown, origin: string, where: string): void {
  const spec = specOf(key, where);
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  const ok =
    (spec.type === 'integer' && typeof value === 'number' && Number.isInteger(value)) ||
    (spec.type === 'boolean' && typeof value === 'boolean') ||
    (spec.type === 'string' && typeof value === 'string');
  if (!ok) throw new ConfigError(`${where}: ${key} must be ${article(spec.type)} (got ${shown}).`);
  if (typeof value === 'number') {
    if (key === 'worker.max_workers' && value > HARD_SLOT_CAP) {
      throw new ConfigError(`${where}: worker.max_workers = ${value} is above the hard cap of ${HARD_SLOT_CAP} slots.`);
    }
    if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
      throw new ConfigError(`${where}: ${key} = ${value} is out of range (${spec.min} to ${spec.max}).`);
    }
  }
  if (key === 'worker.tags' && typeof value === 'string') {
    const problem = splitTags(value)
      .map((tag) => tagProblem(tag, `${where}: worker.tags`))
      .find((p) => p !== undefined);
    if (problem) throw new ConfigError(`${problem}.`);
  }
  const [section, name] = key.split('.') as [string, string];
  (loaded.config as unknown as Record<string, Record<string, unknown>>)[section]![name] = value;
  loaded.origins[key] = origin;
}

function article(type: string): string {
  return type === 'integer' ? 'an integer' : `a ${type}`;
}
