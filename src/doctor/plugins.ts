/**
 * Plugins as a worker on this host meets them: each definition valid, each env_hash
 * installed (a worker without it fails the job at once, unretried), and each command's
 * executable there. argv[0] is resolved as spawn() resolves it: a path as written (with
 * {env_dir} filled in), a bare name through PATH. PATH is this process's; a worker started
 * elsewhere (a service manager) may have another.
 */
import { accessSync, statSync, constants as C } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { errnoOf } from '../errors.js';
import { envsDirOf } from '../spool/layout.js';
import type { PluginDef } from '../spool/manifest.js';
import { PluginRegistry } from '../spool/plugins.js';
import { listNames } from '../spool/scan.js';
import type { Spool } from '../api/spool.js';
import { nativeSpawner } from '../worker/native-spawn.js';
import { fromFindings, pass, type Check, type Finding } from './check.js';

export interface Plugins {
  valid: PluginDef[];
  invalid: string[];
}

export function loadPlugins(s: Spool): Plugins {
  const registry = new PluginRegistry(s.l);
  const out: Plugins = { valid: [], invalid: [] };
  for (const file of listNames(s.l.plugins)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const found = registry.lookup(file.slice(0, -'.json'.length));
    if (found.ok) out.valid.push(found.plugin);
    else out.invalid.push(found.reason);
  }
  return out;
}

export function checkPluginFiles(p: Plugins): Check {
  return fromFindings(
    'plugins',
    p.invalid.map((reason) => ({ status: 'fail', problem: reason })),
    p.valid.length ? `${p.valid.length} plugin(s): ${p.valid.map((d) => d.name).join(', ')}` : 'no plugin is defined in plugins/',
    'correct each file against schemas/plugin.schema.json: no job of an invalid plugin can run.',
  );
}

function envsDir(s: Spool): string {
  return envsDirOf(s.l, s.loaded.config.worker.envs_dir);
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function checkPluginEnvs(s: Spool, p: Plugins): Check {
  const needing = p.valid.filter((d) => d.env_hash);
  const findings: Finding[] = needing
    .filter((d) => !isDir(join(envsDir(s), d.env_hash!)))
    .map((d) => ({
      status: 'fail',
      problem: `plugin "${d.name}" needs env_hash "${d.env_hash}", but ${join(envsDir(s), d.env_hash!)} is not a directory on this host`,
    }));
  return fromFindings(
    'plugin-envs',
    findings,
    needing.length ? `${needing.length} environment(s) installed under ${envsDir(s)}` : 'no plugin names an env_hash',
    `install each environment as a directory under ${envsDir(s)} (worker.envs_dir) on every worker host, or correct env_hash in the plugin's file: its jobs fail at once without it.`,
  );
}

/** Why `path` cannot be run, or undefined when it can. */
function notRunnable(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'is not a file';
    accessSync(path, C.X_OK);
    return undefined;
  } catch (err) {
    return errnoOf(err) === 'ENOENT'
      ? 'does not exist'
      : errnoOf(err) === 'EACCES'
        ? 'is not executable'
        : `cannot be checked (${errnoOf(err) ?? (err as Error).message})`;
  }
}

function commandProblem(argv0: string): Finding | undefined {
  if (argv0.includes('/')) {
    if (!isAbsolute(argv0)) return { status: 'warn', problem: `"${argv0}" is relative to the worker's working directory` };
    const why = notRunnable(argv0);
    return why ? { status: 'fail', problem: `${argv0} ${why}` } : undefined;
  }
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return onPath.some((dir) => notRunnable(join(dir, argv0)) === undefined)
    ? undefined
    : { status: 'fail', problem: `"${argv0}" is not found on PATH` };
}

export function checkPluginCommands(s: Spool, p: Plugins): Check {
  const findings: Finding[] = [];
  const unchecked: string[] = [];
  for (const d of p.valid) {
    const envDir = d.env_hash ? join(envsDir(s), d.env_hash) : '';
    // A missing environment is plugin-envs' finding; its commands cannot be judged without it.
    if (d.command[0]!.includes('{env_dir}') && !isDir(envDir)) continue;
    const argv0 = d.command[0]!.replaceAll('{env_dir}', envDir);
    if (/\{[^}]+\}/.test(argv0)) {
      unchecked.push(d.name);
      continue;
    }
    const problem = commandProblem(argv0);
    if (problem) findings.push({ status: problem.status, problem: `plugin "${d.name}": ${problem.problem}` });
  }
  const note = unchecked.length ? `; not checked (argv[0] comes from the job): ${unchecked.join(', ')}` : '';
  return fromFindings(
    'plugin-commands',
    findings,
    p.valid.length ? `${p.valid.length - unchecked.length} command(s) found${note}` : 'no plugin is defined in plugins/',
    "install each missing command on every worker host, or name it by absolute path in the plugin's file: a worker fails its jobs at once.",
  );
}

/** Whether this host's workers start plugins with the spawn addon or fall back to child_process. */
export function checkPluginSpawner(): Check {
  const { error } = nativeSpawner();
  if (!error)
    return pass(
      'plugin-spawn',
      'workers on this host start plugins with the spawn addon (vfork; the kernel kills a plugin whose worker dies)',
    );
  return {
    name: 'plugin-spawn',
    status: 'warn',
    detail: `the spawn addon (build/Release/posix_spawn.node) does not load (${error}): workers on this host start plugins with child_process, at more CPU per job, and only their reaper kills a plugin whose worker died`,
    fix: 'run `npm ci` (or `npm rebuild`) in the spoolctl directory with python3, make and a C compiler installed, so that build/Release/posix_spawn.node is compiled.',
  };
}
